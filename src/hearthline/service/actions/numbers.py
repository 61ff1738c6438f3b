"""The numbers callers dial, each mapped to a queue or to the menu."""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert

from hearthline.service.actions.audit import Actor, first, plain, record, transaction
from hearthline.service.errors import NotFound
from hearthline.store import tables as t
from hearthline.store.queries import config as q
from hearthline.store.queries.config import NumberRow


def put_number(
    engine: Engine, who: Actor, *, at: float, number: str, queue: str | None, label: str
) -> NumberRow:
    with transaction(engine) as conn:
        before = first(q.numbers(conn, number=number))
        conn.execute(delete(t.numbers).where(t.numbers.c.number == number))
        conn.execute(insert(t.numbers).values(number=number, queue_id=queue, label=label))
        after = NumberRow(number, queue, label)
        record(
            conn,
            who,
            at=at,
            action="number.put",
            target=number,
            before=before,
            after=plain(after),
        )
    return after


def delete_number(engine: Engine, who: Actor, *, at: float, number: str) -> None:
    with transaction(engine) as conn:
        before = first(q.numbers(conn, number=number))
        if before is None:
            raise NotFound("number", number)
        conn.execute(delete(t.numbers).where(t.numbers.c.number == number))
        record(conn, who, at=at, action="number.delete", target=number, before=before)
