"""Callbacks dialled out: when an agent accepts a voice callback, the customer is called
through the trunk and, once they answer, joined to the agent as an inbound caller is.

    ContactArrived (callback)  -> noted: the number to dial (the contact's caller), and
                                  the center's number they first called, from their call
    OfferAccepted (callback)   -> media.dial; DialCall; "dial" to the B2BUA; the desk
                                  shows "Dialling"; a timer for no answer
    B2BUA "ringing"            -> the desk shows "Ringing"
    B2BUA "answered"           -> media.dialled; RecordDialOutcome("answered"); then the
                                  agent's leg exactly as for an inbound call (voice-offer)
    B2BUA "failed" / the timer -> RecordDialOutcome busy (486, 600), failed (any other
                                  status, or none), no-answer (CANCEL); the desk says so
                                  and the agent dials again (``redial``) or hangs up and
                                  gives the contact its outcome in the wrap-up

A callback whose number is not one to dial (a withheld or unknown caller) stays as
before: no call, and the desk says so. What is noted here is for live contacts only (a
callback this server did not see arrive, say before a restart, is read from the routing
core's live state when accepted); the log holds every attempt through the voice
domain's events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hearthline.kernel.ids import ContactId
from hearthline.routing import events as ev
from hearthline.routing.config import Channel
from hearthline.routing.domain import LiveRouting
from hearthline.routing.states import ContactState
from hearthline.service.state import LiveState
from hearthline.telephony.engines import NoMediaEngine
from hearthline.telephony.trunks import Trunk
from hearthline.voice.commands import DialCall, RecordDialOutcome
from hearthline.voice.errors import VoiceError

if TYPE_CHECKING:
    from hearthline.telephony.control import ControlPlane, LiveCall

log = logging.getLogger(__name__)

# A queue to the center's number its callers dial and its client, or None.
FindLine = Callable[[str], Awaitable[tuple[str, str] | None]]

BUSY = frozenset({486, 600})
# A callback still to be dialled or talked to (not finished, not in its wrap-up).
_OPEN = frozenset({ContactState.OFFERED, ContactState.CONNECTED, ContactState.ON_HOLD})
_DIALABLE = re.compile(r"\+?[0-9]{3,20}")
_KEEP = 10_000  # callbacks noted at once; past it the oldest are forgotten


def dialable(number: str) -> str | None:
    """The number to put in the INVITE (spaces, dots, dashes and brackets dropped), or
    None when there is none to dial ("anonymous", a SIP URI's name, empty)."""
    cleaned = re.sub(r"[\s().-]", "", number)
    return cleaned if _DIALABLE.fullmatch(cleaned) else None


@dataclass
class Owed:
    """A callback contact, as far as dialling it goes."""

    contact: str
    number: str
    # The center's number the customer called and its client, when their call was ours.
    line: tuple[str, str] | None = None
    queue: str = ""
    agent: str | None = None


class DialOut:
    def __init__(
        self,
        control: ControlPlane,
        *,
        trunk: Trunk | None,
        timeout_s: float,
        find_line: FindLine | None,
    ) -> None:
        self.control = control
        self.trunk = trunk
        self.timeout_s = timeout_s
        self.find_line = find_line
        self.owed: dict[str, Owed] = {}
        # The no-answer timers, by call: cancelled once the call is answered or over.
        self.timers: dict[str, asyncio.Task[None]] = {}
        # Contacts whose dial is being set up (before their call is noted): a second
        # Dial again meanwhile is refused rather than dialling twice.
        self.starting: set[str] = set()

    # Events of the center ------------------------------------------------------------------

    def arrived(self, event: ev.ContactArrived) -> None:
        if len(self.owed) >= _KEEP:
            self.owed.pop(next(iter(self.owed)))
        origin = self.control.by_contact.get(event.origin or "")
        line = (origin.number, origin.client) if origin and origin.number else None
        self.owed[event.contact] = Owed(event.contact, event.caller, line=line)

    def queued(self, event: ev.ContactQueued) -> None:
        owed = self.owed.get(event.contact)
        if owed is not None:
            owed.queue = event.queue

    async def accepted(self, contact: str, agent: str) -> None:
        owed = self.owed.get(contact) or await self._read(contact)
        if owed is None:
            return  # not a callback: another channel's contact, as before
        owed.agent = agent
        await self.dial(owed)

    async def _read(self, contact: str) -> Owed | None:
        """A callback this control plane did not see arrive (made before a restart), as
        the core holds it now; noted from now on."""
        found = await asyncio.to_thread(self.control.writer.query, _callback(contact))
        if found is None:
            return None
        caller, queue, agent = found
        owed = self.owed[contact] = Owed(contact, caller, queue=queue, agent=agent)
        return owed

    def over(self, contact: str) -> None:
        """The contact ended or left the agent (transfer): nothing more to dial."""
        self.owed.pop(contact, None)

    # Dialling ------------------------------------------------------------------------------

    async def redial(self, agent: str, contact: str) -> tuple[int, str] | None:
        """The agent dials their callback again; (HTTP status, reason) when they cannot."""
        owed = self.owed.get(contact) or await self._read(contact)
        if owed is None or owed.agent != agent:
            return 404, f"no callback of yours is open as contact {contact!r}"
        if contact in self.control.by_contact or contact in self.starting:
            return 409, "the customer is being called or is on the line already"
        refusal = await self.dial(owed)
        return None if refusal is None else (409, refusal)

    async def dial(self, owed: Owed) -> str | None:
        """Calls the customer for ``owed.agent``; the reason it cannot, told to the desk too."""
        self.starting.add(owed.contact)
        try:
            return await self._dial(owed)
        finally:
            self.starting.discard(owed.contact)

    async def _dial(self, owed: Owed) -> str | None:
        agent = owed.agent
        assert agent is not None
        number = dialable(owed.number)
        line = owed.line
        if line is None and self.find_line is not None and owed.queue:
            line = await self.find_line(owed.queue)
        refusal = None
        if number is None:
            refusal = "no number to dial for this callback: call the customer another way"
        elif self.trunk is None:
            refusal = "no trunk dials out on this server: call the customer another way"
        elif line is None:
            refusal = f"no number of the center leads to queue {owed.queue!r} to call from"
        if refusal is not None or number is None or line is None or self.trunk is None:
            self._tell(agent, owed.contact, "not-dialled", text=refusal or "")
            return refusal
        caller_id, client = line
        control = self.control
        call = f"{uuid.uuid4().hex}@hearthline"
        try:
            offer = await control.media.dial(call)
        except Exception as exc:
            if isinstance(exc, NoMediaEngine):  # an outage, said in one line
                log.warning("voice: not dialled for %s: %s", owed.contact, exc)
            else:
                log.exception("voice: the media engine could not dial for %s", owed.contact)
            with contextlib.suppress(Exception):
                await control.media.end(call)
            self._tell(agent, owed.contact, "failed", code=0, text="the media engine failed")
            return "the media engine could not take the call"
        from hearthline.telephony.control import LiveCall  # control imports this module

        live = LiveCall(call, owed.contact, "", queue=owed.queue, caller=number, answer=offer)
        live.number, live.client, live.dialling = caller_id, client, True
        live.dialled_for = agent
        control.calls[call] = live
        control.by_contact[owed.contact] = live
        try:
            await control.writer.execute_async(
                DialCall(call, contact=owed.contact, client=client, agent=agent,
                         number=number, caller_id=caller_id, trunk=self.trunk.name)
            )  # fmt: skip
        except VoiceError as exc:
            control.calls.pop(call, None)
            control.by_contact.pop(owed.contact, None)
            with contextlib.suppress(Exception):
                await control.media.end(call)
            self._tell(agent, owed.contact, "not-dialled", text=str(exc))
            return str(exc)
        control.signal(
            {"do": "dial", "call": call, "trunk": self.trunk.name, "to": number,
             "from": caller_id, "sdp": offer}
        )  # fmt: skip
        self._tell(agent, owed.contact, "dialling", number=number)
        task = asyncio.get_running_loop().create_task(self._no_answer(live))
        self.timers[call] = task
        task.add_done_callback(lambda _: self.timers.pop(call, None))
        return None

    async def _no_answer(self, live: LiveCall) -> None:
        await asyncio.sleep(self.timeout_s)
        if live.dialling and self.control.calls.get(live.call) is live:
            self.timers.pop(live.call, None)  # not cancelled by its own ending
            self.control.signal({"do": "hangup", "call": live.call})  # CANCEL
            try:
                await self._over(live, "no-answer", 0)
            except Exception:
                log.exception("voice: could not end the unanswered call to %s", live.contact)

    def stop_timer(self, call: str) -> None:
        task = self.timers.pop(call, None)
        if task is not None:
            task.cancel()

    def stop(self) -> None:
        for task in list(self.timers.values()):
            task.cancel()

    # Signals of the B2BUA ------------------------------------------------------------------

    async def ringing(self, live: LiveCall) -> None:
        if live.dialling and live.dialled_for is not None:
            self._tell(live.dialled_for, live.contact, "ringing", number=live.caller)

    async def answered(self, live: LiveCall, sdp: str) -> None:
        control = self.control
        if not live.dialling or live.dialled_for is None:
            return
        live.dialling = False
        self.stop_timer(live.call)
        live.caller_sdp = sdp
        self.control.remember(live)
        try:
            await control.media.dialled(live.call, sdp)
        except Exception:
            log.exception("voice: the media engine refused %s's answer", live.contact)
            control.signal({"do": "hangup", "call": live.call})
            await self._over(live, "failed", 200)
            return
        with contextlib.suppress(VoiceError):
            await control.writer.execute_async(RecordDialOutcome(live.call, "answered", 200))
        self._tell(live.dialled_for, live.contact, "answered", number=live.caller)
        # Recorded as the campaign's policy says; then the customer hears the consent
        # prompt before the agent joins, as a caller does before anything else.
        consent = await control.consent(live, live.client, live.answer)
        if consent and control.files is not None:
            seconds = await control.play_once(live.call, list(consent))
            control.spawn(self._ring_after(live, seconds))
            return
        await control.ring_agent(live, live.dialled_for)

    async def _ring_after(self, live: LiveCall, seconds: float) -> None:
        await asyncio.sleep(seconds)
        # Whom the callback is for then: a consult's handover meanwhile rang its new agent
        # already (``live.agent``), and they are not rung twice.
        agent = live.dialled_for
        here = self.control.calls.get(live.call) is live and not live.caller_gone
        if here and agent is not None and live.agent is None:
            await self.control.ring_agent(live, agent)

    async def failed(self, live: LiveCall, code: int) -> None:
        if live.dialling:
            await self._over(live, "busy" if code in BUSY else "failed", code)

    async def _over(self, live: LiveCall, outcome: str, code: int) -> None:
        control = self.control
        live.dialling = False
        self.stop_timer(live.call)
        control.calls.pop(live.call, None)
        control.by_contact.pop(live.contact, None)
        with contextlib.suppress(Exception):
            await control.media.end(live.call)
        with contextlib.suppress(VoiceError):
            await control.writer.execute_async(RecordDialOutcome(live.call, outcome, code))
        if live.dialled_for is not None:
            self._tell(live.dialled_for, live.contact, outcome, code=code, number=live.caller)

    def _tell(self, agent: str, contact: str, state: str, **more: object) -> None:
        self.control.tell_agent(
            agent, {"type": "voice-dial", "contact": contact, "state": state, **more}
        )


def _callback(contact: str) -> Callable[[LiveState], tuple[str, str, str | None] | None]:
    """A read of the core's live state: the open callback's number, queue and agent."""

    def read(state: LiveState) -> tuple[str, str, str | None] | None:
        found = state.part(LiveRouting).router.contacts.get(ContactId(contact))
        if found is None or found.channel is not Channel.CALLBACK or found.state not in _OPEN:
            return None
        agent = str(found.agent) if found.agent is not None else None
        return str(found.caller), str(found.queue or ""), agent

    return read
