"""Live views of the core as response models, and reads of configuration for them."""

from __future__ import annotations

from sqlalchemy import Connection, select

from hearthline.api.schemas import (
    AgentLive,
    ContactLive,
    DispositionIn,
    FormFieldIn,
    FormsOut,
    QueueLive,
)
from hearthline.routing.errors import RoutingError
from hearthline.routing.router import Router
from hearthline.routing.views import AgentView, ContactView, QueueView
from hearthline.store import codec
from hearthline.store import tables as s


def agent_live(v: AgentView, name: str = "") -> AgentLive:
    return AgentLive(
        id=v.id,
        name=name,
        state=str(v.state),
        since=v.since,
        reason=v.reason,
        contact=v.contact,
        pending_reason=v.pending_reason,
        connected=v.connected,
        handled_today=v.handled_today,
    )


def contact_live(v: ContactView, router: Router | None = None) -> ContactLive:
    out = ContactLive(
        id=v.id,
        state=str(v.state),
        since=v.since,
        channel=str(v.channel),
        caller=v.caller,
        customer=v.customer,
        queue=v.queue,
        priority=v.priority,
        waiting_since=v.waiting_since,
        agent=v.agent,
        preferred_agent=v.preferred_agent,
        origin=v.origin,
    )
    if router is not None:
        out.position = router.position(v.id)
        out.estimated_wait_s = router.estimated_wait(v.id)
    return out


def queue_live(v: QueueView) -> QueueLive:
    return QueueLive(
        id=v.id,
        waiting=v.waiting,
        waiting_callers=v.waiting_callers,
        oldest_waiting_since=v.oldest_waiting_since,
        agents_available=v.agents_available,
        agents_staffed=v.agents_staffed,
        handle_time_s=v.handle_time_s,
    )


def agents_live(router: Router, agents: list[str]) -> list[AgentLive]:
    out = []
    for a in agents:
        try:
            out.append(agent_live(router.agent(a)))
        except RoutingError:
            continue  # configured a moment ago; the core hears of it with the next batch
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


def forms_of(conn: Connection, campaign: str) -> FormsOut:
    """A campaign's outcomes, form fields and first script, as configured now."""
    form = conn.execute(select(s.forms.c.name).where(s.forms.c.campaign_id == campaign)).first()
    dispositions = [
        DispositionIn(
            id=r["id"],
            label=r["label"],
            counts_as_sale=r["counts_as_sale"],
            counts_as_save=r["counts_as_save"],
        )
        for r in conn.execute(
            select(s.dispositions)
            .where(s.dispositions.c.campaign_id == campaign)
            .order_by(s.dispositions.c.position)
        ).mappings()
    ]
    fields = [
        FormFieldIn(
            name=r["name"],
            kind=r["kind"],
            label=r["label"],
            required=r["required"],
            choices=list(codec.load_value(tuple[str, ...], r["choices"])),
        )
        for r in conn.execute(
            select(s.form_fields)
            .where(s.form_fields.c.campaign_id == campaign)
            .order_by(s.form_fields.c.position)
        ).mappings()
    ]
    script = conn.execute(
        select(s.scripts.c.body)
        .where(s.scripts.c.campaign_id == campaign)
        .order_by(s.scripts.c.name)
        .limit(1)
    ).scalar_one_or_none()
    return FormsOut(
        campaign_id=campaign,
        name=form[0] if form is not None else "",
        dispositions=dispositions,
        fields=fields,
        script=script,
    )


def agent_names(conn: Connection) -> dict[str, str]:
    return {str(i): str(n) for i, n in conn.execute(select(s.agents.c.id, s.agents.c.name))}
