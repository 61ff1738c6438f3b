"""Schedules: settings and contracts (the tables and the log together, audited), and
supervisors' timesheet corrections (a table row with its audit record)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, insert

from hearthline.kernel.envelope import Envelope
from hearthline.service.actions.audit import Actor, audited, plain, record, transaction
from hearthline.service.errors import NotFound
from hearthline.service.writer import Writer
from hearthline.store import tables as t
from hearthline.store.codec import dump_value
from hearthline.store.queries import schedules as q
from hearthline.store.upsert import upsert
from hearthline.wfm.adherence import Grace
from hearthline.wfm.commands import ConfigureScheduling, SetContract
from hearthline.wfm.contracts import Contract
from hearthline.wfm.timesheet import Correction


def put_settings(writer: Writer, who: Actor, *, time_zone: str, grace: Grace) -> list[Envelope]:
    at = writer.clock.now()

    def write(conn: Connection) -> None:
        row = {"id": 1, "time_zone": time_zone, "grace": dump_value(Grace, grace), "updated_at": at}
        upsert(conn, t.schedule_settings, [row], keys=["id"])

    return writer.configure(
        ConfigureScheduling(time_zone, grace),
        write,
        around=audited(
            who,
            at=at,
            action="schedules.settings",
            target="firm",
            read=lambda c: plain(q.settings(c)),
        ),
    )


def put_contract(writer: Writer, who: Actor, contract: Contract) -> list[Envelope]:
    at = writer.clock.now()

    def write(conn: Connection) -> None:
        row = {"agent_id": contract.agent, "body": dump_value(Contract, contract), "updated_at": at}
        upsert(conn, t.contracts, [row], keys=["agent_id"])

    def read(conn: Connection) -> object:
        found = q.contracts(conn, agents=[contract.agent])
        return plain(found[0]) if found else None

    return writer.configure(
        SetContract(contract),
        write,
        around=audited(who, at=at, action="contract.put", target=contract.agent, read=read),
    )


def change(
    writer: Writer, who: Actor, command: object, *, action: str, target: str
) -> list[Envelope]:
    """Runs a schedule change (a trade, a time-off request, a decision...) with its audit
    record, stored with its events in one transaction; a refused change records nothing."""
    at = writer.clock.now()

    def write(conn: Connection) -> None:
        record(conn, who, at=at, action=action, target=target, after=plain(command))

    return writer.execute_writing(command, write)


def correct_timesheet(
    engine: Engine, who: Actor, *, at: float, agent: str, day: dt.date, correction: Correction
) -> int:
    """Stores a correction of ``agent``'s ``day`` with its audit record; returns its id."""
    k = t.timesheet_corrections
    with transaction(engine) as conn:
        if conn.execute(t.agents.select().where(t.agents.c.id == agent)).first() is None:
            raise NotFound("agent", agent)
        ident = conn.execute(
            insert(k)
            .values(
                agent_id=agent,
                day=day.isoformat(),
                start=correction.start,
                end=correction.end,
                state=correction.state,
                reason=correction.reason,
                by_user=who.username,
                at=at,
            )
            .returning(k.c.id)
        ).scalar_one()
        record(
            conn,
            who,
            at=at,
            action="timesheet.correct",
            target=f"{agent} {day.isoformat()}",
            after=q.correction_rows(conn, ident),
        )
    return int(ident)
