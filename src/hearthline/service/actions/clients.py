"""Client companies: created or renamed, with their audit record."""

from __future__ import annotations

from sqlalchemy import Engine

from hearthline.service.actions.audit import Actor, plain, record, transaction
from hearthline.service.errors import Conflict
from hearthline.store import config_repo
from hearthline.store.queries import config as q
from hearthline.store.queries.config import ClientRow


def put_client(engine: Engine, who: Actor, *, at: float, client: str, name: str) -> ClientRow:
    with transaction(engine) as conn:
        firm = q.firm_id(conn)
        if firm is None:
            raise Conflict("no firm yet: run `hearthline init` first")
        before = next((c for c in q.clients(conn) if c.id == client), None)
        config_repo.save_client(conn, client, firm=firm, name=name)
        after = ClientRow(client, name)
        record(
            conn,
            who,
            at=at,
            action="client.put",
            target=client,
            before=plain(before),
            after=plain(after),
        )
    return after
