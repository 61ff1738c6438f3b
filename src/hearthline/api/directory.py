"""Who belongs to which client company: the map every scope check and stream filter uses.

Loaded from the configuration tables at start and kept current from the Configure*
events the hub sees (and reloaded after administrative changes), so a check costs a
dictionary lookup rather than a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from hearthline.routing import events as ev
from hearthline.store import tables as s


@dataclass(slots=True)
class Directory:
    campaign_client: dict[str, str] = field(default_factory=dict)
    queue_campaign: dict[str, str] = field(default_factory=dict)
    agent_campaigns: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection) -> Directory:
        d = cls()
        d.reload(conn)
        return d

    def reload(self, conn: Connection) -> None:
        self.campaign_client = {
            str(c): str(cl)
            for c, cl in conn.execute(select(s.campaigns.c.id, s.campaigns.c.client_id))
        }
        self.queue_campaign = {
            str(q): str(c) for q, c in conn.execute(select(s.queues.c.id, s.queues.c.campaign_id))
        }
        certified: dict[str, set[str]] = {
            str(a): set() for (a,) in conn.execute(select(s.agents.c.id))
        }
        for agent, campaign in conn.execute(
            select(s.agent_campaigns.c.agent_id, s.agent_campaigns.c.campaign_id)
        ):
            certified.setdefault(str(agent), set()).add(str(campaign))
        self.agent_campaigns = {a: frozenset(c) for a, c in certified.items()}

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
