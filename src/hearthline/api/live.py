"""The core's live views (``hearthline.routing.views``) as response models.

The wire models have the views' fields and are filled from them by name, so a field
added to a view reaches the answers by adding it to the model, with no copy to keep.
"""

from __future__ import annotations

from collections.abc import Callable

from hearthline.api.schemas import AgentLive, ContactLive, QueueLive
from hearthline.routing.errors import RoutingError
from hearthline.routing.router import Router
from hearthline.routing.views import AgentView, ContactView, QueueView


def agent_live(v: AgentView, name: str = "") -> AgentLive:
    out = AgentLive.model_validate(v, from_attributes=True)
    out.name = name
    return out


def contact_live(v: ContactView, router: Router | None = None) -> ContactLive:
    out = ContactLive.model_validate(v, from_attributes=True)
    if router is not None:
        out.position = router.position(v.id)
        out.estimated_wait_s = router.estimated_wait(v.id)
    return out


def queue_live(v: QueueView) -> QueueLive:
    return QueueLive.model_validate(v, from_attributes=True)


def agents_live(
    router: Router, agents: list[str], *, own: Callable[[str], bool] = lambda _: True
) -> list[AgentLive]:
    """The agents' live state; the contact an agent holds is named only when ``own`` says
    the reader may see it (a shared agent's call for another client is just "busy")."""
    out = []
    for a in agents:
        try:
            live = agent_live(router.agent(a))
        except RoutingError:
            continue  # configured a moment ago; the core hears of it with the next batch
        if live.contact is not None and not own(live.contact):
            live.contact = None
        out.append(live)
    return out


def queues_live(router: Router, queues: list[str]) -> list[QueueLive]:
    out = []
    for q in queues:
        try:
            out.append(queue_live(router.queue(q)))
        except RoutingError:
            continue
    return out


def contact_or_none(router: Router, contact: str | None) -> ContactLive | None:
    if contact is None:
        return None
    try:
        return contact_live(router.contact(contact), router)
    except RoutingError:
        return None
