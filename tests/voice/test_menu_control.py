"""Menus on the control plane, against a real writer on SQLite and the fake media engine:
digits and timeouts walk the flow, the log measures each node, and the menu's end
queues the contact with its data, calls back, or ends the call."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hearthline.kernel.ids import AgentId, CampaignId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing.config import Overflow, OverflowKind, QueueConfig
from hearthline.routing.domain import LiveRouting
from hearthline.service.configuration import update_queue
from hearthline.service.writer import Writer
from hearthline.store import tables
from hearthline.telephony import voicemail
from hearthline.telephony.control import ControlPlane
from hearthline.telephony.media import FakeMedia
from hearthline.telephony.menu_calls import MAX_DIGITS, MenuPlan
from hearthline.voice.domain import LiveVoice
from hearthline.voice.menus import Flow, Node
from tests.voice.rig import seeded_writer

NUMBER = "+15550200"
SDP = "v=0\r\nm=audio 4000 RTP/AVP 0\r\n"
FLOW = Flow(
    start="main",
    operator="returns",
    closed="closed",
    nodes=(
        Node("main", "menu", prompt="welcome", invalid_prompt="sorry", timeout_s=1.0,
             retries=1, options=(("1", "returns"), ("2", "account"), ("3", "expert"))),
        Node("returns", "queue", queue="returns", sets=(("language", "en"), ("priority", "7"))),
        Node("expert", "queue", queue="returns", sets=(("skill", "returns>=3"),)),
        Node("account", "collect", prompt="account", min_digits=3, max_digits=3,
             next="known", timeout_s=1.0),
        Node("known", "queue", queue="returns"),
        Node("closed", "menu", prompt="closed", timeout_s=1.0, retries=0,
             options=(("1", "callback"), ("2", "voicemail")), fallback="bye"),
        Node("voicemail", "voicemail", queue="returns", prompt="bye"),
        Node("callback", "callback", queue="returns", prompt="bye"),
        Node("bye", "hangup", prompt="bye"),
    ),
)  # fmt: skip


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[Writer]:
    with seeded_writer(tmp_path / "menus.sqlite3", seed=5) as writer:
        yield writer


class Files:
    def joined(self, files: list[str]) -> str:
        return "+".join(files)

    def seconds(self, file: str) -> float:
        return 0.0


class Rig:
    def __init__(self, writer: Writer, *, closed: bool = False) -> None:
        self.media = FakeMedia()
        self.signals: list[dict[str, object]] = []
        self.lookups: list[tuple[str, str, str]] = []

        async def find_number(number: str) -> tuple[str, str] | None:
            return None

        async def find_menu(number: str) -> MenuPlan | None:
            if number != NUMBER:
                return None
            names = ("welcome", "sorry", "account", "closed", "bye")
            return MenuPlan(
                FLOW, "acme", closed=closed, before=("/p/outage.wav",),
                prompts={n: f"/p/{n}.wav" for n in names},
            )  # fmt: skip

        async def look_up(client: str, kind: str, digits: str) -> str | None:
            self.lookups.append((client, kind, digits))
            return "cust-42" if digits == "123" else None

        self.control = ControlPlane(
            writer=writer, media=self.media, find_number=find_number,
            signal=self.signals.append, tell_agent=lambda agent, message: None,
            prompt="/p/greeting.wav", find_menu=find_menu, look_up=look_up, files=Files(),
        )  # fmt: skip

    async def call(self, call: str) -> None:
        await self.control.on_signal(
            {"event": "invite", "call": call, "from": "+441632960001", "to": NUMBER, "sdp": SDP}
        )

    async def press(self, call: str, keys: str) -> None:
        for key in keys:
            await self.control.on_dtmf(call, key)


def _rows(writer: Writer, kind: str) -> list[dict[str, Any]]:

    with writer.engine.connect() as conn:
        rows = conn.execute(
            select(tables.events.c.payload).where(tables.events.c.type == kind)
        ).scalars()
        return [json.loads(r) for r in rows]


def _queued(writer: Writer, contact: str) -> Any:
    return writer.query(lambda s: s.part(LiveRouting).router.contact(contact))


def test_the_caller_hears_the_announcement_presses_1_and_is_queued_with_the_data(
    writer: Writer,
) -> None:
    async def scenario() -> str:
        rig = Rig(writer)
        await rig.call("m1")
        assert rig.media.log[1] == ("play_once", "m1", "/p/outage.wav+/p/welcome.wav")
        assert rig.signals[0]["do"] == "answer"
        await rig.press("m1", "1")
        assert ("stop_play", "m1") in rig.media.log  # callers may press during the prompt
        assert rig.media.log[-1] == ("play", "m1", "/p/greeting.wav")
        return rig.control.calls["m1"].contact

    contact = asyncio.run(scenario())
    detail = _queued(writer, contact)
    assert (detail.queue, detail.priority) == ("returns", 7)
    [arrived] = _rows(writer, "ContactArrived")
    assert dict(arrived["data"]) == {"language": "en"}
    visits = _rows(writer, "MenuVisited")
    assert [(v["node"], v["how"], v["number"]) for v in visits] == [
        ("main", "option:1", NUMBER),
        ("returns", "queue", NUMBER),
    ]


def test_invalid_input_then_a_timeout_reach_the_operator(writer: Writer) -> None:
    async def scenario() -> str:
        rig = Rig(writer)
        await rig.call("m2")
        await rig.press("m2", "7")
        assert rig.media.log[-1] == ("play_once", "m2", "/p/sorry.wav+/p/welcome.wav")
        await asyncio.sleep(1.3)  # the node's 1 s timeout, its last retry
        return rig.control.calls["m2"].contact

    contact = asyncio.run(scenario())
    assert _queued(writer, contact).queue == "returns"
    [visit] = _rows(writer, "MenuVisited")
    assert (visit["node"], visit["how"], visit["invalids"], visit["timeouts"]) == (
        "main",
        "timeout",
        1,
        1,
    )
    assert visit["at"] - visit["entered_at"] >= 1.0


def test_zero_reaches_a_person(writer: Writer) -> None:
    async def scenario() -> None:
        rig = Rig(writer)
        await rig.call("m3")
        await rig.press("m3", "0")

    asyncio.run(scenario())
    assert [v["how"] for v in _rows(writer, "MenuVisited")] == ["zero-out"]


def test_an_account_number_identifies_the_customer_before_an_agent_answers(
    writer: Writer,
) -> None:
    async def scenario() -> tuple[str, list[tuple[str, str, str]]]:
        rig = Rig(writer)
        await rig.call("m4")
        await rig.press("m4", "2999123")
        return rig.control.calls["m4"].contact, rig.lookups

    contact, lookups = asyncio.run(scenario())
    assert lookups == [("acme", "account", "999"), ("acme", "account", "123")]
    assert _queued(writer, contact).customer == "cust-42"


def test_closed_hours_offer_a_callback_that_keeps_the_place_then_goodbye(
    writer: Writer,
) -> None:
    async def scenario() -> Rig:
        rig = Rig(writer, closed=True)
        await rig.call("m5")
        assert rig.media.log[1] == ("play_once", "m5", "/p/outage.wav+/p/closed.wav")
        await rig.press("m5", "1")
        await asyncio.sleep(0.1)  # the goodbye (no audio here), then the BYE
        return rig

    rig = asyncio.run(scenario())
    assert rig.signals[-1] == {"do": "hangup", "call": "m5"}
    assert ("end", "m5") in rig.media.log
    with writer.engine.connect() as conn:
        kinds = [r[0] for r in conn.execute(select(tables.events.c.type)).all()]
    assert "ContactConvertedToCallback" in kinds
    assert kinds[-1] == "CallEnded"


def test_a_caller_hanging_up_in_the_menu_is_counted_and_never_reaches_the_core(
    writer: Writer,
) -> None:
    async def scenario() -> None:
        rig = Rig(writer)
        await rig.call("m6")
        await rig.control.on_signal({"event": "hangup", "call": "m6"})
        assert rig.control.calls == {}
        assert [s["do"] for s in rig.signals] == ["answer"]  # no BYE to a caller who left

    asyncio.run(scenario())
    assert [v["how"] for v in _rows(writer, "MenuVisited")] == ["hangup"]
    assert [e["by"] for e in _rows(writer, "CallEnded")] == ["caller"]
    assert _rows(writer, "ContactArrived") == []
    assert writer.part(LiveVoice).switchboard.calls == {}


def test_a_flood_of_digits_is_bounded_and_not_keys_are_ignored(writer: Writer) -> None:
    async def scenario() -> Rig:
        rig = Rig(writer)
        await rig.call("m7")
        await rig.press("m7", "x")  # not a key
        await rig.press("m7", "2")
        await rig.press("m7", "5" * (MAX_DIGITS * 2))
        return rig

    rig = asyncio.run(scenario())
    lookups = len(rig.lookups)
    assert 0 < lookups <= MAX_DIGITS // 3


def test_a_voicemail_is_recorded_and_owed_a_callback_until_the_caller_hangs_up(
    writer: Writer,
) -> None:
    async def scenario() -> Rig:
        rig = Rig(writer, closed=True)
        await rig.call("m8")
        await rig.press("m8", "2")
        await asyncio.sleep(0.05)  # recording starts once the leaf's prompt has played
        assert ("record", "m8") in rig.media.log
        assert "m8" in rig.control.calls  # still recording
        await rig.control.on_signal({"event": "hangup", "call": "m8"})
        await asyncio.sleep(0.1)
        return rig

    rig = asyncio.run(scenario())
    assert rig.control.calls == {}
    [arrived] = _rows(writer, "ContactArrived")[:1]
    assert dict(arrived["data"]) == {"voicemail": "m8"}
    assert _rows(writer, "ContactConvertedToCallback") != []
    assert [e["by"] for e in _rows(writer, "CallEnded")] == ["caller"]


def test_a_skill_the_menu_sets_is_required_the_call_goes_to_the_agent_who_has_it(
    writer: Writer,
) -> None:
    # Tom (returns 1) has waited longest, so a plain returns call is his; "3" asks for
    # returns>=3, which only Maria has.
    writer.execute(cmd.SignIn(AgentId("a-tom"), ready=True))
    writer.execute(cmd.SignIn(AgentId("a-maria"), ready=True))

    async def scenario() -> tuple[str, str]:
        rig = Rig(writer)
        await rig.call("m9")
        await rig.press("m9", "3")
        await rig.call("m10")
        await rig.press("m10", "1")
        return rig.control.calls["m9"].contact, rig.control.calls["m10"].contact

    expert, plain = asyncio.run(scenario())
    offers = {o["contact"]: o["agent"] for o in _rows(writer, "ContactOffered")}
    assert offers == {expert: "a-maria", plain: "a-tom"}
    arrived = {a["contact"]: a for a in _rows(writer, "ContactArrived")}
    assert arrived[expert]["requirement"] == "returns>=3"
    assert dict(arrived[expert]["data"]) == {"skill": "returns>=3"}
    assert arrived[plain]["requirement"] is None


def test_a_skill_no_signed_in_agent_has_keeps_the_call_waiting_for_one(writer: Writer) -> None:
    writer.execute(cmd.SignIn(AgentId("a-tom"), ready=True))

    async def scenario() -> str:
        rig = Rig(writer)
        await rig.call("m11")
        await rig.press("m11", "3")
        return rig.control.calls["m11"].contact

    contact = asyncio.run(scenario())
    assert _queued(writer, contact).state == "queued"
    assert _rows(writer, "ContactOffered") == []
    writer.execute(cmd.SignIn(AgentId("a-maria"), ready=True))
    assert [(o["contact"], o["agent"]) for o in _rows(writer, "ContactOffered")] == [
        (contact, "a-maria")
    ]


PLAIN = "+15550201"  # a number with no menu: straight to the returns queue


async def _settled(control: ControlPlane) -> None:
    """Waits for the call's own work (the announcement's end, then queueing) to finish."""
    while control._tasks:
        await asyncio.wait(set(control._tasks))


class PlainRig:
    """A number without a menu, with an announcement switched on for its queue (as the
    server reads them: per call, for the number's client and queue)."""

    def __init__(self, writer: Writer, *, seconds: float) -> None:
        self.media = FakeMedia()
        self.signals: list[dict[str, object]] = []
        self.asked: list[tuple[str, str]] = []

        async def find_number(number: str) -> tuple[str, str] | None:
            return ("returns", "acme") if number == PLAIN else None

        async def find_announcements(client: str, queue: str) -> tuple[str, ...]:
            self.asked.append((client, queue))
            return ("/p/outage.wav", "/p/storm.wav")

        class Timed(Files):
            def seconds(self, file: str) -> float:
                return seconds

        self.control = ControlPlane(
            writer=writer, media=self.media, find_number=find_number,
            signal=self.signals.append, tell_agent=lambda agent, message: None,
            prompt="/p/greeting.wav", files=Timed(), find_announcements=find_announcements,
        )  # fmt: skip

    async def call(self, call: str) -> None:
        await self.control.on_signal(
            {"event": "invite", "call": call, "from": "+441632960002", "to": PLAIN, "sdp": SDP}
        )


def test_an_announcement_plays_before_queueing_on_a_number_without_a_menu(
    writer: Writer,
) -> None:
    async def scenario() -> tuple[PlainRig, str, list[dict[str, Any]]]:
        rig = PlainRig(writer, seconds=0.3)
        await rig.call("p1")
        contact = rig.control.calls["p1"].contact
        # Played once, both messages joined, before the greeting; not yet queued.
        assert rig.media.log[1] == ("play_once", "p1", "/p/outage.wav+/p/storm.wav")
        assert ("play", "p1", "/p/greeting.wav") not in rig.media.log
        queued_meanwhile = _rows(writer, "ContactArrived")
        await _settled(rig.control)  # queued when the message ends
        return rig, contact, queued_meanwhile

    rig, contact, meanwhile = asyncio.run(scenario())
    assert rig.asked == [("acme", "returns")]
    assert meanwhile == []
    assert rig.media.log[-1] == ("play", "p1", "/p/greeting.wav")
    assert _queued(writer, contact).queue == "returns"
    [answered] = _rows(writer, "CallAnswered")
    assert answered["number"] == PLAIN


def test_a_caller_who_hangs_up_during_the_announcement_is_never_queued(writer: Writer) -> None:
    async def scenario() -> PlainRig:
        rig = PlainRig(writer, seconds=0.3)
        await rig.call("p2")
        await rig.control.on_signal({"event": "hangup", "call": "p2"})
        await _settled(rig.control)  # past the announcement's end: nothing may queue the call
        return rig

    rig = asyncio.run(scenario())
    assert rig.control.calls == {}
    assert _rows(writer, "ContactArrived") == []
    assert [e["by"] for e in _rows(writer, "CallEnded")] == ["caller"]
    assert ("play", "p2", "/p/greeting.wav") not in rig.media.log


def test_without_an_announcement_a_plain_number_greets_and_queues_at_once(
    writer: Writer,
) -> None:
    async def scenario() -> PlainRig:
        rig = PlainRig(writer, seconds=0.3)

        async def none(client: str, queue: str) -> tuple[str, ...]:
            return ()

        rig.control.find_announcements = none
        await rig.call("p3")
        return rig

    rig = asyncio.run(scenario())
    assert [entry[0] for entry in rig.media.log] == ["park", "play"]
    assert len(_rows(writer, "ContactArrived")) == 1


@pytest.mark.parametrize("kind", [OverflowKind.VOICEMAIL, OverflowKind.CALLBACK])
def test_a_menu_option_into_a_full_queue_sends_no_greeting_before_or_after_its_prompt(
    writer: Writer, monkeypatch: pytest.MonkeyPatch, kind: OverflowKind
) -> None:
    """The option has no prompt of its own, so the greeting would follow the arrival at
    once; the queue is full, and the control plane follows the overflow on its own time.
    Here it follows it only after the digit's work is done (the worst order): the greeting
    must still never go out."""
    monkeypatch.setattr(voicemail, "VOICEMAIL_S", 0.3)
    update_queue(
        writer,
        QueueConfig(
            QueueId("returns"), CampaignId("acme-returns"), max_length=0, on_full=Overflow(kind)
        ),
    )

    async def scenario() -> Rig:
        rig = Rig(writer)
        rig.control.voicemail_prompt = "/p/voicemail.wav"
        rig.control.callback_prompt = "/p/callback.wav"
        rig.control.attach()  # events wait in the inbox until ``run`` reads them
        await rig.call("m20")
        await rig.press("m20", "1")
        assert ("play", "m20", "/p/greeting.wav") not in rig.media.log
        runner = asyncio.get_running_loop().create_task(rig.control.run())
        while "m20" in rig.control.calls:  # the center's BYE ends it
            await asyncio.sleep(0.01)
        await _settled(rig.control)  # the call's end written to the log
        runner.cancel()
        return rig

    rig = asyncio.run(scenario())
    prompt = "/p/voicemail.wav" if kind is OverflowKind.VOICEMAIL else "/p/callback.wav"
    after_menu = rig.media.log[rig.media.log.index(("stop_play", "m20")) + 1 :]
    assert after_menu[0] == ("play_once", "m20", prompt)
    assert ("play", "m20", "/p/greeting.wav") not in rig.media.log
    assert rig.signals[-1] == {"do": "hangup", "call": "m20"}
    [overflowed] = _rows(writer, "ContactOverflowed")
    assert overflowed["destination"]["kind"] == kind.value


def test_a_callback_leaf_into_a_full_queue_that_calls_back_ends_as_the_overflow_says(
    writer: Writer,
) -> None:
    """The core turned the arrival into its callback already: the leaf asks for none
    again, and the center hangs up once, after the overflow's prompt."""
    update_queue(
        writer,
        QueueConfig(
            QueueId("returns"), CampaignId("acme-returns"), max_length=0,
            on_full=Overflow(OverflowKind.CALLBACK),
        ),
    )  # fmt: skip

    class Timed(Files):
        def seconds(self, file: str) -> float:
            return 0.5 if file == "/p/callback.wav" else 0.0

    async def scenario() -> tuple[Rig, float]:
        rig = Rig(writer, closed=True)
        rig.control.callback_prompt = "/p/callback.wav"
        rig.control.files = Timed()
        loop = asyncio.get_running_loop()
        runner = loop.create_task(rig.control.run())
        await rig.call("m21")
        pressed = loop.time()
        await rig.press("m21", "1")
        while "m21" in rig.control.calls:
            await asyncio.sleep(0.01)
        took = loop.time() - pressed
        await _settled(rig.control)  # the call's end written to the log
        runner.cancel()
        return rig, took

    rig, took = asyncio.run(scenario())
    # The BYE waited for the overflow's prompt (the leaf's goodbye, 0 s here, did not end it).
    assert took >= 0.45, took
    log = rig.media.log
    assert ("play_once", "m21", "/p/callback.wav") in log
    assert log.index(("play_once", "m21", "/p/callback.wav")) < log.index(("end", "m21"))
    assert [s for s in rig.signals if s["do"] == "hangup"] == [{"do": "hangup", "call": "m21"}]
    assert len(_rows(writer, "ContactConvertedToCallback")) == 1
    assert [e["by"] for e in _rows(writer, "CallEnded")] == ["system"]
