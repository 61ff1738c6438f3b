"""Order numbers over HTTP, on SQLite and PostgreSQL: a customer's orders added (imported
or by hand) and listed within their client only, a number another customer of the client
holds refused by name with nothing of the batch stored, bad numbers refused, and the
lookup a menu's ``collect`` node makes (``lookup: order``) finding the right customer per
client."""

from __future__ import annotations

import pytest

from hearthline.store.queries import customers as customers_q
from tests.api.support import Served


@pytest.fixture
def app(served: Served) -> Served:
    """The served app on each database, with its own data directory."""
    return served


def test_orders_identify_a_customer_within_their_client_only(app: Served) -> None:
    sup = app.login("sup-acme")
    ann = sup.post("/api/customers", json={"client_id": "acme", "name": "Ann"}).json()["id"]
    bob = sup.post("/api/customers", json={"client_id": "acme", "name": "Bob"}).json()["id"]
    added = sup.post(f"/api/customers/{ann}/orders", json={"numbers": ["77001", "A-77002"]})
    assert added.status_code == 201, added.text
    assert [(o["number"], o["customer_id"], o["client_id"]) for o in added.json()] == [
        ("77001", ann, "acme"),
        ("A-77002", ann, "acme"),
    ]
    # The agent adds one the customer reads out; one already theirs is kept as it is.
    agent = app.login("a000")
    again = agent.post(f"/api/customers/{ann}/orders", json={"numbers": ["77001", "77003"]})
    assert again.status_code == 201
    assert [o["number"] for o in again.json()] == ["77001", "77003", "A-77002"]

    # Another customer's number: refused by name, and the batch's other number not stored.
    taken = sup.post(f"/api/customers/{bob}/orders", json={"numbers": ["88001", "77001"]})
    assert taken.status_code == 409 and "'77001'" in taken.json()["message"]
    assert sup.get(f"/api/customers/{bob}/orders").json() == []
    for body in ({"numbers": []}, {"numbers": ["77 001"]}, {"numbers": ["x" * 65]}, {}):
        assert sup.post(f"/api/customers/{bob}/orders", json=body).status_code == 422, body

    # Another client: the customer does not exist; its own customer may hold the number.
    gx = app.login("sup-globex")
    assert gx.get(f"/api/customers/{ann}/orders").status_code == 404
    assert gx.post(f"/api/customers/{ann}/orders", json={"numbers": ["1"]}).status_code == 404
    viewer = app.login("acme-viewer")
    assert viewer.get(f"/api/customers/{ann}/orders").status_code == 200
    assert viewer.post(f"/api/customers/{ann}/orders", json={"numbers": ["1"]}).status_code == 403
    carl = gx.post("/api/customers", json={"client_id": "globex", "name": "Carl"}).json()["id"]
    assert gx.post(f"/api/customers/{carl}/orders", json={"numbers": ["77001"]}).status_code == 201
    assert sup.post("/api/customers/nobody/orders", json={"numbers": ["1"]}).status_code == 404

    # What a menu's order lookup answers, per client.
    engine = app.writer.engine
    assert customers_q.order(engine, client="acme", number="77001") == ann
    assert customers_q.order(engine, client="globex", number="77001") == carl
    assert customers_q.order(engine, client="acme", number="88001") is None
    assert customers_q.order(engine, client="globex", number="77003") is None
