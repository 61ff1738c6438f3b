"""Listening in, whisper and barge: a supervisor's browser joins an agent's live call
through rtpengine's publish/subscribe (docs/voice.md, "Listening in").

    listen   the supervisor subscribes to the caller and to the agent (one subscription,
             one PeerConnection each: several parties in one duplicate ``a=mid``, which
             Chrome refuses); nobody hears the supervisor
    whisper  listen, and the supervisor's microphone is published; the agent's page
             subscribes to it: the agent hears the supervisor, the caller does not
    barge    whisper, and the agent's page mixes its microphone with the supervisor into
             what it sends (rtpengine 10.5 has no mixer): all three hear each other

The supervisor hears the agent through the agent's page, which publishes its microphone
for the session: a subscription to the agent's own leg (DTLS-SRTP, PCMU passed through)
reached the supervisor's browser as a constant signal with rtpengine 10.5, while a browser's
published microphone (as in a whisper) and the caller's plain RTP leg were heard.

The agent's page is told of a whisper or barge always, and shows a listen-in when the firm
says so (its page is asked to send its microphone either way). Every start and stop goes
to the audit log (who, contact, mode, why it stopped), and so does every switch of mode
within a session (the subscriptions stay; the supervisor's microphone is published or
dropped as the mode needs). Sessions live in memory with the call: an agent leg that ends
(hang-up, transfer, drop) ends the sessions on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from hearthline.telephony.control import LiveCall, TellAgent
from hearthline.telephony.media import CALLER

log = logging.getLogger(__name__)

_MAX_SDP = 8192
PARTIES = ("caller", "agent")


class Mode(enum.StrEnum):
    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"

    @property
    def speaks(self) -> bool:
        return self is not Mode.LISTEN


class ListenRefused(Exception):
    """A request that cannot be served: the HTTP status and the reason, for the caller."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class Coaching(Protocol):
    """What listening in needs of the media engine (``RtpEngine``, ``FakeMedia``)."""

    async def subscribe(self, call: str, from_tag: str, to_tag: str) -> str: ...

    async def subscribe_answer(self, call: str, to_tag: str, sdp: str) -> None: ...

    async def unsubscribe(self, call: str, to_tag: str) -> None: ...

    async def publish(self, call: str, tag: str, sdp: str) -> str: ...

    async def unpublish(self, call: str, tag: str) -> None: ...


class Supervisor(Protocol):
    @property
    def user_id(self) -> int: ...

    @property
    def username(self) -> str: ...


# (who, action, contact, detail) -> the audit record, written.
Audit = Callable[[Supervisor, str, str, dict[str, object]], Awaitable[None]]
# Whether the firm shows a listen-in to the agent (read at each start).
ShowListen = Callable[[], Awaitable[bool]]


@dataclass
class Session:
    id: str
    who: Supervisor
    mode: Mode
    agent: str
    contact: str
    call: str
    client: str | None
    started: float
    shown: bool
    # party -> the tag of the supervisor's subscription to it
    tags: dict[str, str] = field(default_factory=dict)
    # whisper and barge: the supervisor's published microphone, and the agent's
    # subscription to it
    published: str | None = None
    coach: str | None = None
    # the agent page's microphone, published for the supervisor
    agent_mic: str | None = None
    agent_ready: asyncio.Event = field(default_factory=asyncio.Event)
    # new tags after a re-subscription (the DTLS race) are numbered
    turns: int = 0

    def tag(self, what: str) -> str:
        self.turns += 1
        return f"listen-{self.id}-{what}-{self.turns}"


class ListenIn:
    def __init__(
        self,
        calls: Callable[[], list[LiveCall]],
        media: Coaching,
        *,
        tell_agent: TellAgent,
        audit: Audit,
        show_listen: ShowListen,
        now: Callable[[], float],
        # Under the pages' 15 s request timeout (api.js), so the refusal reaches them.
        agent_wait_s: float = 10.0,
    ) -> None:
        self.calls = calls
        self.media = media
        self.tell_agent = tell_agent
        self.audit = audit
        self.show_listen = show_listen
        self.now = now
        self.agent_wait_s = agent_wait_s
        self.sessions: dict[str, Session] = {}

    def call_of(self, agent: str) -> LiveCall | None:
        """The agent's live voice call, once connected (a ringing leg has no audio)."""
        for live in self.calls():
            if live.agent == agent and live.bridged and live.agent_tag is not None:
                return live
        return None

    async def start(
        self, who: Supervisor, live: LiveCall, mode: Mode, client: str | None
    ) -> tuple[Session, dict[str, str]]:
        """Subscribes the supervisor to both parties: the session and an offer per party."""
        assert live.agent is not None
        for other in self.sessions.values():
            if other.contact != live.contact:
                continue
            if other.who.user_id == who.user_id:
                raise ListenRefused(409, "you are already listening to this call: stop first")
            if mode.speaks and other.mode.speaks:
                raise ListenRefused(
                    409, f"{other.who.username} is already in this call ({other.mode})"
                )
        shown = mode.speaks or await self.show_listen()
        session = Session(
            uuid.uuid4().hex[:16], who, mode, live.agent, live.contact, live.call, client,
            self.now(), shown,
        )  # fmt: skip
        offers: dict[str, str] = {}
        self.sessions[session.id] = session
        try:
            # The agent's page sends its microphone (``agent_publish``) before the supervisor
            # can subscribe to it.
            notice = self._notice(session)
            notice["publish"] = session.id
            notice["shown"] = shown
            self.tell_agent(session.agent, notice)
            try:
                await asyncio.wait_for(session.agent_ready.wait(), self.agent_wait_s)
            except TimeoutError:
                raise ListenRefused(
                    409, f"the page of agent {session.agent} did not send its audio in time"
                ) from None
            with _media("subscribe to the call"):
                for party in PARTIES:
                    session.tags[party] = session.tag(party)
                    offers[party] = await self.media.subscribe(
                        live.call, self._from_tag(session, party), session.tags[party]
                    )
        except ListenRefused:
            self.sessions.pop(session.id, None)
            await self._release(session)
            self.tell_agent(session.agent, self._ending(session))
            raise
        await self.audit(who, "listen.start", live.contact, self._detail(session))
        return session, offers

    async def agent_publish(self, agent: str, ident: str, sdp: str) -> str:
        """The agent page's microphone for session ``ident``: rtpengine's answer."""
        session = self.sessions.get(ident)
        if session is None or session.agent != agent:
            raise ListenRefused(404, f"no supervisor is listening to you in session {ident!r}")
        _check_sdp(sdp)
        if session.agent_mic is not None:
            with contextlib.suppress(Exception):
                await self.media.unpublish(session.call, session.agent_mic)
        session.agent_mic = session.tag("agent-mic")
        with _media("take this offer", 422):
            answer = await self.media.publish(session.call, session.agent_mic, sdp)
        session.agent_ready.set()
        return answer

    def mine(self, who: Supervisor, ident: str) -> Session:
        session = self.sessions.get(ident)
        if session is None or session.who.user_id != who.user_id:
            raise ListenRefused(404, f"no listening session {ident!r} of yours")
        return session

    async def answer(self, who: Supervisor, ident: str, party: str, sdp: str) -> None:
        """The supervisor's browser answers its subscription to ``party``."""
        session = self.mine(who, ident)
        _check_sdp(sdp)
        tag = self._party_tag(session, party)
        with _media("take this answer", 422):
            await self.media.subscribe_answer(session.call, tag, sdp)

    async def resubscribe(self, who: Supervisor, ident: str, party: str) -> str:
        """A new subscription to ``party`` (the browser's DTLS did not come up): its offer."""
        session = self.mine(who, ident)
        old = self._party_tag(session, party)
        self._live(session)
        with contextlib.suppress(Exception):
            await self.media.unsubscribe(session.call, old)
        session.tags[party] = session.tag(party)
        with _media(f"subscribe to the {party} again"):
            return await self.media.subscribe(
                session.call, self._from_tag(session, party), session.tags[party]
            )

    async def publish(self, who: Supervisor, ident: str, sdp: str) -> str:
        """The supervisor's microphone (whisper, barge): rtpengine's answer to its offer;
        the agent's page is sent an offer to hear it."""
        session = self.mine(who, ident)
        if not session.mode.speaks:
            raise ListenRefused(409, "a listen-in sends no audio: start a whisper or a barge")
        _check_sdp(sdp)
        await self._drop_published(session)
        session.published = session.tag("mic")
        with _media("take this offer", 422):
            answer = await self.media.publish(session.call, session.published, sdp)
        with _media("offer the supervisor's audio to the agent"):
            await self._offer_agent(session)
        return answer

    async def coach_answer(self, agent: str, contact: str, sdp: str) -> str | None:
        """The agent's page answers the offer to hear the supervisor; a refusal, or None."""
        session = self._coaching(agent, contact)
        if session is None or session.coach is None:
            return f"no supervisor is speaking to you on contact {contact!r}"
        try:
            _check_sdp(sdp)
        except ListenRefused as refused:
            return refused.reason
        await self.media.subscribe_answer(session.call, session.coach, sdp)
        return None

    async def coach_again(self, agent: str, contact: str) -> None:
        """The agent's page did not connect to the supervisor's audio: a new offer."""
        session = self._coaching(agent, contact)
        if session is not None and session.published is not None:
            await self._offer_agent(session)

    async def switch(self, who: Supervisor, ident: str, mode: Mode) -> Session:
        """The session goes on in ``mode``: the same id, the same subscriptions to both
        parties and the agent page's microphone. To a listen, the supervisor's microphone
        is unpublished (the agent's page stops hearing it); to a whisper or barge from a
        listen, the browser publishes it (``publish``); between whisper and barge it stays,
        and only the agent's page changes (it mixes the supervisor into the call in a barge).
        The agent's page is told; the switch is audited (``listen.switch``)."""
        session = self.mine(who, ident)
        self._live(session)
        was = session.mode
        if mode is was:
            return session
        if mode.speaks:
            for other in self.sessions.values():
                if other is not session and other.contact == session.contact and other.mode.speaks:
                    raise ListenRefused(
                        409, f"{other.who.username} is already in this call ({other.mode})"
                    )
        session.mode = mode
        if not mode.speaks:
            await self._drop_published(session)
        session.shown = mode.speaks or await self.show_listen()
        notice = self._notice(session)
        notice["shown"] = session.shown
        notice["switched"] = str(was)
        self.tell_agent(session.agent, notice)
        detail = self._detail(session)
        detail["from"] = str(was)
        detail["seconds"] = round(self.now() - session.started, 3)
        await self.audit(who, "listen.switch", session.contact, detail)
        return session

    async def stop(self, who: Supervisor, ident: str) -> None:
        await self._end(self.mine(who, ident), reason="stopped")

    async def leg_over(self, live: LiveCall) -> None:
        """A ``ControlPlane.leg_watchers`` member: the agent's leg ended."""
        for session in [s for s in self.sessions.values() if s.contact == live.contact]:
            await self._end(session, reason="call ended")

    async def _end(self, session: Session, *, reason: str) -> None:
        if self.sessions.pop(session.id, None) is None:
            return  # ended already (the call ended as the supervisor stopped)
        await self._release(session)
        self.tell_agent(session.agent, self._ending(session))
        detail = self._detail(session)
        detail["reason"] = reason
        detail["seconds"] = round(self.now() - session.started, 3)
        await self.audit(session.who, "listen.stop", session.contact, detail)

    async def _release(self, session: Session) -> None:
        # The media may be gone with the call: what is left of the session goes anyway.
        for tag in session.tags.values():
            with contextlib.suppress(Exception):
                await self.media.unsubscribe(session.call, tag)
        await self._drop_published(session)
        if session.agent_mic is not None:
            with contextlib.suppress(Exception):
                await self.media.unpublish(session.call, session.agent_mic)
            session.agent_mic = None

    async def _drop_published(self, session: Session) -> None:
        if session.coach is not None:
            with contextlib.suppress(Exception):
                await self.media.unsubscribe(session.call, session.coach)
            session.coach = None
        if session.published is not None:
            with contextlib.suppress(Exception):
                await self.media.unpublish(session.call, session.published)
            session.published = None

    async def _offer_agent(self, session: Session) -> None:
        assert session.published is not None
        if session.coach is not None:
            with contextlib.suppress(Exception):
                await self.media.unsubscribe(session.call, session.coach)
        session.coach = session.tag("agent")
        offer = await self.media.subscribe(session.call, session.published, session.coach)
        message = self._notice(session)
        message["sdp"] = offer
        self.tell_agent(session.agent, message)

    def _coaching(self, agent: str, contact: str) -> Session | None:
        for session in self.sessions.values():
            if session.agent == agent and session.contact == contact and session.mode.speaks:
                return session
        return None

    def _live(self, session: Session) -> LiveCall:
        live = self.call_of(session.agent)
        if live is None or live.contact != session.contact:
            raise ListenRefused(409, "the call is over")
        return live

    @staticmethod
    def _party_tag(session: Session, party: str) -> str:
        tag = session.tags.get(party)
        if tag is None:
            raise ListenRefused(422, f"party must be one of {', '.join(PARTIES)}, not {party!r}")
        return tag

    @staticmethod
    def _from_tag(session: Session, party: str) -> str:
        if party == "caller":
            return CALLER
        assert session.agent_mic is not None
        return session.agent_mic

    @staticmethod
    def _notice(session: Session) -> dict[str, object]:
        return {
            "type": "voice-coach",
            "session": session.id,
            "contact": session.contact,
            "mode": str(session.mode),
            # The name the agent knows them by (a principal's display name), else the login.
            "supervisor": getattr(session.who, "display_name", "") or session.who.username,
        }

    @staticmethod
    def _ending(session: Session) -> dict[str, object]:
        return {
            "type": "voice-coach-end",
            "session": session.id,
            "contact": session.contact,
            "mode": str(session.mode),
        }

    @staticmethod
    def _detail(session: Session) -> dict[str, object]:
        return {
            "session": session.id,
            "mode": str(session.mode),
            "agent": session.agent,
            "client": session.client,
            "shown_to_agent": session.shown,
        }


@contextlib.contextmanager
def _media(doing: str, status: int = 409) -> Iterator[None]:
    """A refusal or silence of the media engine, as a refusal naming what was asked."""
    try:
        yield
    except ListenRefused:
        raise
    except Exception as exc:
        log.warning("voice: listening in: %s failed: %s", doing, exc)
        raise ListenRefused(status, f"the media engine could not {doing}: {exc}") from None


def _check_sdp(sdp: str) -> None:
    if len(sdp) > _MAX_SDP or "m=audio" not in sdp:
        raise ListenRefused(422, f"the sdp is not an audio SDP of at most {_MAX_SDP} characters")
