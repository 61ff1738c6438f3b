"""Dial again over HTTP (``POST /api/agent/contacts/{contact}/dial``), with the fake media
engine behind a control plane on the served app: the agent's own open callback is dialled
(202), and every refusal names the problem."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hearthline.api.deps import AppContext
from hearthline.telephony.control import ControlPlane
from hearthline.telephony.dialout import DialOut, Owed
from hearthline.telephony.media import FakeMedia
from hearthline.telephony.trunks import trunk_from_dict
from tests.api.support import Served, handle_a_call, serve

TRUNK = trunk_from_dict({"name": "carrier", "networks": ["127.0.0.1"], "outbound": "127.0.0.1"})


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = serve(f"sqlite:///{tmp_path_factory.mktemp('dial') / 'h.sqlite3'}")
    yield served
    served.stop()


@pytest.fixture
def signals(app: Served) -> Iterator[list[dict[str, object]]]:
    """Voice on, a000 holding callback cb-9 whose number may be dialled; off afterwards."""
    ctx: AppContext = app.app.state.app_context

    async def no_number(number: str) -> tuple[str, str] | None:
        return None

    sent: list[dict[str, object]] = []
    control = ControlPlane(
        writer=app.writer, media=FakeMedia(), find_number=no_number, signal=sent.append,
        tell_agent=ctx.hub.tell_agent, prompt="greeting.wav",
    )  # fmt: skip
    control.dialout = DialOut(control, trunk=TRUNK, timeout_s=300, find_line=None)
    line = ("+15550100", "acme")
    control.dialout.owed["cb-9"] = Owed("cb-9", "+441632960001", line, "returns", "a000")
    control.dialout.owed["cb-0"] = Owed("cb-0", "anonymous", line, "returns", "a000")
    ctx.voice = control
    try:
        yield sent
    finally:
        control.dialout.stop()
        ctx.voice = None


def test_an_agent_dials_their_callback_again(app: Served, signals: list[dict[str, object]]) -> None:
    a0 = app.login("a000")
    done = a0.post("/api/agent/contacts/cb-9/dial")
    assert done.status_code == 202, done.text
    assert done.json() == {"contact_id": "cb-9", "state": "dialling"}
    assert [(s["do"], s["to"], s["from"]) for s in signals] == [
        ("dial", "+441632960001", "+15550100")
    ]
    again = a0.post("/api/agent/contacts/cb-9/dial")
    assert again.status_code == 409 and "being called" in again.json()["message"]


def test_refusals_name_the_problem(app: Served, signals: list[dict[str, object]]) -> None:
    other = app.login("a001").post("/api/agent/contacts/cb-9/dial")
    assert other.status_code == 404, other.text
    assert "open callback of yours" in other.json()["message"]
    no_number = app.login("a000").post("/api/agent/contacts/cb-0/dial")
    assert no_number.status_code == 409 and "no number to dial" in no_number.json()["message"]
    bad = app.login("a000").post("/api/agent/contacts/not%20an%20id/dial")
    assert bad.status_code == 422, bad.text
    admin = app.login("admin").post("/api/agent/contacts/cb-9/dial")
    assert admin.status_code == 403, admin.text
    assert signals == [], "nothing was dialled"


def test_without_voice_the_desk_is_told_to_call_another_way(app: Served) -> None:
    contact = handle_a_call(app, "a000")
    off = app.login("a000").post(f"/api/agent/contacts/{contact}/dial")
    assert off.status_code == 409 and "voice is not on" in off.json()["message"]
    # Another agent's contact is not there for them, voice or not.
    other = app.login("a001").post(f"/api/agent/contacts/{contact}/dial")
    assert other.status_code == 404, other.text
