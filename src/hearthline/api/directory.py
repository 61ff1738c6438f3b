"""Who belongs to which client company: the map every scope check and stream filter uses.

Loaded from the configuration tables at start and kept current from the Configure*
events the hub sees (and reloaded after administrative changes), so a check costs a
dictionary lookup rather than a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hearthline.routing import events as ev
from hearthline.store.queries import config as queries
from hearthline.store.queries.bind import Engine


@dataclass(slots=True)
class Directory:
    campaign_client: dict[str, str] = field(default_factory=dict)
    queue_campaign: dict[str, str] = field(default_factory=dict)
    agent_campaigns: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, engine: Engine) -> Directory:
        d = cls()
        d.reload(engine)
        return d

    def reload(self, engine: Engine) -> None:
        self.campaign_client, self.queue_campaign, self.agent_campaigns = queries.directory(engine)

    def follow(self, event: object) -> None:
        """Keeps the map current from a configuration event."""
        if isinstance(event, ev.CampaignConfigured):
            self.campaign_client[event.campaign.id] = event.campaign.client
        elif isinstance(event, ev.QueueConfigured):
            self.queue_campaign[event.queue.id] = event.queue.campaign
        elif isinstance(event, ev.AgentConfigured):
            self.agent_campaigns[event.profile.id] = frozenset(event.profile.campaigns)

    def queue_client(self, queue: str | None) -> str | None:
        if queue is None:
            return None
        campaign = self.queue_campaign.get(queue)
        return self.campaign_client.get(campaign) if campaign is not None else None

    def agent_clients(self, agent: str) -> frozenset[str]:
        return frozenset(
            self.campaign_client[c]
            for c in self.agent_campaigns.get(agent, ())
            if c in self.campaign_client
        )

    def campaigns_of(self, client: str) -> list[str]:
        return sorted(c for c, cl in self.campaign_client.items() if cl == client)

    def queues_of(self, client: str) -> list[str]:
        return sorted(q for q in self.queue_campaign if self.queue_client(q) == client)

    def agents_of(self, client: str) -> list[str]:
        return sorted(a for a in self.agent_campaigns if client in self.agent_clients(a))
