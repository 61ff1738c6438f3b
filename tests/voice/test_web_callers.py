"""Callers in a browser tab (``telephony/web_callers.py``) on the control plane, with a
real writer on SQLite and the fake media engine: the page's offer is parked as a trunk's
INVITE is (on WebRTC flags), refused numbers say why, the center's hang-up reaches the
page, the page's hang-up is a caller's BYE; and a server's skill requirement on real
calls (``voice_calls_require``)."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from hearthline.kernel.ids import ContactId
from hearthline.routing import commands as cmd
from hearthline.service.writer import Writer
from hearthline.store import tables
from hearthline.telephony.web_callers import Refused, WebCallers
from tests.voice.test_control import MARIA, NUMBER, SDP, Rig, _voice_events
from tests.voice.test_control import writer as writer  # the fixture

BROWSER_SDP = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=setup:actpass\r\n"


def _rig(writer: Writer) -> tuple[Rig, WebCallers]:
    rig = Rig(writer)
    web = WebCallers(rig.control)
    trunk = rig.control.signal
    rig.control.signal = lambda message: None if web.take(message) else trunk(message)
    return rig, web


def test_a_page_calls_is_parked_on_webrtc_bridged_and_hears_the_agent_hang_up(
    writer: Writer,
) -> None:
    async def scenario() -> None:
        rig, web = _rig(writer)
        runner = await rig.start_control()
        placed = await web.place(NUMBER, BROWSER_SDP, caller="call page")
        assert placed.call.startswith("web-") and "parked" in placed.sdp
        assert rig.media.log[0] == ("park_browser", placed.call)
        assert rig.signals == []  # nothing of it went to the B2BUA
        live = rig.control.calls[placed.call]
        assert live.caller == "call page"

        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        await writer.execute_async(cmd.AcceptOffer(MARIA, ContactId(live.contact)))
        await rig.settle()
        assert await rig.control.browser_answer("a-maria", live.contact, SDP) is None

        ended = asyncio.get_running_loop().create_task(web.ended(placed.call))
        await writer.execute_async(cmd.EndContact(MARIA, ContactId(live.contact)))
        await rig.settle()
        await asyncio.wait_for(ended, 5)
        assert web.calls == {}
        assert rig.media.log[-1] == ("end", placed.call)
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == ["CallAnswered", "CallBridged", "CallEnded"]


def test_a_page_that_hangs_up_while_queued_abandons_and_keys_go_to_the_call(
    writer: Writer,
) -> None:
    async def scenario() -> None:
        rig, web = _rig(writer)
        runner = await rig.start_control()
        placed = await web.place(NUMBER, BROWSER_SDP, caller="call page")
        keys: list[tuple[str, str]] = []

        async def on_dtmf(call: str, key: str) -> None:
            keys.append((call, key))

        rig.control.on_dtmf = on_dtmf  # type: ignore[method-assign]
        for key in ("1", "#", "x", "12"):
            await web.key(placed.call, key)
        await web.key("web-not-a-call", "1")
        assert keys == [(placed.call, "1"), (placed.call, "#")]

        await web.hang_up(placed.call)
        await rig.settle()
        assert web.calls == {} and rig.control.calls == {}
        assert rig.media.log[-1] == ("end", placed.call)
        await web.hang_up(placed.call)  # twice: nothing more happens
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == ["CallAnswered", "CallEnded"]
    with writer.engine.connect() as conn:
        types = list(conn.execute(select(tables.events.c.type)).scalars())
    assert "ContactAbandoned" in types


@pytest.mark.parametrize(
    ("number", "sdp", "says"),
    [
        ("+19990000", BROWSER_SDP, "'+19990000' is not one of the center's numbers"),
        (NUMBER, "v=0\r\n", "the offer has no audio the center can take"),
    ],
)
def test_a_call_the_center_cannot_take_is_refused_saying_why(
    writer: Writer, number: str, sdp: str, says: str
) -> None:
    async def scenario() -> None:
        rig, web = _rig(writer)
        with pytest.raises(Refused) as refused:
            await web.place(number, sdp, caller="call page")
        assert str(refused.value) == says
        assert web.calls == {} and rig.signals == []

    asyncio.run(scenario())
    assert _voice_events(writer) == []


def test_real_calls_carry_the_servers_skill_requirement(writer: Writer) -> None:
    async def scenario() -> None:
        rig = Rig(writer)
        rig.control.requirement = "returns>=4"
        await rig.control.on_signal({"event": "invite", "call": "r1", "to": NUMBER, "sdp": SDP})

    asyncio.run(scenario())
    with writer.engine.connect() as conn:
        payload = conn.execute(
            select(tables.events.c.payload).where(tables.events.c.type == "ContactArrived")
        ).scalar_one()
    arrived = payload if isinstance(payload, dict) else json.loads(payload)
    assert arrived["requirement"] == "returns>=4"
