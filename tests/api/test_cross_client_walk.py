"""The paths that cross clients through people and time, walked as every role of each
client company on both databases: a shared agent, transfers, callbacks with customers,
and a restart in the middle. Neither client's staff, viewers, agents or channel line
learns anything of the other's work, live or over REST: 0 leaks."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection

from tests.api.support import Served, receive, reopen, serve

# username, or a channel line's name -> its client company.
PEOPLE = {
    "sup-acme": "acme",
    "acme-viewer": "acme",
    "a000": "acme",
    "sup-globex": "globex",
    "globex-viewer": "globex",
    "g000": "globex",
}
QUEUE = {"acme": "returns", "globex": "sales"}
OTHER = {"acme": "globex", "globex": "acme"}


class Walk:
    """Each client's line, customer and secrets, and every stream's messages."""

    def __init__(self, app: Served) -> None:
        self.app = app
        self.admin = app.login("admin")
        # a001 works for both client companies.
        shared = {"name": "Sam", "skills": {"returns": 3, "sales": 2}}
        shared["campaigns"] = ["acme-returns", "globex-sales"]
        assert self.admin.put("/api/admin/agents/a001", json=shared).status_code == 200
        self.lines: dict[str, str] = {}
        self.customers: dict[str, str] = {}
        self.callbacks: dict[str, str] = {}
        self.help: dict[str, int] = {}
        self.announcements: dict[str, int] = {}
        self.sessions: dict[tuple[int, str], httpx.Client] = {}
        self.marks: dict[str, set[str]] = {"acme": set(), "globex": set()}
        self.seen: dict[str, list[Any]] = {who: [] for who in PEOPLE}
        for client, viewer in (("acme", "acme-viewer"), ("globex", "globex-viewer")):
            made = self.admin.post(
                "/api/admin/tokens",
                json={"username": viewer, "name": f"{client} line", "scope": "channel"},
            )
            self.lines[client] = made.json()["token"]
            phone = "+1700" if client == "acme" else "+1800"
            customer = self.admin.post(
                "/api/customers",
                json={"client_id": client, "name": f"{client}-customer-name", "phone": phone},
            ).json()["id"]
            self.customers[client] = customer
            self.marks[client] |= {customer, f"{client}-customer-name", phone}
            said = f"{client}-outage-announcement"
            made = self.admin.post(
                "/api/supervisor/announcements", json={"client_id": client, "text": said}
            )
            assert made.status_code == 201, made.text
            self.announcements[client] = made.json()["id"]
            self.marks[client].add(said)
            # Each client's call guide, whose texts and answers are that client's secrets.
            guide = {
                "steps": [
                    {
                        "id": "ask",
                        "text": f"{client} secret guide step",
                        "answers": [{"label": f"{client} secret answer", "next": "done"}],
                    },
                    {"id": "done", "text": "Thank the caller."},
                ]
            }
            campaign = "acme-returns" if client == "acme" else "globex-sales"
            saved = self.admin.put(f"/api/admin/campaigns/{campaign}/guide", json=guide)
            assert saved.status_code == 200, saved.text
            self.marks[client] |= {f"{client} secret guide step", f"{client} secret answer"}

    def line(self, client: str, app: Served | None = None) -> httpx.Client:
        served = app or self.app
        return served.client(headers={"Authorization": f"Bearer {self.lines[client]}"})

    def secret_call(self, client: str) -> str:
        """A call of ``client``'s customer, answered by the shared agent, with notes."""
        line = self.line(client)
        made = line.post(
            "/api/channels/contacts",
            json={
                "queue": QUEUE[client],
                "caller": f"+1{client}99"[:12].replace(client, "555"),
                "customer_id": self.customers[client],
            },
        )
        assert made.status_code == 201, made.text
        contact = made.json()["contact_id"]
        shared = self.app.login("a001")
        shared.post("/api/agent/sign-in", json={"ready": True})
        assert shared.post(f"/api/agent/offers/{contact}/accept").status_code == 200
        note = {"revision": 1, "text": f"{client} secret plan"}
        assert shared.post(f"/api/agent/contacts/{contact}/notes", json=note).status_code == 200
        path = {"version": 1, "path": [{"step": "ask", "answer": f"{client} secret answer"}]}
        walked = shared.put(f"/api/agent/contacts/{contact}/guide", json=path)
        assert walked.status_code == 200, walked.text
        # Help asked on the call belongs to the call's client alone.
        asked = shared.post("/api/agent/help", json={"text": f"{client} secret help"})
        assert asked.status_code == 201, asked.text
        self.help[client] = asked.json()["id"]
        # Out of the client's company the contact cannot go: not to a queue of the other,
        # not to an agent of the other.
        other = OTHER[client]
        for target in ({"queue": QUEUE[other]}, {"agent": "g000" if other == "globex" else "a000"}):
            moved = shared.post(f"/api/agent/contacts/{contact}/transfer", json=target)
            assert moved.status_code in (404, 409), moved.text
        self.marks[client] |= {contact, f"{client} secret plan", f"{client} secret help"}
        # The shared agent ends the call and is free for the other client's next one.
        assert shared.post(f"/api/agent/contacts/{contact}/hang-up").status_code == 200
        finished = shared.post("/api/agent/wrap-up/finish")
        assert finished.status_code == 200, finished.text
        return contact

    def callback(self, client: str) -> str:
        due = self.app.writer.clock.now() + 3600
        booked = self.line(client).post(
            "/api/channels/callbacks",
            json={
                "queue": QUEUE[client],
                "due_at": due,
                "caller": "+1555",
                "customer_id": self.customers[client],
                "preferred_agent": "a001",
            },
        )
        assert booked.status_code == 201, booked.text
        contact: str = booked.json()["contact_id"]
        self.marks[client].add(contact)
        self.callbacks[client] = contact
        return contact

    def watch(self, app: Served, who: str, query: str = "") -> Any:
        return app.stream(self.person(app, who), query)

    def person(self, app: Served, who: str) -> httpx.Client:
        """``who``'s session on ``app``, opened once (each sign-in costs a password check)."""
        key = (id(app), who)
        if key not in self.sessions:
            self.sessions[key] = app.login(who)
        return self.sessions[key]

    def drain(self, who: str, ws: ClientConnection) -> None:
        while True:
            try:
                self.seen[who].append(receive(ws, timeout=0.2))
            except TimeoutError:
                return

    def rest_probe(self, app: Served, who: str, client: str) -> list[str]:
        """Every way in to the other client's things, as ``who``: all must be 404/403."""
        other = OTHER[client]
        c = self.person(app, who)
        line = self.line(client, app)
        found = []
        targets = [m for m in self.marks[other] if m.startswith(other) or len(m) == 32]
        for thing in sorted(targets):
            for r in (
                c.get(f"/api/contacts/{thing}"),
                c.get(f"/api/customers/{thing}"),
                c.get(f"/api/customers/{thing}/contacts"),
                line.get(f"/api/channels/contacts/{thing}"),
                line.post(f"/api/channels/contacts/{thing}/hang-up"),
                c.get(f"/api/agent/contacts/{thing}/guide"),
            ):
                if r.status_code not in (403, 404, 422):
                    found.append(f"{who} {r.request.url.path}: {r.status_code} {r.text[:100]}")
        # The shared agent's help asked on the other client's call: not answerable here.
        r = c.post(f"/api/supervisor/help/{self.help[other]}/answer", json={"text": "mine"})
        if r.status_code not in (403, 404):
            found.append(f"{who} answered the other client's help request: {r.status_code}")
        theirs = self.announcements[other]
        r = c.post(f"/api/supervisor/announcements/{theirs}/switch", json={"active": True})
        if r.status_code not in (403, 404):
            found.append(f"{who} switched the other client's announcement: {r.status_code}")
        # Money: the other client's statement is nobody's here; an agent's own pay
        # names only their own contacts.
        month = {"month": time.strftime("%Y-%m", time.gmtime())}
        r = c.get(f"/api/billing/{other}/statement", params=month)
        if r.status_code not in (403, 404):
            found.append(f"{who} {r.request.url.path}: {r.status_code} {r.text[:100]}")
        for r in (
            c.get("/api/contacts"),
            c.get("/api/customers", params={"q": "customer"}),
            c.get("/api/supervisor/announcements"),
            c.get("/api/supervisor/help", params={"open_only": False}),
            c.get("/api/supervisor/agents/a001/help"),
            c.get("/api/agent/help"),
            c.get("/api/supervisor/menus/figures"),
            c.get("/api/supervisor/menus/board"),
            c.get("/api/agent/pay"),
            c.get("/api/agent/procedures"),
            c.get(f"/api/billing/{client}/statement", params=month),
        ):
            if r.is_success and any(m in r.text for m in self.marks[other]):
                found.append(f"{who} {r.request.url.path} lists the other client's things")
        return found


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_no_role_of_one_client_learns_anything_of_the_others_work(
    request: pytest.FixtureRequest, db: str
) -> None:
    url = request.getfixturevalue("sqlite_url" if db == "sqlite" else "pg_url")
    first = serve(url, heartbeat_timeout_s=3600)
    walk = Walk(first)
    try:
        streams = {who: walk.watch(first, who) for who in PEOPLE}
        opened = {who: cm.__enter__() for who, cm in streams.items()}
        try:
            for client in ("acme", "globex"):
                walk.secret_call(client)
                walk.callback(client)
            for who, ws in opened.items():
                walk.drain(who, ws)
        finally:
            for cm in streams.values():
                cm.__exit__(None, None, None)
    finally:
        first.stop()

    second = reopen(url, first.channel_token, heartbeat_timeout_s=3600)
    walk.app = second
    try:
        streams = {who: walk.watch(second, who, "?last_event_id=0") for who in PEOPLE}
        opened = {who: cm.__enter__() for who, cm in streams.items()}
        try:
            # After the restart each line still ends its own callbacks, and only its own.
            for client in ("acme", "globex"):
                contact = walk.callbacks[client]
                own = walk.line(client, second).get(f"/api/channels/contacts/{contact}")
                assert own.status_code == 200, own.text
                theirs = walk.line(OTHER[client], second)
                assert theirs.post(f"/api/channels/contacts/{contact}/hang-up").status_code == 404
                ended = walk.line(client, second).post(f"/api/channels/contacts/{contact}/hang-up")
                assert ended.status_code == 200, ended.text
            for who, ws in opened.items():
                walk.drain(who, ws)
        finally:
            for cm in streams.values():
                cm.__exit__(None, None, None)
        leaks = []
        for who, client in PEOPLE.items():
            text = json.dumps(walk.seen[who])
            assert walk.seen[who], f"{who}'s stream said nothing"
            if who.startswith("sup-"):  # the walk sees what it looks for, where it may
                assert walk.callbacks[client] in text and f"{client} secret plan" in text
                assert f"{client} secret help" in text
                own = walk.person(second, who).get("/api/supervisor/agents/a001/help")
                assert walk.help[client] in [h["id"] for h in own.json()], own.text
            leaked = sorted(m for m in walk.marks[OTHER[client]] if m in text)
            if leaked:
                leaks.append(f"{who}'s stream: {leaked}")
            leaks += walk.rest_probe(second, who, client)
        assert leaks == [], "\n".join(leaks)
    finally:
        second.stop()
