"""A real server for the API tests: a seeded store, the app on uvicorn on 127.0.0.1.

``serve(url)`` starts the center and the app on a free port in a thread and returns a
``Served`` with the base URL; ``login`` opens a cookie session with its CSRF token.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, update
from websockets.sync.client import ClientConnection, connect

from hearthline.api.app import create_app
from hearthline.api.security import password_hasher
from hearthline.api.settings import ServerSettings
from hearthline.demo.sample import seed
from hearthline.kernel.clock import Clock, WallClock
from hearthline.kernel.ids import CampaignId, ClientId, QueueId
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    QueueConfig,
    WrapUpMode,
    WrapUpPolicy,
)
from hearthline.service.actions.tokens import add_token as create_token
from hearthline.service.writer import Writer
from hearthline.store import config_repo
from hearthline.store import tables as s
from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade
from tests.serving import free_port, serve_in_thread

PASSWORD = "correct horse battery"
# username -> (role, client, agent)
USERS: dict[str, tuple[str, str | None, str | None]] = {
    "admin": ("admin", None, None),
    "sup": ("supervisor", None, None),
    "sup-acme": ("supervisor", "acme", None),
    "sup-globex": ("supervisor", "globex", None),
    "acme-viewer": ("client_viewer", "acme", None),
    "globex-viewer": ("client_viewer", "globex", None),
    "a000": ("agent", None, "a000"),
    "a001": ("agent", None, "a001"),
    "g000": ("agent", None, "g000"),
}
FAST_HASH = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}


def seed_world(engine: Engine, *, grace_s: float = 60.0) -> str:
    """Two client companies (acme: returns; globex: sales), their agents and users.

    Returns a channel API token (an administrator's)."""
    seed(engine, agents=3, wrap_up_s=30.0)
    hasher = password_hasher(time_cost=1, memory_kib=1024)
    hashed = hasher.hash(PASSWORD)
    with engine.begin() as conn:
        config_repo.save_settings(conn, CenterSettings(connection_grace_s=grace_s))
        config_repo.save_client(conn, "globex", firm="hearth", name="Globex")
        config_repo.save_campaign(
            conn, CampaignConfig(CampaignId("globex-sales"), ClientId("globex"), name="Sales")
        )
        config_repo.save_queue(
            conn,
            QueueConfig(
                QueueId("sales"),
                CampaignId("globex-sales"),
                name="Sales",
                wrap_up=WrapUpPolicy(WrapUpMode.MANUAL, 30.0),
            ),
        )
        config_repo.save_agent(conn, AgentProfile.of("g000", {"sales": 2}, ["globex-sales"]))
        existing = {r.username for r in conn.execute(s.users.select())}
        for name, (role, client, agent) in USERS.items():
            if name in existing:
                conn.execute(
                    update(s.users).where(s.users.c.username == name).values(password_hash=hashed)
                )
            else:
                config_repo.add_user(
                    conn, name, role=role, client=client, agent=agent, password_hash=hashed
                )
        admin = conn.execute(s.users.select().where(s.users.c.username == "admin")).first()
        assert admin is not None
        _, token = create_token(
            conn, user_id=admin.id, name="channel", scope="channel", now=WallClock().now()
        )
    return token


@dataclass
class Served:
    url: str
    writer: Writer
    app: FastAPI
    channel_token: str
    server: uvicorn.Server
    thread: threading.Thread
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/api/stream"

    def client(self, **kwargs: Any) -> httpx.Client:
        c = httpx.Client(base_url=self.url, timeout=30.0, **kwargs)
        self.clients.append(c)
        return c

    def login(
        self, username: str, password: str = PASSWORD, code: str | None = None
    ) -> httpx.Client:
        """A client with a cookie session; sends the CSRF token on every request."""
        c = self.client()
        body = {"username": username, "password": password}
        r = c.post("/api/auth/login", json=body if code is None else body | {"code": code})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return c

    def channel(self) -> httpx.Client:
        return self.client(headers={"Authorization": f"Bearer {self.channel_token}"})

    @contextmanager
    def stream(self, c: httpx.Client, query: str = "") -> Iterator[ClientConnection]:
        """A WebSocket on /api/stream with the client's session cookie."""
        cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
        with connect(
            self.ws_url + query, additional_headers={"Cookie": cookie}, open_timeout=10
        ) as ws:
            yield ws

    def stop(self) -> None:
        for c in self.clients:
            c.close()
        self.server.should_exit = True
        self.thread.join(30)
        self.writer.stop()


def serve(
    url: str, *, grace_s: float = 60.0, clock: Clock | None = None, **settings: Any
) -> Served:
    engine = create_store_engine(url)
    upgrade(engine)
    token = seed_world(engine, grace_s=grace_s)
    engine.dispose()
    return reopen(url, token, clock=clock, **settings)


def reopen(url: str, token: str, *, clock: Clock | None = None, **settings: Any) -> Served:
    """A server on a store seeded already: a restart, when the previous one has stopped.
    ``clock``: the wall clock unless given (a test that must see a month go by)."""
    writer = Writer(
        engine=create_store_engine(url),
        clock=clock or WallClock(),
        rng=random.Random(3),
        read_model_every_s=0.2,
        own_engine=True,
    )
    writer.start()
    port = free_port()
    config = ServerSettings(host="127.0.0.1", port=port, **(FAST_HASH | settings))
    app = create_app(writer, config)
    server, thread = serve_in_thread(app, port=port, writer=writer)
    return Served(f"http://127.0.0.1:{port}", writer, app, token, server, thread)


def receive(ws: ClientConnection, timeout: float = 10.0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return message


def wait_for_event(
    ws: ClientConnection, type_: str, timeout: float = 10.0, **fields: Any
) -> dict[str, Any]:
    """Reads the stream until an event of ``type_`` (with these fields) arrives."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {type_} {fields} within {timeout} s")
        message = receive(ws, left)
        if message.get("type") != "event":
            continue
        event = message["event"]
        if event["type"] == type_ and all(event.get(k) == v for k, v in fields.items()):
            return message


def take_and_finish(agent: httpx.Client, contact: str, disposition: str, *, text: str) -> None:
    """The agent accepts ``contact`` ringing for them, hangs up and records the outcome
    (a returns call's form filled in)."""
    finish = {
        "disposition": disposition,
        "text": text,
        "fields": {"order_number": "o1", "reason": "wrong-size"},
    }
    for path, body in (
        (f"/api/agent/offers/{contact}/accept", None),
        (f"/api/agent/contacts/{contact}/hang-up", None),
        (f"/api/agent/contacts/{contact}/finish", finish),
    ):
        r = agent.post(path, json=body)
        assert r.status_code == 200, r.text


def handle_a_call(
    app: Served,
    agent_name: str = "a000",
    disposition: str = "prevented-resale",
    *,
    text: str = "resold",
    then: str | None = None,
) -> str:
    """``agent_name`` signs in ready (or is already), takes a returns call brought in by the
    channel line, hangs up and finishes it with ``disposition`` and the note ``text``; then
    posts ``then`` (``/api/agent/wrap-up/finish``, ``/api/agent/sign-out``) if given.
    Returns the contact's id."""
    agent = app.login(agent_name)
    signed = agent.post("/api/agent/sign-in", json={"ready": True})
    assert signed.status_code == 200 or "found it available" in signed.text, signed.text
    with app.stream(agent) as ws:
        receive(ws)
        arrived = app.channel().post("/api/channels/contacts", json={"queue": "returns"})
        contact: str = arrived.json()["contact_id"]
        wait_for_event(ws, "ContactOffered", contact=contact)
        take_and_finish(agent, contact, disposition, text=text)
    if then is not None:
        assert agent.post(then).status_code == 200, then
    return contact
