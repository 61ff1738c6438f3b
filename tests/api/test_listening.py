"""The listening routes over HTTP, with the fake media engine behind a control plane on the
served app: who may listen to whose call, refusals naming the problem, the agent's page
told over its stream, every start and stop in the audit log, and the firm's setting."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection

from hearthline.api import listening
from hearthline.api.deps import AppContext
from hearthline.telephony.control import ControlPlane, LiveCall
from hearthline.telephony.media import FakeMedia
from tests.api.support import Served, receive, serve

SDP = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = serve(f"sqlite:///{tmp_path_factory.mktemp('listen') / 'h.sqlite3'}")
    a0 = served.login("a000")
    assert a0.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
    made = served.channel().post(
        "/api/channels/contacts", json={"queue": "returns", "contact_id": "lk-1", "caller": "+1"}
    )
    assert made.status_code == 201, made.text
    assert a0.post("/api/agent/offers/lk-1/accept").status_code == 200
    yield served
    served.stop()


@pytest.fixture
def media(app: Served) -> Iterator[FakeMedia]:
    """Voice on, with a0's call on lk-1 connected; off again afterwards."""
    ctx: AppContext = app.app.state.app_context

    async def no_number(number: str) -> tuple[str, str] | None:
        return None

    fake = FakeMedia()
    control = ControlPlane(
        writer=app.writer, media=fake, find_number=no_number, signal=lambda m: None,
        tell_agent=ctx.hub.tell_agent, prompt="greeting.wav",
    )  # fmt: skip
    live = LiveCall("call-1", "lk-1", SDP, agent="a000", agent_tag="agent-t", bridged=True)
    control.calls["call-1"] = live
    control.by_contact["lk-1"] = live
    ctx.voice = control
    listening.attach(ctx, control, fake)
    try:
        yield fake
    finally:
        ctx.voice = None
        ctx.listen = None


def _start(sup: httpx.Client, ws: ClientConnection, mode: str) -> httpx.Response:
    """Starts listening to a000 as the agent's page would take part: asked for its
    microphone over its stream, it sends an offer and gets rtpengine's answer."""
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(sup.post, "/api/supervisor/agents/a000/listen", json={"mode": mode})
        asked = _until(ws, lambda m: m["type"] == "voice-coach" and "publish" in m)
        ws.send(
            json.dumps({"type": "voice-coach-publish", "session": asked["publish"], "sdp": SDP})
        )
        published = _until(ws, lambda m: m["type"] == "voice-coach-published")
        assert published["session"] == asked["publish"] and "published" in published["sdp"]
        return answer.result(timeout=30)


def _audit(app: Served, action: str) -> list[dict[str, Any]]:
    rows = app.login("admin").get("/api/admin/audit").json()
    return [r for r in rows if r["action"] == action]


def test_without_voice_a_listen_in_is_refused_saying_so(app: Served) -> None:
    r = app.login("sup-acme").post("/api/supervisor/agents/a000/listen", json={"mode": "listen"})
    assert r.status_code == 409
    assert "voice is not on" in r.json()["message"]


def test_refusals_name_the_problem(app: Served, media: FakeMedia) -> None:
    sup = app.login("sup-acme")
    r = sup.post("/api/supervisor/agents/a001/listen", json={"mode": "listen"})
    assert (r.status_code, r.json()["message"]) == (409, "agent a001 has no live voice call")
    r = sup.post("/api/supervisor/agents/a000/listen", json={"mode": "shout"})
    assert r.status_code == 422 and "mode" in r.json()["message"]
    r = sup.post("/api/supervisor/agents/nobody/listen", json={"mode": "listen"})
    assert r.status_code == 404
    # Another client's supervisor: as if the agent did not exist.
    r = app.login("sup-globex").post("/api/supervisor/agents/a000/listen", json={})
    assert r.status_code == 404
    # Agents do not listen in.
    r = app.login("a001").post("/api/supervisor/agents/a000/listen", json={})
    assert r.status_code == 403
    r = sup.post("/api/supervisor/listening/0123abcd/answer", json={"party": "caller", "sdp": SDP})
    assert r.status_code == 404 and "no listening session" in r.json()["message"]
    assert media.log == []


def test_a_supervisor_listens_whispers_and_stops_audited_and_told(
    app: Served, media: FakeMedia
) -> None:
    sup = app.login("sup-acme")
    agent = app.login("a000")
    with app.stream(agent) as ws:
        assert receive(ws)["type"] == "snapshot"
        r = _start(sup, ws, "whisper")
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["contact"] == "lk-1" and out["shown_to_agent"] is True
        assert [o["party"] for o in out["offers"]] == ["caller", "agent"]
        session = out["session"]
        for party in ("caller", "agent"):
            r = sup.post(
                f"/api/supervisor/listening/{session}/answer", json={"party": party, "sdp": SDP}
            )
            assert r.status_code == 204, r.text
        # Bad input: a party that is not one, an answer that is not audio.
        r = sup.post(f"/api/supervisor/listening/{session}/answer", json={"party": "x", "sdp": SDP})
        assert r.status_code == 422
        r = sup.post(f"/api/supervisor/listening/{session}/publish", json={"sdp": "hello"})
        assert r.status_code == 422 and "audio SDP" in r.json()["message"]
        # Someone else's session is not theirs.
        r = app.login("sup").delete(f"/api/supervisor/listening/{session}")
        assert r.status_code == 404
        r = sup.post(f"/api/supervisor/listening/{session}/publish", json={"sdp": SDP})
        assert r.status_code == 200 and "published" in r.json()["sdp"]

        told = _until(ws, lambda m: m["type"] == "voice-coach" and "sdp" in m)
        assert told["mode"] == "whisper" and told["supervisor"] == "sup-acme"
        ws.send(json.dumps({"type": "voice-coach-answer", "contact": "lk-1", "sdp": SDP}))
        r = app.login("sup").post("/api/supervisor/agents/a000/listen", json={"mode": "barge"})
        assert r.status_code == 409 and "sup-acme is already in this call" in r.json()["message"]

        assert sup.delete(f"/api/supervisor/listening/{session}").status_code == 204
        assert _until(ws, lambda m: m["type"] == "voice-coach-end")["contact"] == "lk-1"
    assert any(e[0] == "subscribe_answer" and "agent" in e[2] for e in media.log)
    started = [
        a for a in _audit(app, "listen.start") if json.loads(a["after"])["session"] == session
    ]
    stopped = [
        a for a in _audit(app, "listen.stop") if json.loads(a["after"])["session"] == session
    ]
    assert len(started) == 1 and len(stopped) == 1
    assert started[0]["username"] == "sup-acme" and started[0]["target"] == "lk-1"
    assert json.loads(started[0]["after"])["mode"] == "whisper"
    assert json.loads(stopped[0]["after"])["reason"] == "stopped"


def test_the_firm_decides_whether_a_listen_in_is_shown(app: Served, media: FakeMedia) -> None:
    admin = app.login("admin")
    assert admin.get("/api/admin/settings").json()["show_listen_in"] is True
    settings = {"connection_grace_s": 60, "direct_transfer_wait_s": 30, "show_listen_in": False}
    r = admin.put("/api/admin/settings", json=settings)
    assert r.status_code == 200 and r.json()["show_listen_in"] is False
    try:
        sup = app.login("sup")
        with app.stream(app.login("a000")) as ws:
            r = _start(sup, ws, "listen")
        assert r.status_code == 201 and r.json()["shown_to_agent"] is False
        assert sup.delete(f"/api/supervisor/listening/{r.json()['session']}").status_code == 204
    finally:
        admin.put("/api/admin/settings", json=settings | {"show_listen_in": True})
    changes = sorted(_audit(app, "settings.show-listen-in"), key=lambda c: c["id"])
    assert [(c["before"], c["after"]) for c in changes][-2:] == [
        ("true", "false"),
        ("false", "true"),
    ]


def _until(ws: Any, wanted: Any) -> dict[str, Any]:
    while True:
        message = receive(ws, 10.0)
        if wanted(message):
            return message


def test_an_agent_page_that_lost_the_supervisors_audio_is_offered_it_again(
    app: Served, media: FakeMedia
) -> None:
    sup = app.login("sup-acme")
    with app.stream(app.login("a000")) as ws:
        assert receive(ws)["type"] == "snapshot"
        r = _start(sup, ws, "whisper")
        assert r.status_code == 201, r.text
        session = r.json()["session"]
        r = sup.post(f"/api/supervisor/listening/{session}/publish", json={"sdp": SDP})
        assert r.status_code == 200, r.text
        first = _until(ws, lambda m: m["type"] == "voice-coach" and "sdp" in m)
        subscribed = sum(1 for e in media.log if e[0] == "subscribe")
        # A message naming no contact is passed over; the next one is answered.
        ws.send(json.dumps({"type": "voice-coach-lost"}))
        ws.send(json.dumps({"type": "voice-coach-lost", "contact": "lk-1"}))
        again = _until(ws, lambda m: m["type"] == "voice-coach" and "sdp" in m)
        assert again["session"] == first["session"] and again["contact"] == "lk-1"
        assert sum(1 for e in media.log if e[0] == "subscribe") == subscribed + 1
        assert sup.delete(f"/api/supervisor/listening/{session}").status_code == 204
        assert _until(ws, lambda m: m["type"] == "voice-coach-end")["contact"] == "lk-1"


def test_an_agent_page_publishes_only_for_its_own_sessions(app: Served, media: FakeMedia) -> None:
    with app.stream(app.login("a001")) as ws:
        assert receive(ws)["type"] == "snapshot"
        ws.send(json.dumps({"type": "voice-coach-publish", "session": "nope", "sdp": SDP}))
        reply = _until(ws, lambda m: m["type"] == "voice-error")
        assert reply["message"] == "no supervisor is listening to you in session 'nope'"
        ws.send(json.dumps({"type": "voice-coach-publish", "session": 5}))
        reply = _until(ws, lambda m: m["type"] == "voice-error")
        assert "needs" in reply["message"]


def test_a_supervisor_switches_mode_in_the_same_session_over_http(
    app: Served, media: FakeMedia
) -> None:
    sup = app.login("sup-acme")
    with app.stream(app.login("a000")) as ws:
        assert receive(ws)["type"] == "snapshot"
        r = _start(sup, ws, "listen")
        assert r.status_code == 201, r.text
        session = r.json()["session"]
        subscribed = [e for e in media.log if e[0] == "subscribe"]
        r = sup.put(f"/api/supervisor/listening/{session}/mode", json={"mode": "whisper"})
        assert r.status_code == 200, r.text
        out = r.json()
        assert (out["session"], out["mode"], out["shown_to_agent"], out["offers"]) == (
            session, "whisper", True, [],
        )  # fmt: skip
        told = _until(ws, lambda m: m["type"] == "voice-coach" and "switched" in m)
        assert (told["session"], told["mode"], told["switched"]) == (session, "whisper", "listen")
        # The microphone is published in the same session; the agent's page gets its offer.
        r = sup.post(f"/api/supervisor/listening/{session}/publish", json={"sdp": SDP})
        assert r.status_code == 200, r.text
        assert "sdp" in _until(ws, lambda m: m["type"] == "voice-coach" and "sdp" in m)
        # Bad input and other people's sessions are refused, naming the problem.
        r = sup.put(f"/api/supervisor/listening/{session}/mode", json={"mode": "shout"})
        assert r.status_code == 422 and "mode" in r.json()["message"]
        r = sup.put(f"/api/supervisor/listening/{session}/mode", json={})
        assert r.status_code == 422 and "mode" in r.json()["message"]
        r = app.login("sup").put(
            f"/api/supervisor/listening/{session}/mode", json={"mode": "barge"}
        )
        assert r.status_code == 404 and "no listening session" in r.json()["message"]
        r = sup.put(f"/api/supervisor/listening/{session}/mode", json={"mode": "listen"})
        assert r.status_code == 200 and r.json()["mode"] == "listen"
        assert sup.delete(f"/api/supervisor/listening/{session}").status_code == 204
        r = sup.put(f"/api/supervisor/listening/{session}/mode", json={"mode": "barge"})
        assert r.status_code == 404
    # No new subscription to the parties for the switches (the agent page's one to the
    # supervisor's microphone is the only other).
    parties = [
        e for e in media.log if e[0] == "subscribe" and (e[2] == "caller" or "-agent-mic-" in e[2])
    ]
    assert parties == subscribed
    switched = [
        json.loads(a["after"])
        for a in sorted(_audit(app, "listen.switch"), key=lambda a: a["id"])
        if json.loads(a["after"])["session"] == session
    ]
    assert [(s["from"], s["mode"]) for s in switched] == [
        ("listen", "whisper"),
        ("whisper", "listen"),
    ]
