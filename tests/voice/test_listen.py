"""Listening in on the control plane's calls with the fake media engine: what is asked of
rtpengine per mode, what the agent's page is told, the audit records, and that an agent
leg that ends takes the sessions on it along (before the call's media goes)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hearthline.service.writer import Writer
from hearthline.telephony.control import ControlPlane, LiveCall
from hearthline.telephony.listen import ListenIn, ListenRefused, Mode, Supervisor
from hearthline.telephony.media import FakeMedia
from tests.voice.rig import seeded_writer

SDP = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"


@dataclass(frozen=True)
class Who:
    user_id: int
    username: str


ANNA, BEN = Who(7, "anna"), Who(8, "ben")


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[Writer]:
    with seeded_writer(tmp_path / "listen.sqlite3", seed=3) as writer:
        yield writer


class Rig:
    def __init__(self, writer: Writer, *, show: bool = True, page: bool = True) -> None:
        self.media = FakeMedia()
        self.told: list[tuple[str, dict[str, object]]] = []
        self.pages: list[asyncio.Task[str]] = []
        self.audited: list[tuple[str, str, str, dict[str, object]]] = []

        async def no_number(number: str) -> tuple[str, str] | None:
            return None

        async def audit(
            who: Supervisor, action: str, contact: str, detail: dict[str, object]
        ) -> None:
            self.audited.append((who.username, action, contact, detail))

        async def show_listen() -> bool:
            return show

        def tell_agent(agent: str, message: dict[str, object]) -> None:
            self.told.append((agent, message))
            if page and "publish" in message:  # the agent's page sends its microphone
                publish = self.listen.agent_publish(agent, str(message["publish"]), SDP)
                self.pages.append(asyncio.get_running_loop().create_task(publish))

        self.control = ControlPlane(
            writer=writer, media=self.media, find_number=no_number, signal=lambda m: None,
            tell_agent=tell_agent, prompt="greeting.wav",
        )  # fmt: skip
        self.listen = ListenIn(
            lambda: list(self.control.calls.values()), self.media,
            tell_agent=self.control.tell_agent, audit=audit, show_listen=show_listen,
            now=lambda: 100.0, agent_wait_s=0.5,
        )  # fmt: skip
        self.control.leg_watchers.append(self.listen.leg_over)
        self.live = LiveCall(
            "call-1", "k-1", SDP, agent="a-maria", agent_tag="agent-t", bridged=True
        )
        self.control.calls["call-1"] = self.live
        self.control.by_contact["k-1"] = self.live


def test_a_listen_in_subscribes_to_each_party_and_is_shown_and_audited(writer: Writer) -> None:
    rig = Rig(writer)

    async def scenario() -> None:
        session, offers = await rig.listen.start(ANNA, rig.live, Mode.LISTEN, "acme")
        assert set(offers) == {"caller", "agent"}
        subscribed = [e for e in rig.media.log if e[0] == "subscribe"]
        # One subscription per party: the caller's tag, and the microphone the agent's page
        # published for the session.
        published = [e for e in rig.media.log if e[0] == "publish"]
        assert len(published) == 1 and "-agent-mic-" in published[0][2]
        assert [e[2] for e in subscribed] == ["caller", published[0][2]]
        await rig.listen.answer(ANNA, session.id, "caller", SDP)
        await rig.listen.answer(ANNA, session.id, "agent", SDP)
        with pytest.raises(ListenRefused, match="a listen-in sends no audio") as refused:
            await rig.listen.publish(ANNA, session.id, SDP)
        assert refused.value.status == 409
        await rig.listen.stop(ANNA, session.id)
        assert rig.listen.sessions == {}

    asyncio.run(scenario())
    unsubscribed = {e[2] for e in rig.media.log if e[0] == "unsubscribe"}
    assert unsubscribed == {e[3] for e in rig.media.log if e[0] == "subscribe"}
    assert [e[0] for e in rig.media.log if "mic" in e[-1]] == ["publish", "unpublish"]
    assert [(a, m["type"], m["mode"]) for a, m in rig.told] == [
        ("a-maria", "voice-coach", "listen"),
        ("a-maria", "voice-coach-end", "listen"),
    ]
    assert [(who, action, contact) for who, action, contact, _ in rig.audited] == [
        ("anna", "listen.start", "k-1"),
        ("anna", "listen.stop", "k-1"),
    ]
    assert rig.audited[0][3]["mode"] == "listen" and rig.audited[0][3]["agent"] == "a-maria"
    assert rig.audited[1][3]["reason"] == "stopped"


def test_a_listen_in_is_hidden_from_the_agent_when_the_firm_says_so(writer: Writer) -> None:
    rig = Rig(writer, show=False)

    async def scenario() -> None:
        session, _ = await rig.listen.start(ANNA, rig.live, Mode.LISTEN, "acme")
        assert not session.shown
        await rig.listen.stop(ANNA, session.id)
        # A whisper is always shown.
        session, _ = await rig.listen.start(ANNA, rig.live, Mode.WHISPER, "acme")
        assert session.shown

    asyncio.run(scenario())
    # The page is asked for its microphone, and told not to show the listen-in.
    asked = [m for _, m in rig.told if m["type"] == "voice-coach"]
    assert [(m["mode"], m["shown"]) for m in asked] == [("listen", False), ("whisper", True)]
    assert rig.audited[0][3]["shown_to_agent"] is False


def test_a_whisper_publishes_the_supervisor_and_the_agent_page_subscribes(
    writer: Writer,
) -> None:
    rig = Rig(writer)

    async def scenario() -> None:
        session, _ = await rig.listen.start(ANNA, rig.live, Mode.WHISPER, "acme")
        answer = await rig.listen.publish(ANNA, session.id, SDP)
        assert "published" in answer
        offer = rig.told[-1][1]
        assert offer["type"] == "voice-coach" and offer["mode"] == "whisper"
        assert "subscribe" in str(offer["sdp"])
        assert await rig.listen.coach_answer("a-maria", "k-1", SDP) is None
        assert await rig.listen.coach_answer("a-other", "k-1", SDP) == (
            "no supervisor is speaking to you on contact 'k-1'"
        )
        # A second supervisor may listen, not speak as well.
        with pytest.raises(ListenRefused, match="anna is already in this call"):
            await rig.listen.start(BEN, rig.live, Mode.BARGE, "acme")
        other, _ = await rig.listen.start(BEN, rig.live, Mode.LISTEN, "acme")
        # Only the session's owner may use it.
        with pytest.raises(ListenRefused) as refused:
            await rig.listen.stop(BEN, session.id)
        assert refused.value.status == 404
        with pytest.raises(ListenRefused) as refused:
            await rig.listen.answer(ANNA, session.id, "nobody", SDP)
        assert refused.value.status == 422
        with pytest.raises(ListenRefused) as refused:
            await rig.listen.answer(ANNA, session.id, "caller", "not an sdp")
        assert refused.value.status == 422
        assert other.id in rig.listen.sessions

    asyncio.run(scenario())
    published = [e for e in rig.media.log if e[0] == "publish" and "-agent-mic-" not in e[2]]
    assert len(published) == 1
    coach = [e for e in rig.media.log if e[0] == "subscribe" and e[2] == published[0][2]]
    assert len(coach) == 1, "the agent's page subscribes to the supervisor's microphone"
    assert ("subscribe_answer", "call-1", coach[0][3]) in rig.media.log


def test_the_sessions_end_with_the_call_before_its_media(writer: Writer) -> None:
    rig = Rig(writer)

    async def scenario() -> None:
        session, _ = await rig.listen.start(ANNA, rig.live, Mode.BARGE, "acme")
        await rig.listen.publish(ANNA, session.id, SDP)
        await rig.listen.start(BEN, rig.live, Mode.LISTEN, "acme")
        await rig.control._end(rig.live, by="agent")

    asyncio.run(scenario())
    assert rig.listen.sessions == {}
    stops = [(who, d["reason"]) for who, action, _, d in rig.audited if action == "listen.stop"]
    assert sorted(stops) == [("anna", "call ended"), ("ben", "call ended")]
    kinds = [e[0] for e in rig.media.log]
    assert kinds.index("unpublish") < kinds.index("end")
    assert max(i for i, k in enumerate(kinds) if k == "unsubscribe") < kinds.index("end")
    ended = [m for _, m in rig.told if m["type"] == "voice-coach-end"]
    assert {m["mode"] for m in ended} == {"barge", "listen"}


def test_an_agent_page_that_did_not_connect_gets_a_new_offer(writer: Writer) -> None:
    rig = Rig(writer)

    async def scenario() -> None:
        session, _ = await rig.listen.start(ANNA, rig.live, Mode.WHISPER, "acme")
        await rig.listen.publish(ANNA, session.id, SDP)
        first = session.coach
        await rig.listen.coach_again("a-maria", "k-1")
        assert session.coach != first
        offer = await rig.listen.resubscribe(ANNA, session.id, "caller")
        assert "caller" in offer

    asyncio.run(scenario())
    offers = [m for _, m in rig.told if "sdp" in m]
    assert len(offers) == 2


def test_an_agent_page_that_sends_no_audio_refuses_the_listen_in(writer: Writer) -> None:
    rig = Rig(writer, page=False)

    async def scenario() -> None:
        with pytest.raises(ListenRefused, match="did not send its audio in time") as refused:
            await rig.listen.start(ANNA, rig.live, Mode.LISTEN, "acme")
        assert refused.value.status == 409

    asyncio.run(scenario())
    assert rig.listen.sessions == {}
    assert rig.audited == []
    assert [m["type"] for _, m in rig.told] == ["voice-coach", "voice-coach-end"]


def test_switching_mode_keeps_the_session_and_its_subscriptions_and_is_audited(
    writer: Writer,
) -> None:
    rig = Rig(writer, show=False)

    async def scenario() -> None:
        session, _ = await rig.listen.start(ANNA, rig.live, Mode.LISTEN, "acme")
        subscribed = [e for e in rig.media.log if e[0] == "subscribe"]
        assert not session.shown  # the firm hides listen-ins
        # listen -> whisper: the same session; the browser then publishes its microphone.
        same = await rig.listen.switch(ANNA, session.id, Mode.WHISPER)
        assert same is session and (session.mode, session.shown) == (Mode.WHISPER, True)
        assert rig.told[-1][1] == {
            "type": "voice-coach", "session": session.id, "contact": "k-1", "mode": "whisper",
            "supervisor": "anna", "shown": True, "switched": "listen",
        }  # fmt: skip
        await rig.listen.publish(ANNA, session.id, SDP)
        mic = session.published
        assert mic is not None and rig.told[-1][1]["sdp"]
        # A second supervisor listening may not start speaking while anna speaks.
        other, _ = await rig.listen.start(BEN, rig.live, Mode.LISTEN, "acme")
        with pytest.raises(ListenRefused, match="anna is already in this call") as refused:
            await rig.listen.switch(BEN, other.id, Mode.BARGE)
        assert refused.value.status == 409 and other.mode is Mode.LISTEN
        # whisper -> barge: the microphone and the agent's subscription to it stay.
        coach = session.coach
        await rig.listen.switch(ANNA, session.id, Mode.BARGE)
        assert (session.published, session.coach) == (mic, coach)
        assert rig.told[-1][1]["mode"] == "barge" and "sdp" not in rig.told[-1][1]
        # The same mode again changes nothing and is not audited.
        assert await rig.listen.switch(ANNA, session.id, Mode.BARGE) is session
        # barge -> listen: the microphone unpublished, the listen hidden again.
        await rig.listen.switch(ANNA, session.id, Mode.LISTEN)
        assert session.published is None and session.coach is None and not session.shown
        assert ("unpublish", "call-1", mic) in rig.media.log
        assert ("unsubscribe", "call-1", coach) in rig.media.log
        # ben may speak now.
        await rig.listen.switch(BEN, other.id, Mode.WHISPER)
        # Never subscribed to the parties again: the caller twice (anna's start, ben's),
        # and anna's tags are those of her start.
        assert len([e for e in rig.media.log if e[0] == "subscribe" and e[2] == "caller"]) == 2
        assert session.tags == {"caller": subscribed[0][3], "agent": subscribed[1][3]}
        # Another supervisor's session, or one that ended: not found.
        with pytest.raises(ListenRefused) as refused:
            await rig.listen.switch(BEN, session.id, Mode.WHISPER)
        assert refused.value.status == 404
        await rig.listen.stop(ANNA, session.id)
        with pytest.raises(ListenRefused) as refused:
            await rig.listen.switch(ANNA, session.id, Mode.WHISPER)
        assert refused.value.status == 404

    asyncio.run(scenario())
    anna = [
        (action, d["mode"], d.get("from")) for who, action, _, d in rig.audited if who == "anna"
    ]
    assert anna == [
        ("listen.start", "listen", None),
        ("listen.switch", "whisper", "listen"),
        ("listen.switch", "barge", "whisper"),
        ("listen.switch", "listen", "barge"),
        ("listen.stop", "listen", None),
    ]
    switched = [d for _, action, _, d in rig.audited if action == "listen.switch"]
    assert [d["shown_to_agent"] for d in switched] == [True, True, False, True]
    assert all(d["session"] for d in switched)
