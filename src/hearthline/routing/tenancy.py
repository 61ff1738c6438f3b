"""Whom each event concerns: the client company whose work it is, and the one agent who
sees it. Worked out once, on the writer, as the event is stored; the log's columns, the
live streams and every scope check read the answer instead of working it out again.

It follows the log like any projection: which client each campaign serves, which
campaign each queue belongs to, which client each contact is for (from the queue or
campaign it came in on, kept after it ends: notes come after the call), and which agent
has each live contact (offered to or talking with them).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from hearthline.kernel.domain import Concerns
from hearthline.routing import events as ev

# Offers that end without the contact staying with the agent.
_LETS_GO = frozenset({ev.OfferDeclined, ev.OfferTimedOut, ev.OfferRescinded, ev.ContactTransferred})
# Ended contacts whose client company is remembered (notes come after the call).
CONTACT_MEMORY = 200_000


class Tenancy:
    def __init__(self) -> None:
        self.campaign_client: dict[str, str] = {}
        self.queue_campaign: dict[str, str] = {}
        self._contact_client: OrderedDict[str, str] = OrderedDict()
        # The agent who has a live contact now, and the one it was last offered to (kept
        # until it ends: the agent may still be finishing it after a transfer away).
        self._contact_agent: dict[str, str] = {}
        self._offered_to: dict[str, str] = {}

    # Questions (safe from other threads: each is one dictionary read) -------------------

    def queue_client(self, queue: str | None) -> str | None:
        campaign = self.queue_campaign.get(queue) if queue is not None else None
        return self.campaign_client.get(campaign) if campaign is not None else None

    def client_of_contact(self, contact: str) -> str | None:
        return self._contact_client.get(contact)

    def had_contact(self, contact: str, agent: str) -> bool:
        """True when the live contact is, or was last, offered to ``agent``."""
        return agent in (self._contact_agent.get(contact), self._offered_to.get(contact))

    # Following the log -------------------------------------------------------------------

    def concerns(self, event: object) -> Concerns | None:
        """Whom ``event`` concerns; called once per event, in log order. None for an event
        of no contact (an agent's state, another domain's): it says itself whom."""
        kind = type(event)
        if kind is ev.CampaignConfigured or kind is ev.QueueConfigured:
            return self._configured(event), None
        contact: str | None = getattr(event, "contact", None)
        if contact is None:
            return None
        agent: str | None = getattr(event, "agent", None)
        placing = _PLACES.get(kind)
        client = self._contact_client.get(contact) if placing is None else placing(self, event)
        if agent is None:
            agent = self._contact_agent.get(contact)
        if (kind is ev.ContactOffered or kind is ev.ContactHandedOver) and agent is not None:
            # Handed over after a consult: the consulted agent has it from now.
            self._contact_agent[contact] = self._offered_to[contact] = agent
        elif kind in _LETS_GO:
            self._contact_agent.pop(contact, None)
        elif kind in _ENDING_KINDS and ev.ending(event) is not None:
            self._contact_agent.pop(contact, None)
            self._offered_to.pop(contact, None)
        return client, agent

    def _configured(self, event: object) -> str | None:
        if isinstance(event, ev.CampaignConfigured):
            self.campaign_client[event.campaign.id] = event.campaign.client
            return event.campaign.client
        assert isinstance(event, ev.QueueConfigured)
        self.queue_campaign[event.queue.id] = event.queue.campaign
        return self.queue_client(event.queue.id)

    # The events that say which client a contact is for: the campaign or queue it came in
    # on, or the contact a callback replaces.

    def _arrived(self, event: ev.ContactArrived) -> str | None:
        found = self.campaign_client.get(event.campaign) if event.campaign is not None else None
        return self._remember(event.contact, found)

    def _queued(self, event: ev.ContactQueued | ev.ContactScheduled) -> str | None:
        return self._remember(event.contact, self.queue_client(event.queue))

    def _called_back(self, event: ev.ContactConvertedToCallback) -> str | None:
        client = self._contact_client.get(event.contact)
        if client is not None:
            self._remember(event.callback, client)
        return client

    def _remember(self, contact: str, client: str | None) -> str | None:
        known = self._contact_client
        if client is None:
            return known.get(contact)
        before = known.get(contact)
        if before == client:
            return client  # queued again for the same client: nothing to move
        known[contact] = client  # a new contact lands at the newest end already
        if before is not None:
            known.move_to_end(contact)
        elif len(known) > CONTACT_MEMORY:
            known.popitem(last=False)
        return client


# Event types that may end a contact (``ev.ending`` says whether this one does).
_ENDING_KINDS = frozenset(
    {
        ev.ContactCompleted,
        ev.ContactAbandoned,
        ev.ContactDropped,
        ev.ContactConvertedToCallback,
        ev.ContactOverflowed,
    }
)

_PLACES: dict[type, Callable[[Tenancy, Any], str | None]] = {
    ev.ContactArrived: Tenancy._arrived,
    ev.ContactQueued: Tenancy._queued,
    ev.ContactScheduled: Tenancy._queued,
    ev.ContactConvertedToCallback: Tenancy._called_back,
}
