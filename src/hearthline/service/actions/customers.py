"""Customers of the client companies, and the links from contacts to them.

A contact that arrives for a known customer is linked in the transaction that stores
its arrival: there is never a contact whose customer link was lost, nor a link to a
contact the log does not have.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

from sqlalchemy import Connection, Engine, insert, select, update

from hearthline.kernel.envelope import Envelope
from hearthline.routing import commands as cmd
from hearthline.service.actions.audit import transaction
from hearthline.service.domains import CODEC
from hearthline.service.errors import Conflict, NotFound
from hearthline.service.writer import Writer
from hearthline.store import tables as t
from hearthline.store.log import events_of_contact
from hearthline.store.queries import config as config_q
from hearthline.store.queries import customers as q
from hearthline.store.queries import history
from hearthline.store.queries.customers import CustomerRow


def create(
    engine: Engine, *, at: float, client: str, name: str, phone: str, email: str
) -> CustomerRow:
    row = CustomerRow(
        id=uuid4().hex, client_id=client, name=name, phone=phone, email=email, created_at=at
    )
    with transaction(engine) as conn:
        if not config_q.client_exists(conn, client):
            raise NotFound("client", client)
        conn.execute(
            insert(t.customers).values(
                id=row.id,
                client_id=row.client_id,
                name=row.name,
                phone=row.phone,
                email=row.email,
                created_at=row.created_at,
            )
        )
    return row


def add_orders(engine: Engine, *, at: float, customer: str, numbers: list[str]) -> None:
    """Gives ``customer`` these order numbers in their client's records (one already
    theirs is kept); a number another customer of the client has is refused by name, and
    then none is added."""
    o = t.orders
    with transaction(engine) as conn:
        row = q.one(conn, customer)
        if row is None:
            raise NotFound("customer", customer)
        held = dict(
            conn.execute(
                select(o.c.number, o.c.customer_id).where(
                    o.c.client_id == row.client_id, o.c.number.in_(numbers)
                )
            ).all()
        )
        taken = sorted(n for n, who in held.items() if who != customer)
        if taken:
            raise Conflict(f"order number {taken[0]!r} is another customer's in {row.client_id!r}")
        for number in dict.fromkeys(numbers):
            if number not in held:
                conn.execute(
                    insert(o).values(
                        client_id=row.client_id, number=number, customer_id=customer,
                        created_at=at,
                    )
                )  # fmt: skip


def _link_row(conn: Connection, *, contact: str, customer: str, at: float) -> None:
    conn.execute(
        insert(t.customer_contacts).values(contact_id=contact, customer_id=customer, linked_at=at)
    )


def arrive(writer: Writer, command: cmd.ArriveContact, customer: str) -> list[Envelope]:
    """The contact arrives linked to ``customer``: the arrival and the link together."""
    at = writer.clock.now()
    return writer.execute_writing(
        command, lambda conn: _link_row(conn, contact=command.contact, customer=customer, at=at)
    )


def link(
    engine: Engine,
    *,
    at: float,
    customer: str,
    contact: str,
    visible: Callable[[str], bool],
) -> list[Envelope]:
    """Links a contact that came in to a customer of the same client (one a caller may
    not see, by ``visible`` on its client, is not found); returns the contact's events."""
    with transaction(engine) as conn:
        found = q.one(conn, customer)
        if found is None or not visible(found.client_id):
            raise NotFound("customer", customer)
        stored = events_of_contact(conn, CODEC, contact)
        if not history.logged_for_client(conn, contact, found.client_id):
            raise Conflict("the contact belongs to another client company than the customer")
        if q.linked_customer(conn, contact) is not None:
            raise Conflict(f"contact {contact!r} is linked to a customer already")
        _link_row(conn, contact=contact, customer=customer, at=at)
        # Help asked before the agent found who called belongs to the customer too.
        h = t.help_requests
        conn.execute(update(h).where(h.c.contact_id == contact).values(customer_id=customer))
    return stored
