"""The event stream: snapshot, ordered ids, resuming without loss, and tenant filtering."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.api.support import PASSWORD, Served, receive, serve, wait_for_event


@pytest.fixture
def app(sqlite_url: str) -> Iterator[Served]:
    served = serve(sqlite_url, replay_buffer=100)
    yield served
    served.stop()


def _drain(ws: ClientConnection, timeout: float = 0.7) -> list[dict[str, Any]]:
    out = []
    while True:
        try:
            out.append(receive(ws, timeout))
        except TimeoutError:
            return out


def test_a_stream_resumed_with_its_last_id_misses_nothing(app: Served) -> None:
    admin, agent = app.login("admin"), app.login("a000")
    with app.stream(admin) as ws:
        snap = receive(ws)
        start = snap["last_event_id"]
    agent.post("/api/agent/sign-in", json={"ready": False})
    for _ in range(3):
        agent.post("/api/agent/ready")
        agent.post("/api/agent/not-ready", json={"reason": "break"})
    last = app.writer.last_event_id
    with app.stream(admin, f"?last_event_id={start}") as ws:
        assert receive(ws) == {"type": "help-list", "requests": []}
        messages = [receive(ws) for _ in range(last - start)]
    assert all(m["type"] == "event" for m in messages)
    assert [m["id"] for m in messages] == list(range(start + 1, last + 1))
    kinds = [m["event"]["type"] for m in messages]
    assert kinds[0] == "AgentSignedIn" and kinds.count("AgentBecameAvailable") == 3


def test_a_resumed_stream_gets_the_help_requests_asked_and_answered_while_it_was_away(
    app: Served,
) -> None:
    sup, a0, a1 = app.login("sup"), app.login("a000"), app.login("a001")
    acme_sup, g0 = app.login("sup-acme"), app.login("g000")
    for agent in (a0, a1, g0):
        agent.post("/api/agent/sign-in")
    first = a0.post("/api/agent/help", json={"text": "which form for a refund?"}).json()
    globex = g0.post("/api/agent/help", json={"text": "price list?"}).json()
    with app.stream(sup) as ws:
        snap = receive(ws)
        start = snap["last_event_id"]
    assert [r["id"] for r in snap["data"]["help"] if r["open"]] == [globex["id"], first["id"]]
    # While the supervisor's connection is down: one request answered, one asked.
    other = app.login("admin")
    answered = other.post(f"/api/supervisor/help/{first['id']}/answer", json={"text": "form R"})
    assert answered.status_code == 200
    second = a1.post("/api/agent/help", json={"text": "caller asks for a manager"}).json()
    with app.stream(sup, f"?last_event_id={start}") as ws:
        listed = receive(ws)
    assert listed["type"] == "help-list"
    assert [r["id"] for r in listed["requests"]] == [second["id"], globex["id"]]
    # A supervisor of one client company gets that company's agents' requests only.
    with app.stream(acme_sup, f"?last_event_id={start}") as ws:
        scoped = receive(ws)
    assert [r["id"] for r in scoped["requests"]] == [second["id"]]
    # The agent whose request was answered while away gets the answer on resuming.
    with app.stream(a0, f"?last_event_id={start}") as ws:
        mine = receive(ws)
    assert mine["type"] == "help-list"
    assert [(r["id"], r["answer"]) for r in mine["requests"]] == [(first["id"], "form R")]


def test_a_resume_from_beyond_the_buffer_gets_a_reset_and_a_fresh_snapshot(app: Served) -> None:
    agent = app.login("a000")
    admin = app.login("admin")
    agent.post("/api/agent/sign-in")
    for _ in range(60):  # more events than the 100 the buffer keeps
        agent.post("/api/agent/ready")
        agent.post("/api/agent/not-ready", json={"reason": "lunch"})
    with app.stream(admin, "?last_event_id=1") as ws:
        assert receive(ws) == {"type": "reset"}
        snap = receive(ws)
    assert snap["type"] == "snapshot"
    assert snap["last_event_id"] == app.writer.last_event_id
    me = next(a for a in snap["data"]["agents"] if a["id"] == "a000")
    assert me["state"] == "not-ready" and me["reason"] == "lunch"


def test_each_stream_sees_only_its_own_client_or_agent(app: Served) -> None:
    channel = app.channel()
    acme, globex = app.login("acme-viewer"), app.login("globex-viewer")
    a0, a1 = app.login("a000"), app.login("a001")
    a0.post("/api/agent/sign-in", json={"ready": True})
    with (
        app.stream(acme) as ws_acme,
        app.stream(globex) as ws_globex,
        app.stream(a1) as ws_a1,
    ):
        snaps = [receive(ws) for ws in (ws_acme, ws_globex, ws_a1)]
        assert [q["id"] for q in snaps[0]["data"]["queues"]] == ["returns"]
        assert [q["id"] for q in snaps[1]["data"]["queues"]] == ["sales"]
        assert "agents" not in snaps[2]["data"]
        ours = channel.post("/api/channels/contacts", json={"queue": "returns", "contact_id": "r1"})
        theirs = channel.post("/api/channels/contacts", json={"queue": "sales", "contact_id": "s1"})
        assert ours.status_code == theirs.status_code == 201
        seen_acme = _drain(ws_acme)
        seen_globex = _drain(ws_globex)
        seen_a1 = _drain(ws_a1)
    contacts_acme = {m["event"].get("contact") for m in seen_acme}
    contacts_globex = {m["event"].get("contact") for m in seen_globex}
    assert contacts_acme == {"r1"}
    assert contacts_globex == {"s1"}
    # a000 got the offer: a001's stream hears nothing of it.
    assert seen_a1 == []
    # What every stream receives survives the round trip through JSON.
    for m in seen_acme + seen_globex:
        assert json.loads(json.dumps(m)) == m


def test_a_stream_needs_a_session_or_token_and_a_same_origin_page(app: Served) -> None:
    with pytest.raises(InvalidStatus), connect(app.ws_url, open_timeout=5):
        pass
    with pytest.raises(InvalidStatus), connect(app.ws_url + "?token=hl_wrong", open_timeout=5):
        pass
    admin = app.login("admin")
    cookie = "; ".join(f"{k}={v}" for k, v in admin.cookies.items())
    with (
        pytest.raises(InvalidStatus),
        connect(
            app.ws_url,
            additional_headers={"Cookie": cookie},
            origin="http://evil.example",  # type: ignore[arg-type]
            open_timeout=5,
        ),
    ):
        pass
    # A program uses its token in the query; a channel token has no stream.
    with (
        pytest.raises(InvalidStatus),
        connect(app.ws_url + f"?token={app.channel_token}", open_timeout=5),
    ):
        pass


def test_the_supervisor_stream_carries_help_requests_and_the_agent_gets_the_answer(
    app: Served,
) -> None:
    agent, sup = app.login("a000"), app.login("sup")
    agent.post("/api/agent/sign-in")
    with app.stream(sup) as ws_sup, app.stream(agent) as ws_agent:
        receive(ws_sup), receive(ws_agent)
        asked = agent.post("/api/agent/help", json={"text": "customer wants a manager"})
        assert asked.status_code == 201
        request_id = asked.json()["id"]
        notice = next(m for m in _drain(ws_sup) if m["type"] == "help")
        assert notice["request"]["text"] == "customer wants a manager"
        assert [h["id"] for h in sup.get("/api/supervisor/help").json()] == [request_id]
        answered = sup.post(f"/api/supervisor/help/{request_id}/answer", json={"text": "on my way"})
        assert answered.status_code == 200
        notices = [m for m in _drain(ws_agent) if m["type"] == "help"]
    assert notices[-1]["request"]["answer"] == "on my way"
    assert notices[-1]["request"]["open"] is False
    assert sup.get("/api/supervisor/help").json() == []
    # A supervisor of the other client never sees acme's agents' requests.
    agent.post("/api/agent/help", json={"text": "again"})
    wait = app.login("sup-acme").get("/api/supervisor/help").json()
    assert [h["text"] for h in wait] == ["again"]
    _ = wait_for_event  # imported for symmetry with the other stream tests


def _closed_with(ws: ClientConnection, timeout: float = 1.0) -> int | None:
    """The close code the server ends the stream with within ``timeout`` seconds."""
    try:
        while True:
            ws.recv(timeout=timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None
    except TimeoutError:
        return None


def test_a_binary_or_oversized_frame_closes_the_stream_with_a_code_that_says_why(
    app: Served,
) -> None:
    admin = app.login("admin")
    with app.stream(admin) as ws:
        receive(ws)
        ws.send(b"\x00\x01binary")
        assert _closed_with(ws, 5.0) == 1003
    with app.stream(admin) as ws:
        receive(ws)
        ws.send("x" * 20_000)  # past the limit (an SDP answer fits under it)
        assert _closed_with(ws, 5.0) == 1009
    # The server is unharmed: the next stream works.
    with app.stream(admin) as ws:
        assert receive(ws)["type"] == "snapshot"


def test_garbage_and_json_nested_past_any_parser_get_an_error_and_the_stream_goes_on(
    app: Served,
) -> None:
    agent = app.login("a000")
    with app.stream(agent) as ws:
        receive(ws)
        for text in ("[" * 2000 + "]" * 2000, "not json", '{"type": "dance"}'):
            ws.send(text)
            assert receive(ws) == {"type": "error", "message": 'expected {"type": "heartbeat"}'}
        ws.send(json.dumps({"type": "heartbeat"}))
        agent.post("/api/agent/sign-in", json={"ready": False})
        assert wait_for_event(ws, "AgentSignedIn")["event"]["agent"] == "a000"


def test_a_stream_ends_within_a_second_of_its_sign_in_ending(app: Served) -> None:
    admin, sup, agent = app.login("admin"), app.login("sup"), app.login("a000")
    other_session = app.login("a000")
    with app.stream(agent) as mine, app.stream(other_session) as kept, app.stream(sup) as sups:
        for ws in (mine, kept, sups):
            receive(ws)
        # Signing out ends this session's stream, not the same user's other session.
        assert agent.post("/api/auth/logout").status_code == 204
        assert _closed_with(mine) == 4401
        assert _closed_with(kept, 0.3) is None
        # Deleting a user ends every stream they have open; other users' go on.
        users = admin.get("/api/admin/users").json()
        sup_id = next(u["id"] for u in users if u["username"] == "sup")
        assert admin.delete(f"/api/admin/users/{sup_id}").status_code == 204
        assert _closed_with(sups) == 4401
        assert _closed_with(kept, 0.3) is None


def test_requiring_two_factor_ends_the_streams_of_those_who_must_now_enrol(
    app: Served,
) -> None:
    admin, sup, agent = app.login("admin"), app.login("sup"), app.login("a000")
    started = admin.post("/api/auth/two-factor", json={"password": PASSWORD}).json()
    code = pyotp.TOTP(started["secret"]).now()
    assert admin.post("/api/auth/two-factor/confirm", json={"code": code}).status_code == 200
    with app.stream(sup) as sups, app.stream(agent) as agents, app.stream(admin) as admins:
        for ws in (sups, agents, admins):
            receive(ws)
        r = admin.put("/api/admin/settings", json={"require_two_factor": True})
        assert r.status_code == 200
        assert _closed_with(sups) == 4401
        # Agents are not asked for a second factor; the administrator has one.
        assert _closed_with(agents, 0.3) is None
        assert _closed_with(admins, 0.3) is None


def test_a_revoked_token_ends_the_streams_opened_with_it(app: Served) -> None:
    admin = app.login("admin")
    made = admin.post("/api/admin/tokens", json={"username": "sup", "name": "wallboard"}).json()
    with connect(app.ws_url + f"?token={made['token']}", open_timeout=5) as ws:
        assert receive(ws)["type"] == "snapshot"
        assert admin.delete(f"/api/admin/tokens/{made['id']}").status_code == 204
        assert _closed_with(ws) == 4401


def test_a_shared_agents_call_for_one_client_never_reaches_the_others_supervisor(
    app: Served,
) -> None:
    admin = app.login("admin")
    # a001 works for both client companies.
    shared = {"name": "Sam", "skills": {"returns": 3, "sales": 2}}
    shared["campaigns"] = ["acme-returns", "globex-sales"]
    assert admin.put("/api/admin/agents/a001", json=shared).status_code == 200
    agent, acme_sup = app.login("a001"), app.login("sup-acme")
    globex_sup = app.login("sup-globex")
    with app.stream(acme_sup) as ws, app.stream(globex_sup) as ws_globex:
        receive(ws), receive(ws_globex)
        agent.post("/api/agent/sign-in", json={"ready": False})
        # Asked with no contact in hand: about the agent, for either client's supervisor.
        free = agent.post("/api/agent/help", json={"text": "headset crackles"}).json()
        agent.post("/api/agent/ready")
        seen = _until_event(ws, "AgentBecameAvailable", agent="a001")  # their state: both
        assert [m["request"]["text"] for m in seen if m["type"] == "help"] == ["headset crackles"]
        call = app.channel().post("/api/channels/contacts", json={"queue": "sales", "caller": "+2"})
        contact = call.json()["contact_id"]
        assert agent.post(f"/api/agent/offers/{contact}/accept").status_code == 200
        notes = {"revision": 1, "text": "globex secret plan"}
        assert agent.post(f"/api/agent/contacts/{contact}/notes", json=notes).status_code == 200
        # Asked during globex's call: globex's alone.
        asked = agent.post("/api/agent/help", json={"text": "globex secret help"})
        assert asked.status_code == 201, asked.text
        secret = asked.json()
        agent.post("/api/agent/not-ready", json={"reason": "break"})
        # The notice, if sent, would come before the event that follows it.
        seen += _until_event(ws, "AgentNotReadyRequested", agent="a001")
        theirs = _until_event(ws_globex, "AgentNotReadyRequested", agent="a001")
        assert "globex secret help" in json.dumps(theirs)
        # Neither listed, nor in the agent's history, nor answerable by acme's supervisor.
        for path in ("/api/supervisor/help", "/api/supervisor/agents/a001/help"):
            listed = acme_sup.get(path, params={"open_only": False} if "agents" not in path else {})
            assert listed.status_code == 200
            assert [h["id"] for h in listed.json()] == [free["id"]], path
            assert secret["id"] in [h["id"] for h in globex_sup.get(path).json()], path
        answer = {"text": "acme says hello"}
        refused = acme_sup.post(f"/api/supervisor/help/{secret['id']}/answer", json=answer)
        assert refused.status_code == 404, refused.text
        assert globex_sup.get("/api/supervisor/help").json()[0]["open"] is True
        # The contact-less one both may answer; globex's own, globex's supervisor.
        took = acme_sup.post(f"/api/supervisor/help/{free['id']}/answer", json={"text": "ok"})
        assert took.status_code == 200, took.text
        done = globex_sup.post(f"/api/supervisor/help/{secret['id']}/answer", json={"text": "y"})
        assert done.status_code == 200, done.text
        seen += _drain(ws)
    # Resuming replays through the same rule, and the list it starts with too.
    with app.stream(acme_sup, "?last_event_id=0") as ws:
        seen += _drain(ws)
    texts = json.dumps(seen)
    assert contact not in texts and "globex secret plan" not in texts
    assert "globex secret help" not in texts and secret["id"] not in [
        m["request"]["id"] for m in seen if m["type"] == "help"
    ]
    owners = (free["client_id"], secret["client_id"], secret["contact_id"])
    assert owners == (None, "globex", contact)


def _until_event(ws: ClientConnection, type_: str, **fields: Any) -> list[dict[str, Any]]:
    """Every message up to and including the first event of ``type_`` with these fields."""
    out = []
    while True:
        message = receive(ws)
        out.append(message)
        event = message.get("event", {})
        if event.get("type") == type_ and all(event.get(k) == v for k, v in fields.items()):
            return out
