"""The service's actions: each change with its audit record, and a contact's customer
link in the transaction that stores its arrival."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from hearthline.demo.sample import QUEUE
from hearthline.kernel.ids import ContactId, CustomerId
from hearthline.routing import commands as cmd
from hearthline.routing.errors import RoutingError
from hearthline.service import Writer
from hearthline.service.actions import customers, numbers, users
from hearthline.service.domains import CODEC
from hearthline.service.errors import Conflict, NotFound, StoreUnavailable
from hearthline.store import tables
from hearthline.store.log import read_events
from hearthline.store.queries import config as config_q
from hearthline.store.queries import customers as customers_q


@dataclass(frozen=True)
class Admin:
    user_id: int = 0
    username: str = "admin"


def _customer(writer: Writer) -> str:
    client = config_q.clients(writer.engine)[0].id
    row = customers.create(
        writer.engine, at=1.0, client=client, name="Ada", phone="+1555", email=""
    )
    return row.id


def _arrivals(writer: Writer, contact: str) -> list[str]:
    return [
        type(s.event).__name__
        for s in read_events(writer.engine, CODEC)
        if type(s.event).__name__ == "ContactArrived"
        and getattr(s.event, "contact", None) == contact
    ]


def _arrive(contact: str, customer: str) -> cmd.ArriveContact:
    return cmd.ArriveContact(
        ContactId(contact), caller="+1555", customer=CustomerId(customer), queue=QUEUE
    )


def test_a_contact_and_its_customer_link_are_stored_together(writer: Writer) -> None:
    customer = _customer(writer)
    stored = customers.arrive(writer, _arrive("k1", customer), customer)
    assert "ContactArrived" in [type(s.event).__name__ for s in stored]
    assert customers_q.linked_customer(writer.engine, "k1") == customer
    assert customers_q.linked_contacts(writer.engine, customer, limit=5) == ["k1"]


def test_a_link_that_cannot_be_stored_leaves_no_contact_in_the_log(writer: Writer) -> None:
    # No such customer: the link's foreign key fails inside the arrival's transaction.
    with pytest.raises(StoreUnavailable):
        customers.arrive(writer, _arrive("k2", "nobody"), "nobody")
    assert _arrivals(writer, "k2") == []
    assert customers_q.linked_customer(writer.engine, "k2") is None
    # The writer goes on, and the same contact may arrive properly afterwards.
    customer = _customer(writer)
    customers.arrive(writer, _arrive("k2", customer), customer)
    assert _arrivals(writer, "k2") == ["ContactArrived"]
    assert customers_q.linked_customer(writer.engine, "k2") == customer


def test_an_arrival_the_core_refuses_writes_no_link(writer: Writer) -> None:
    customer = _customer(writer)
    customers.arrive(writer, _arrive("k3", customer), customer)
    other = _customer(writer)
    with pytest.raises(RoutingError):
        customers.arrive(writer, _arrive("k3", other), other)
    assert customers_q.linked_customer(writer.engine, "k3") == customer


def test_linking_a_linked_contact_again_is_a_conflict(writer: Writer) -> None:
    customer = _customer(writer)
    customers.arrive(writer, _arrive("k4", customer), customer)
    with pytest.raises(Conflict, match="linked to a customer already"):
        customers.link(
            writer.engine, at=2.0, customer=customer, contact="k4", visible=lambda _c: True
        )
    with pytest.raises(NotFound, match="no customer 'nobody'"):
        customers.link(
            writer.engine, at=2.0, customer="nobody", contact="k4", visible=lambda _c: True
        )


def _audits(writer: Writer) -> list[str]:
    with writer.engine.connect() as conn:
        a = tables.audit_log
        return list(conn.execute(select(a.c.action).order_by(a.c.id)).scalars())


def test_table_actions_write_their_audit_record_or_nothing(writer: Writer) -> None:
    me = Admin()
    numbers.put_number(writer.engine, me, at=1.0, number="+1800", queue=QUEUE, label="main")
    numbers.delete_number(writer.engine, me, at=2.0, number="+1800")
    with pytest.raises(NotFound, match="no number"):
        numbers.delete_number(writer.engine, me, at=3.0, number="+1800")
    users.create_user(
        writer.engine,
        me,
        at=4.0,
        username="sam",
        role="supervisor",
        client_id=None,
        agent_id=None,
        display_name="Sam",
        password_hash="x",
    )
    with pytest.raises(Conflict, match="taken"):
        users.create_user(
            writer.engine,
            me,
            at=5.0,
            username="sam",
            role="supervisor",
            client_id=None,
            agent_id=None,
            display_name="Sam",
            password_hash="x",
        )
    assert _audits(writer) == ["number.put", "number.delete", "user.create"]
    with writer.engine.connect() as conn:
        count = (
            select(func.count()).select_from(tables.users).where(tables.users.c.username == "sam")
        )
        assert conn.execute(count).scalar_one() == 1
