"""Help requests: an agent asks, a supervisor answers."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, insert, update

from hearthline.service.actions.audit import transaction
from hearthline.service.errors import NotFound
from hearthline.store import tables as t
from hearthline.store.queries import customers as customers_q
from hearthline.store.queries import help as q
from hearthline.store.queries.help import HelpRow


def ask(
    engine: Engine,
    *,
    at: float,
    agent: str,
    contact: str | None,
    client: str | None,
    text: str,
) -> HelpRow:
    """Records a request with the contact the agent has, its client company and its
    customer, if linked."""
    h = t.help_requests
    with transaction(engine) as conn:
        customer = customers_q.linked_customer(conn, contact) if contact is not None else None
        ident = conn.execute(
            insert(h)
            .values(
                agent_id=agent,
                contact_id=contact,
                customer_id=customer,
                client_id=client,
                text=text,
                created_at=at,
                open=True,
            )
            .returning(h.c.id)
        ).scalar_one()
        row = q.one(conn, ident)
    assert row is not None
    return row


def answer(
    engine: Engine,
    *,
    at: float,
    request: int,
    text: str,
    by: str,
    visible: Callable[[HelpRow], bool],
) -> HelpRow:
    """Answers a request; one ``visible`` refuses is not found."""
    h = t.help_requests
    with transaction(engine) as conn:
        row = q.one(conn, request)
        if row is None or not visible(row):
            raise NotFound("help request", request)
        conn.execute(
            update(h)
            .where(h.c.id == request)
            .values(answer=text, answered_by=by, answered_at=at, open=False)
        )
        row = q.one(conn, request)
    assert row is not None
    return row
