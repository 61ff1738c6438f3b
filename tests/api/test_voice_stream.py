"""An agent's page answers its call's media offer over the stream: only agents may, only
for a call ringing for them, and a wrong message gets a notice naming the problem."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from hearthline.api.deps import AppContext
from hearthline.telephony.control import ControlPlane
from hearthline.telephony.media import FakeMedia
from tests.api.support import Served, receive, serve

SDP = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = serve(f"sqlite:///{tmp_path_factory.mktemp('vs') / 'h.sqlite3'}")
    yield served
    served.stop()


def _answer(served: Served, username: str, message: dict[str, Any]) -> dict[str, Any]:
    """The first notice after sending ``message`` (the snapshot skipped)."""
    with served.stream(served.login(username)) as ws:
        assert receive(ws)["type"] == "snapshot"
        ws.send(json.dumps({"type": "voice-answer", **message}))
        while True:
            reply = receive(ws, 5.0)
            if reply["type"] != "event":
                return reply


def test_without_voice_an_answer_is_told_voice_is_off(app: Served) -> None:
    reply = _answer(app, "a000", {"contact": "k1", "sdp": SDP})
    assert reply == {
        "type": "voice-error",
        "contact": "k1",
        "message": "voice is not on in this server",
    }


@pytest.mark.parametrize("username", ["sup", "sup-acme", "admin"])
def test_only_agents_answer_calls(app: Served, username: str) -> None:
    reply = _answer(app, username, {"contact": "k1", "sdp": SDP})
    assert reply["type"] == "error" and "heartbeat" in reply["message"]


def test_with_voice_an_answer_for_no_call_of_theirs_is_refused_by_name(app: Served) -> None:
    ctx: AppContext = app.app.state.app_context

    async def no_number(number: str) -> tuple[str, str] | None:
        return None

    ctx.voice = ControlPlane(
        writer=app.writer,
        media=FakeMedia(),
        find_number=no_number,
        signal=lambda message: None,
        tell_agent=ctx.hub.tell_agent,
        prompt="greeting.wav",
    )
    try:
        reply = _answer(app, "g000", {"contact": "k-acme", "sdp": SDP})
        assert reply["message"] == "no call of yours is ringing for contact 'k-acme'"
        reply = _answer(app, "a000", {"contact": ["k"], "sdp": 5})
        assert reply["message"] == 'a voice-answer needs "contact" and "sdp" strings'
    finally:
        ctx.voice = None


def test_an_oversized_answer_closes_the_stream_saying_why(app: Served) -> None:
    with app.stream(app.login("a000")) as ws:
        receive(ws)
        ws.send(json.dumps({"type": "voice-answer", "contact": "k", "sdp": "x" * 20_000}))
        with pytest.raises(ConnectionClosed) as closed:
            _drain_until_closed(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


def _drain_until_closed(ws: ClientConnection) -> None:
    for _ in range(20):
        receive(ws, 5.0)


def test_a_restart_asked_without_voice_or_a_call_is_refused_by_name(app: Served) -> None:
    ctx: AppContext = app.app.state.app_context

    def ask(message: dict[str, Any]) -> dict[str, Any]:
        with app.stream(app.login("a000")) as ws:
            assert receive(ws)["type"] == "snapshot"
            ws.send(json.dumps({"type": "voice-restart", **message}))
            while True:
                reply = receive(ws, 5.0)
                if reply["type"] != "event":
                    return reply

    assert ask({"contact": "k1"})["message"] == "voice is not on in this server"

    async def no_number(number: str) -> tuple[str, str] | None:
        return None

    ctx.voice = ControlPlane(
        writer=app.writer, media=FakeMedia(), find_number=no_number,
        signal=lambda message: None, tell_agent=ctx.hub.tell_agent, prompt="greeting.wav",
    )  # fmt: skip
    try:
        reply = ask({"contact": "k-acme"})
        assert reply == {
            "type": "voice-error",
            "contact": "k-acme",
            "message": "no call of yours is connected for contact 'k-acme'",
        }
        assert ask({"contact": 7})["message"] == 'a voice-restart needs a "contact" string'
    finally:
        ctx.voice = None
