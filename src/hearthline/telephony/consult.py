"""A consult transfer's audio: the agent on a call and the colleague they asked talk to each
other while the caller, held, hears music (docs/voice.md, "Consult transfer").

rtpengine 10.5 has no mixer, so the two agents are joined as a supervisor's whisper is
(``telephony/listen.py``): each page publishes its microphone into the caller's call, and
each subscribes to the other's. The caller's leg stays as it was: the asker's leg stays
bridged and the caller hears the hold music, and neither published microphone is offered
to it. The asker's page sends silence on its call leg meanwhile (``web/static/js/
consult.js``): with its microphone still on that leg, the caller heard the asker over the
music (measured in ``tests/voice/test_real_consult.py``).

    server -> page  {"type":"voice-consult","contact":..,"publish":true,"with":AGENT}
    page -> server  {"type":"voice-consult-publish","contact":..,"sdp":..}
    server -> page  {"type":"voice-consult-published","contact":..,"sdp":..}
    server -> page  {"type":"voice-consult","contact":..,"sdp":..}   (to hear the other)
    page -> server  {"type":"voice-consult-answer","contact":..,"sdp":..}
    server -> page  {"type":"voice-consult-end","contact":..}

A handover then joins the caller to the colleague as the next agent of a transfer would
be, without a second ring (``ControlPlane.hand_over``).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Protocol

from hearthline.routing import events as ev
from hearthline.telephony.control import LiveCall, TellAgent

log = logging.getLogger(__name__)

_MAX_SDP = 8192


class Joining(Protocol):
    """What a consult needs of the media engine (``RtpEngine``, ``FakeMedia``)."""

    async def subscribe(self, call: str, from_tag: str, to_tag: str) -> str: ...

    async def subscribe_answer(self, call: str, to_tag: str, sdp: str) -> None: ...

    async def unsubscribe(self, call: str, to_tag: str) -> None: ...

    async def publish(self, call: str, tag: str, sdp: str) -> str: ...

    async def unpublish(self, call: str, tag: str) -> None: ...


@dataclass
class Consult:
    contact: str
    call: str
    asker: str
    consulted: str
    # agent -> the tag of their published microphone, and of their subscription to the other
    mics: dict[str, str] = field(default_factory=dict)
    hears: dict[str, str] = field(default_factory=dict)
    turns: int = 0

    def tag(self, agent: str, what: str) -> str:
        self.turns += 1
        return f"consult-{agent}-{what}-{self.turns}"

    def other(self, agent: str) -> str:
        return self.consulted if agent == self.asker else self.asker


class ConsultAudio:
    def __init__(self, media: Joining, tell_agent: TellAgent) -> None:
        self.media = media
        self.tell_agent = tell_agent
        self.consults: dict[str, Consult] = {}  # by contact

    async def follow(self, event: object, live: LiveCall) -> None:
        """A ``ControlPlane.event_watchers`` member: the consult's events on a live call."""
        if isinstance(event, ev.ConsultAccepted):
            await self.start(live, asker=event.asker, consulted=event.agent)
        elif isinstance(event, ev.ConsultEnded | ev.ContactHandedOver):
            await self.end(live.contact)

    async def start(self, live: LiveCall, *, asker: str, consulted: str) -> None:
        """Both pages are asked for their microphone; each then hears the other's."""
        await self.end(live.contact)
        consult = Consult(live.contact, live.call, asker, consulted)
        self.consults[live.contact] = consult
        for agent in (asker, consulted):
            self.tell_agent(
                agent,
                {
                    "type": "voice-consult",
                    "contact": live.contact,
                    "publish": True,
                    "with": consult.other(agent),
                },
            )

    async def publish(self, agent: str, contact: str, sdp: str) -> tuple[str | None, str]:
        """The page's microphone for the consult: (a refusal or None, rtpengine's answer).
        Once published, the other agent's page is offered to hear it."""
        consult = self.consults.get(contact)
        if consult is None or agent not in (consult.asker, consult.consulted):
            return f"no consult of yours is going on for contact {contact!r}", ""
        if len(sdp) > _MAX_SDP or "m=audio" not in sdp:
            return "the offer is not an audio SDP", ""
        old = consult.mics.get(agent)
        if old is not None:
            with contextlib.suppress(Exception):
                await self.media.unpublish(consult.call, old)
        tag = consult.mics[agent] = consult.tag(agent, "mic")
        answer = await self.media.publish(consult.call, tag, sdp)
        await self._offer(consult, consult.other(agent), tag)
        return None, answer

    async def _offer(self, consult: Consult, listener: str, mic: str) -> None:
        old = consult.hears.get(listener)
        if old is not None:
            with contextlib.suppress(Exception):
                await self.media.unsubscribe(consult.call, old)
        tag = consult.hears[listener] = consult.tag(listener, "hears")
        offer = await self.media.subscribe(consult.call, mic, tag)
        self.tell_agent(
            listener, {"type": "voice-consult", "contact": consult.contact, "sdp": offer}
        )

    async def answer(self, agent: str, contact: str, sdp: str) -> str | None:
        """The page's answer to the offer to hear the other agent; a refusal, or None."""
        consult = self.consults.get(contact)
        tag = consult.hears.get(agent) if consult is not None else None
        if consult is None or tag is None:
            return f"no consult is offered to you for contact {contact!r}"
        if len(sdp) > _MAX_SDP or "m=audio" not in sdp:
            return "the answer is not an audio SDP"
        await self.media.subscribe_answer(consult.call, tag, sdp)
        return None

    async def again(self, agent: str, contact: str) -> None:
        """The page did not connect to the other agent's audio: a new offer."""
        consult = self.consults.get(contact)
        if consult is None or agent not in (consult.asker, consult.consulted):
            return
        mic = consult.mics.get(consult.other(agent))
        if mic is not None:
            await self._offer(consult, agent, mic)

    async def end(self, contact: str) -> None:
        """The consult is over (a return, a handover, the call's end): both pages stop."""
        consult = self.consults.pop(contact, None)
        if consult is None:
            return
        # The media may be gone with the call: what is left of the consult goes anyway.
        for tag in consult.hears.values():
            with contextlib.suppress(Exception):
                await self.media.unsubscribe(consult.call, tag)
        for tag in consult.mics.values():
            with contextlib.suppress(Exception):
                await self.media.unpublish(consult.call, tag)
        for agent in (consult.asker, consult.consulted):
            self.tell_agent(agent, {"type": "voice-consult-end", "contact": contact})

    async def leg_over(self, live: LiveCall) -> None:
        """A ``ControlPlane.leg_watchers`` member: the asker's leg ended (the call's end)."""
        await self.end(live.contact)
