"""Schedules as stored: settings, contracts, timesheet corrections, the agents' state
events a timesheet is computed from, and the events approved time off is read from."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select

from hearthline.kernel.domain import DomainEvent
from hearthline.store import tables as t
from hearthline.store.codec import Codec, load_value
from hearthline.store.queries.bind import Bind, connected
from hearthline.wfm.adherence import Grace
from hearthline.wfm.contracts import Contract
from hearthline.wfm.leave import LEAVE_EVENTS
from hearthline.wfm.timesheet import Correction

# The events that move an agent's state (``wfm.timeline``).
STATE_EVENTS = (
    "AgentSignedIn",
    "AgentSignedOut",
    "AgentBecameAvailable",
    "AgentWentNotReady",
    "AgentConnectionLost",
    "AgentReconnected",
)


def settings(bind: Bind) -> tuple[str, Grace] | None:
    s = t.schedule_settings
    with connected(bind) as conn:
        row = conn.execute(select(s.c.time_zone, s.c.grace).where(s.c.id == 1)).first()
    return None if row is None else (row.time_zone, load_value(Grace, row.grace))


def contracts(bind: Bind, *, agents: Collection[str] | None = None) -> list[Contract]:
    c = t.contracts
    query = select(c.c.body).order_by(c.c.agent_id)
    if agents is not None:
        query = query.where(c.c.agent_id.in_(sorted(agents)))
    with connected(bind) as conn:
        return [load_value(Contract, body) for (body,) in conn.execute(query)]


def corrections(
    bind: Bind, *, agents: Collection[str], day: str
) -> dict[str, list[tuple[int, Correction]]]:
    """The corrections of ``day`` per agent, oldest first, with their ids."""
    k = t.timesheet_corrections
    out: dict[str, list[tuple[int, Correction]]] = {a: [] for a in agents}
    query = select(k).where(k.c.day == day, k.c.agent_id.in_(sorted(agents))).order_by(k.c.id)
    with connected(bind) as conn:
        for r in conn.execute(query).mappings():
            out[r["agent_id"]].append(
                (r["id"], Correction(r["start"], r["end"], r["state"], r["reason"], r["by_user"]))
            )
    return out


def corrections_between(
    bind: Bind, *, agents: Collection[str], first_day: str, last_day: str
) -> dict[str, list[Correction]]:
    """The corrections of the days ``first_day`` to ``last_day`` per agent, oldest first."""
    k = t.timesheet_corrections
    out: dict[str, list[Correction]] = {a: [] for a in agents}
    query = (
        select(k)
        .where(k.c.day >= first_day, k.c.day <= last_day, k.c.agent_id.in_(sorted(agents)))
        .order_by(k.c.id)
    )
    with connected(bind) as conn:
        for r in conn.execute(query).mappings():
            out[r["agent_id"]].append(
                Correction(r["start"], r["end"], r["state"], r["reason"], r["by_user"])
            )
    return out


def correction_rows(bind: Bind, ident: int) -> list[dict[str, Any]]:
    k = t.timesheet_corrections
    with connected(bind) as conn:
        return [dict(r) for r in conn.execute(select(k).where(k.c.id == ident)).mappings()]


def state_events(
    bind: Bind, codec: Codec, *, agents: Collection[str], start: float, end: float
) -> list[tuple[float | None, DomainEvent]]:
    """The agents' state events from ``start`` to ``end`` in log order; a restart's with
    the time of the last event before its own time (``Timelines.follow``)."""
    e = t.events
    query = (
        select(e.c.id, e.c.type, e.c.payload)
        .where(
            e.c.type.in_(STATE_EVENTS),
            e.c.agent_id.in_(sorted(agents)),
            e.c.at >= start,
            e.c.at < end,
        )
        .order_by(e.c.id)
    )
    out: list[tuple[float | None, DomainEvent]] = []
    with connected(bind) as conn:
        for ident, kind, payload in conn.execute(query).all():
            event = codec.decode(kind, payload)
            seen = None
            if kind == "AgentWentNotReady" and "system-restart" in payload:
                seen = conn.execute(
                    select(func.max(e.c.at)).where(e.c.id < ident, e.c.at < event.at)
                ).scalar()
            out.append((None if seen is None else float(seen), event))
    return out


def leave_events(bind: Bind, codec: Codec) -> list[DomainEvent]:
    """The schedule events approved time off is read from (``wfm.leave``), in log order:
    the shifts published, the time off asked for, and the shifts it freed."""
    e = t.events
    query = select(e.c.type, e.c.payload).where(e.c.type.in_(LEAVE_EVENTS)).order_by(e.c.id)
    with connected(bind) as conn:
        return [codec.decode(kind, payload) for kind, payload in conn.execute(query)]
