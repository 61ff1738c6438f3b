"""The server the browser tests drive: a seeded store and the real app on 127.0.0.1.

The firm has two client companies. Acme Retail runs a returns line (timed wrap-up, a
form with a required order number, outcomes that count as saves and sales, a script);
Globex runs a sales line. Maria works Acme's returns, Gina Globex's sales, Tom both.
There is a user of every role, an Acme client viewer and a Globex one, a channel API
token for the ingress, and one Acme customer with a past call, its outcome and note.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, insert

from hearthline.api.app import create_app
from hearthline.api.security import password_hasher
from hearthline.api.settings import ServerSettings
from hearthline.crm.commands import DraftNote, FinishNote
from hearthline.crm.config import CampaignForms, Disposition, FieldKind, FormField
from hearthline.demo.sample import RETURNS_FORMS
from hearthline.kernel.clock import Clock, WallClock
from hearthline.kernel.ids import AgentId, CampaignId, ClientId, ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing.config import (
    DEFAULT_REASONS,
    AgentProfile,
    CampaignConfig,
    QueueConfig,
    RoutingConfig,
    WrapUpMode,
    WrapUpPolicy,
)
from hearthline.service.actions.tokens import add_token as create_token
from hearthline.service.writer import Writer
from hearthline.store import config_repo, tables
from hearthline.store.engine import create_store_engine
from hearthline.web import mount
from tests.databases import migrated_sqlite
from tests.serving import free_port, serve_in_thread

PASSWORD = "hearthline-test-pw"
CUSTOMER_PHONE = "+44 20 7946 0011"
# username -> (role, client, agent, display name)
USERS: dict[str, tuple[str, str | None, str | None, str]] = {
    "admin": ("admin", None, None, "Ada Admin"),
    "super": ("supervisor", None, None, "Sam Supervisor"),
    "acme-viewer": ("client_viewer", "acme", None, "Acme viewer"),
    "globex-viewer": ("client_viewer", "globex", None, "Globex viewer"),
    "maria": ("agent", None, "a-maria", "Maria Lopez"),
    "tom": ("agent", None, "a-tom", "Tom Becker"),
    "gina": ("agent", None, "a-gina", "Gina Russo"),
}
RETURNS_SCRIPT = (
    "Greeting\n"
    "Thank you for calling Acme Retail returns, my name is … How can I help?\n\n"
    "Before processing a return\n"
    "Ask for the order number. Offer an exchange first; if the customer agrees, "
    "choose 'Return prevented by exchange'.\n\n"
    "Closing\n"
    "Is there anything else I can help you with today?"
)
SALES_FORMS = CampaignForms(
    campaign="globex-sales",
    dispositions=(
        Disposition("sale", "Sale", counts_as_sale=True),
        Disposition("no-sale", "No sale"),
    ),
    fields=(
        FormField("product", FieldKind.CHOICE, "Product", choices=("basic", "premium")),
        FormField("follow_up", FieldKind.DATE, "Follow-up date"),
    ),
)


@dataclass
class WebServer:
    url: str
    writer: Writer
    app: FastAPI
    channel_token: str
    server: uvicorn.Server
    thread: threading.Thread

    def arrive(self, *, queue: str, caller: str, contact_id: str | None = None) -> str:
        """A caller arrives through the channel ingress; returns the contact id."""
        body: dict[str, object] = {"queue": queue, "caller": caller}
        if contact_id is not None:
            body["contact_id"] = contact_id
        with httpx.Client(base_url=self.url, timeout=30.0) as c:
            r = c.post(
                "/api/channels/contacts",
                json=body,
                headers={"Authorization": f"Bearer {self.channel_token}"},
            )
        assert r.status_code == 201, r.text
        contact: str = r.json()["contact_id"]
        return contact

    def api(self, username: str) -> httpx.Client:
        """An API client signed in as ``username`` (cookie session and CSRF header)."""
        c = httpx.Client(base_url=self.url, timeout=30.0)
        r = c.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return c

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.writer.stop()


NAMES = {"hearth": "Hearth Outsourcing", "acme": "Acme Retail", "globex": "Globex"}
ROUTING = RoutingConfig(
    campaigns=(
        CampaignConfig(CampaignId("acme-returns"), ClientId("acme"), name="Returns"),
        CampaignConfig(CampaignId("globex-sales"), ClientId("globex"), name="Sales"),
    ),
    queues=(
        QueueConfig(
            QueueId("returns"),
            CampaignId("acme-returns"),
            name="Returns",
            requirement="returns>=1",
            wrap_up=WrapUpPolicy(WrapUpMode.TIMED, 180.0),
            offer_timeout_s=45.0,
            service_target_s=20.0,
        ),
        QueueConfig(
            QueueId("sales"),
            CampaignId("globex-sales"),
            name="Sales",
            requirement="sales>=1",
            wrap_up=WrapUpPolicy(WrapUpMode.MANUAL, 60.0),
            offer_timeout_s=45.0,
        ),
    ),
    agents=(
        AgentProfile.of("a-maria", {"returns": 3}, ["acme-returns"], name="Maria Lopez"),
        AgentProfile.of(
            "a-tom", {"returns": 1, "sales": 2}, ["acme-returns", "globex-sales"], "Tom Becker"
        ),
        AgentProfile.of("a-gina", {"sales": 3}, ["globex-sales"], name="Gina Russo"),
    ),
    reasons=DEFAULT_REASONS,
)


def seed_firm(engine: Engine) -> str:
    """The firm described above; returns the channel API token."""
    hashed = password_hasher(time_cost=1, memory_kib=1024).hash(PASSWORD)
    with engine.begin() as conn:
        config_repo.save_routing_config(conn, ROUTING, firm="hearth", client_names=NAMES)
        config_repo.save_forms(conn, RETURNS_FORMS, name="Returns call")
        config_repo.save_forms(conn, SALES_FORMS, name="Sales call")
        config_repo.save_script(conn, "acme-returns", "returns", RETURNS_SCRIPT)
        config_repo.save_script(
            conn, "globex-sales", "sales", "Introduce the premium plan before the basic one."
        )
        ids = {}
        for name, (role, client, agent, display) in USERS.items():
            ids[name] = config_repo.add_user(
                conn,
                name,
                role=role,
                client=client,
                agent=agent,
                display_name=display,
                password_hash=hashed,
            )
        _, token = create_token(
            conn, user_id=ids["admin"], name="test channel", scope="channel", now=WallClock().now()
        )
    return token


def past_call(writer: Writer) -> None:
    """One finished Acme call by Maria from the seeded customer: their history."""
    contact, maria = ContactId("past-0001"), AgentId("a-maria")
    writer.execute(cmd.SignIn(maria, ready=True))
    writer.execute(cmd.ArriveContact(contact, caller=CUSTOMER_PHONE, queue=QueueId("returns")))
    writer.execute(cmd.AcceptOffer(maria, contact))
    writer.execute(DraftNote(contact, maria, 1, "Jacket too small.", (("order_number", "A-1001"),)))
    writer.execute(cmd.EndContact(maria, contact))
    writer.execute(
        FinishNote(
            contact,
            maria,
            "prevented-exchange",
            "Jacket too small; exchanged for a larger size.",
            (("order_number", "A-1001"), ("reason", "wrong-size")),
        )
    )
    writer.execute(cmd.FinishWrapUp(maria))
    writer.execute(cmd.SignOut(maria))
    now = WallClock().now()
    with writer.engine.begin() as conn:
        conn.execute(
            insert(tables.customers).values(
                id="cust-eleanor",
                client_id="acme",
                name="Eleanor Rigby",
                phone="+442079460011",
                email="eleanor@example.org",
                created_at=now,
            )
        )
        conn.execute(
            insert(tables.customer_contacts).values(
                contact_id=contact, customer_id="cust-eleanor", linked_at=now
            )
        )


def start_server(
    db_file: Path,
    *,
    heartbeat_timeout_s: float = 4.0,
    extra: dict[str, object] | None = None,
    clock: Clock | None = None,
) -> WebServer:
    """The firm served on 127.0.0.1; on ``clock`` (the wall clock by default)."""
    url = migrated_sqlite(db_file)
    engine = create_store_engine(url)
    token = seed_firm(engine)
    engine.dispose()
    writer = Writer(
        engine=create_store_engine(url),
        clock=clock or WallClock(),
        rng=random.Random(7),
        read_model_every_s=0.2,
        own_engine=True,
    )
    writer.start()
    past_call(writer)
    port = free_port()
    settings = ServerSettings(
        host="127.0.0.1",
        port=port,
        heartbeat_timeout_s=heartbeat_timeout_s,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        **(extra or {}),  # type: ignore[arg-type]
    )
    app = create_app(writer, settings)
    mount(app)
    server, thread = serve_in_thread(app, port=port, writer=writer, name="uvicorn-web")
    return WebServer(f"http://127.0.0.1:{port}", writer, app, token, server, thread)
