"""The event log: append rows in batches, read them back in id order.

Ids are assigned by the one writer (``next id = last id + 1``), so they are gap-free and
known before the insert: a batch is one plain ``executemany`` with no ``RETURNING``. A
second writer would collide on the primary key and fail loudly rather than interleave.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from hearthline.kernel.envelope import Envelope
from hearthline.store.codec import Codec
from hearthline.store.tables import events

READ_PAGE = 20_000


def event_row(envelope: Envelope, codec: Codec) -> dict[str, Any]:
    event = envelope.event
    return {
        "id": envelope.id,
        "at": event.at,
        "type": type(event).__name__,
        "client_id": envelope.client,
        "contact_id": getattr(event, "contact", None),
        "agent_id": envelope.agent,
        "payload": codec.encode(event),
    }


_COLUMNS = ("id", "at", "type", "client_id", "contact_id", "agent_id", "payload")


def append_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Inserts the rows with one driver-level ``executemany``: the hot path of every commit,
    where SQLAlchemy's per-row parameter processing would cost more than the database."""
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({', '.join([mark] * 7)})"
    conn.exec_driver_sql(sql, [tuple(r[c] for c in _COLUMNS) for r in rows])


def last_event_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(events.c.id), 0))).scalar_one())


def count_events(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def read_events(
    engine: Engine,
    codec: Codec,
    *,
    after: int = 0,
    until: int | None = None,
    page: int = READ_PAGE,
) -> Iterator[Envelope]:
    """Every event with ``after < id <= until``, in id order, a page at a time.

    Pages (keyset, by id) keep memory flat on a log of millions and hold no cursor open
    between them.
    """
    e = events.c
    query = select(e.id, e.type, e.payload, e.client_id, e.agent_id).order_by(e.id)
    if until is not None:
        query = query.where(events.c.id <= until)
    decode = codec.decode
    while True:
        with engine.connect() as conn:
            rows = conn.execute(query.where(events.c.id > after).limit(page)).all()
        for ident, type_, payload, client, agent in rows:
            yield Envelope(ident, decode(type_, payload), client, agent)
        if len(rows) < page:
            return
        after = rows[-1][0]


def events_of_contact(conn: Connection, codec: Codec, contact: str) -> list[Envelope]:
    """The whole history of one contact (routing and notes), in log order."""
    e = events.c
    rows = conn.execute(
        select(e.id, e.type, e.payload, e.client_id, e.agent_id)
        .where(e.contact_id == contact)
        .order_by(e.id)
    ).all()
    return [Envelope(i, codec.decode(t, p), c, a) for i, t, p, c, a in rows]
