"""The control plane: joins a trunk's caller to the agent the routing core chose.

It acts on the center only through the writer's commands and learns only from its
published events, as the simulated world does (``sim/live.py``):

    B2BUA "invite"  -> number -> queue; media.park; prompt; ArriveContact + AnswerCall
                       (a number without a menu: its announcements first, once, then
                       the prompt and ArriveContact)
    OfferAccepted   -> media.offer_agent -> "voice-offer" to the agent's browser
    browser answer  -> media.answer_agent; prompt stops; BridgeCall
    page's "voice-restart" (its ICE disconnected) -> media.restart_agent: a fresh offer,
                       new ICE credentials, same leg; its answer restarts ICE in place
    ContactEnded, ContactAbandoned, ContactDropped -> media.end; BYE unless the caller
                       hung up; EndCall
    ContactDropped by the agent's side (connection lost past the grace period; the page
                       reports ICE failure, and the server's silence watch an agent leg
                       that sends nothing, as a lost connection) while the caller is
                       still there -> a short message, and the caller waits again at the
                       head of the queue as a new contact naming the dropped one
                       (RequeueCall); a callback the core owed for the drop is cancelled
                       once the next agent accepts
    ContactOverflowed to voicemail (the contact is over in the core, the caller still on
                       the line) -> the voicemail prompt, the message recorded until the
                       caller hangs up (2 minutes at most) and filed under the contact
    ContactOverflowed to a callback (the core keeps a callback to the caller's number)
                       -> the callback prompt ("we will call you back"), then BYE
    ContactOverflowed to another queue -> nothing heard changes: the caller waits on, in
                       that queue (a drop's requeue goes back to it)
    B2BUA "hangup"  -> CallerHangUp (the core ends or abandons the contact, as for any caller)
    OfferAccepted for a callback -> the customer is dialled through the trunk, and joined
                       to the agent once they answer (``telephony/dialout.py``)
    ConsultAccepted, ConsultEnded -> the two agents' audio joined and parted
                       (``telephony/consult.py``; the caller is held, hearing music)
    ContactHandedOver -> the asker's leg ends and the consulted agent gets a new one, as
                       the next agent of a transfer, without a second ring

What it keeps in memory (the caller's SDP, the agent leg's tag) is for live calls only;
the log holds the legs' history through the voice domain's events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from hearthline.kernel.envelope import Envelope
from hearthline.kernel.ids import AgentId, ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from hearthline.routing.config import Channel, OverflowKind
from hearthline.routing.errors import RoutingError
from hearthline.service.writer import Writer
from hearthline.telephony.dialout import DialOut, FindLine
from hearthline.telephony.engines import NoMediaEngine
from hearthline.telephony.media import MediaEngine
from hearthline.telephony.menu_calls import (
    FindMenu,
    InMenu,
    LookUp,
    MenuDriver,
    PromptFiles,
    end_in_menu,
)
from hearthline.telephony.recording import Recorder
from hearthline.telephony.trunks import Trunk
from hearthline.telephony.voicemail import finish_after, take_message
from hearthline.voice.commands import AnswerCall, BridgeCall, EndCall, RequeueCall
from hearthline.voice.errors import VoiceError

log = logging.getLogger(__name__)

# To the B2BUA (its stdin), and to one agent's open pages.
SendSignal = Callable[[dict[str, object]], None]
TellAgent = Callable[[str, dict[str, object]], None]
# A dialled number to its queue and that queue's client, or None when it is not ours.
FindNumber = Callable[[str], Awaitable[tuple[str, str] | None]]
# (client, queue) -> the files of the announcements switched on for them, in order.
FindAnnouncements = Callable[[str, str], Awaitable[tuple[str, ...]]]
# (client, prompt name) -> the file of the client's own prompt of that name, or None.
FindPrompt = Callable[[str, str], Awaitable[str | None]]

_MAX_SDP = 8192
_ENDINGS = (ev.ContactEnded, ev.ContactAbandoned, ev.ContactDropped)
_CONSULTS = (ev.ConsultAccepted, ev.ConsultEnded, ev.ContactHandedOver)
_FOLLOWED = (
    *_CONSULTS,
    ev.OfferAccepted,
    ev.ContactHeld,
    ev.ContactResumed,
    ev.ContactTransferred,
    ev.ContactArrived,
    ev.ContactOverflowed,
    ev.ContactQueued,
    *_ENDINGS,
)
# A caller whose agent dropped goes before everyone waiting (the highest priority).
HEAD_OF_QUEUE = 1000


@dataclass
class LiveCall:
    call: str
    contact: str
    caller_sdp: str
    queue: str = ""
    # rtpengine's answer to the caller (its port marks the caller's packets in a recording).
    answer: str = ""
    caller: str = ""
    client: str = ""
    agent: str | None = None
    agent_tag: str | None = None
    caller_gone: bool = False
    bridged: bool = False
    # A fresh offer (ICE restart) is with the agent's page, its answer awaited.
    restarting: bool = False
    # The callback the core owed for a dropped leg, cancelled once the caller is taken.
    callback: str | None = None
    # Walking the number's menu; None once it has left it (or the number has none).
    menu: InMenu | None = None
    # The skill requirement the menu set, kept if the call is queued again after a drop.
    requirement: str | None = None
    # The core sent the contact out of the center (to voicemail, or a callback): the
    # caller is leaving a message or hearing the goodbye, in no queue.
    overflowed: bool = False
    # The center's number the caller dialled (or a dialled callback presents).
    number: str = ""
    # A callback dialled out: ringing the customer for ``dialled_for`` (the agent).
    dialling: bool = False
    dialled_for: str | None = None


def note_of(live: LiveCall) -> dict[str, object]:
    """What a server taking over needs of a live call beyond the log."""
    return {
        "contact": live.contact,
        "caller_sdp": live.caller_sdp,
        "queue": live.queue,
        "answer": live.answer,
        "caller": live.caller,
        "client": live.client,
        "number": live.number,
        "agent": live.agent,
        "agent_tag": live.agent_tag,
        "bridged": live.bridged,
        "requirement": live.requirement,
    }


class ControlPlane:
    def __init__(
        self,
        *,
        writer: Writer,
        media: MediaEngine,
        find_number: FindNumber,
        signal: SendSignal,
        tell_agent: TellAgent,
        prompt: str,
        music: str = "",
        reconnect: str = "",
        voicemail: str = "",
        callback: str = "",
        find_menu: FindMenu | None = None,
        look_up: LookUp | None = None,
        files: PromptFiles | None = None,
        find_announcements: FindAnnouncements | None = None,
        way_out: Trunk | None = None,
        dial_timeout_s: float = 30.0,
        find_line: FindLine | None = None,
        find_prompt: FindPrompt | None = None,
    ) -> None:
        self.writer = writer
        self.media = media
        self.find_number = find_number
        self.signal = signal
        self.tell_agent = tell_agent
        self.prompt = prompt
        self.music = music or prompt
        self.calls: dict[str, LiveCall] = {}
        self.by_contact: dict[str, LiveCall] = {}
        self.requeued: dict[str, LiveCall] = {}  # by the dropped contact's id
        self.reconnect_prompt = reconnect or self.prompt
        # Asks a caller a queue sent to voicemail for their message.
        self.voicemail_prompt = voicemail or self.prompt
        # Tells a caller a queue turned into a callback that they will be called back.
        self.callback_prompt = callback or self.prompt
        # A client's own prompt named "voicemail" or "callback" replaces the default.
        self.find_prompt = find_prompt
        self._inbox: asyncio.Queue[Envelope] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self.find_menu = find_menu
        self.find_announcements = find_announcements
        self.files = files
        self.menus = MenuDriver(self, files, look_up or _nobody) if files is not None else None
        # Told when an agent's leg ends (hang-up, transfer, drop), before the media goes:
        # listening in on that leg ends with it (``telephony/listen.py``).
        self.leg_watchers: list[Callable[[LiveCall], Awaitable[None]]] = []
        # Told a consult's events on a live call, before a handover's new leg
        # (``telephony/consult.py``).
        self.consult_watchers: list[Callable[[object, LiveCall], Awaitable[None]]] = []
        # Told the agent whose leg dropped (the core holds them disconnected): their page,
        # if it still beats, reports them back (``api/presence.py``).
        self.agent_dropped: list[Callable[[str], None]] = []
        # Recording (telephony/recording.py), when the server keeps recordings.
        self.recorder: Recorder | None = None
        # A skill requirement every real call has unless its menu sets one (the demo's
        # ``phone>=1``: only the person at the desk takes real calls).
        self.requirement: str | None = None
        self.dialout = DialOut(self, trunk=way_out, timeout_s=dial_timeout_s, find_line=find_line)
        # Keeps a live call's note with its dialog in the B2BUA, when calls outlive the
        # server (``telephony/takeover.py``); None: they do not.
        self.keep: Callable[[str, dict[str, object]], None] | None = None

    def remember(self, live: LiveCall) -> None:
        """The call's note for a server taking over, kept up to date on each change."""
        if self.keep is not None and not live.dialling:
            self.keep(live.call, note_of(live))

    async def _leg_over(self, live: LiveCall) -> None:
        for watcher in self.leg_watchers:
            try:
                await watcher(live)
            except Exception:
                log.exception("voice: a watcher of %s's leg failed", live.contact)

    # Events of the center ------------------------------------------------------------------

    def deliver(self, envelope: Envelope) -> None:
        """A writer subscriber: on the writer thread, after each commit."""
        if self._loop is not None and isinstance(envelope.event, _FOLLOWED):
            self._loop.call_soon_threadsafe(self._inbox.put_nowait, envelope)

    def attach(self) -> None:
        """Starts taking the center's events (into the inbox ``run`` reads)."""
        if self._unsubscribe is None:
            self._loop = asyncio.get_running_loop()
            self._unsubscribe = self.writer.subscribe(self.deliver)

    async def run(self) -> None:
        """Follows the center's events until cancelled."""
        self.attach()
        unsubscribe = self._unsubscribe
        assert unsubscribe is not None
        try:
            while True:
                envelope = await self._inbox.get()
                try:
                    await self._follow(envelope.event)
                except Exception:
                    log.exception("voice: could not follow %s", type(envelope.event).__name__)
        finally:
            unsubscribe()
            self._unsubscribe = None
            for task in list(self._tasks):
                task.cancel()
            self.dialout.stop()

    async def _follow(self, event: object) -> None:
        if isinstance(event, ev.ContactArrived):
            if event.channel is Channel.CALLBACK:
                self.dialout.arrived(event)
                if event.origin is not None:
                    await self._owed_callback(event.origin, event.contact)
            return
        if isinstance(event, ev.ContactQueued):
            self.dialout.queued(event)
            return
        contact = getattr(event, "contact", "")
        live = self.by_contact.get(contact)
        if isinstance(event, (ev.ContactTransferred, *_ENDINGS)):
            self.dialout.over(contact)
        if live is None:
            if isinstance(event, ev.OfferAccepted):
                await self.dialout.accepted(contact, event.agent)
            return  # not a real call (a simulated one, another channel's)
        if live.dialling and isinstance(event, (ev.ContactHeld, ev.ContactResumed)):
            return  # nobody on the line yet to play music to
        if isinstance(event, _CONSULTS):
            for watcher in self.consult_watchers:
                await watcher(event, live)
            if isinstance(event, ev.ContactHandedOver) and not live.caller_gone:
                if live.dialled_for is not None:
                    live.dialled_for = event.agent  # a dialled customer is joined to them
                if live.dialling:
                    # The customer's phone still rings: nobody has a leg yet, and their
                    # answer rings the agent the callback is now for (``dialout.py``).
                    return
                await self.hand_over(live, event.agent)
            return
        if live.dialling and isinstance(event, ev.ContactTransferred):
            # Transferred while it rings: this attempt ends (CANCEL); whoever takes the
            # callback next dials again.
            await self._end(live, by="agent")
            return
        if (
            isinstance(event, ev.ContactDropped)
            and event.side == "agent"
            and not live.caller_gone
            and not live.dialling
        ):
            await self._requeue(live)
        elif isinstance(event, ev.OfferAccepted):
            await self._cancel_callback(live)
            await self.ring_agent(live, event.agent)
        elif isinstance(event, ev.ContactHeld):
            await self.media.play(live.call, self.music)
            if self.recorder is not None:
                await self.recorder.held(live.call, True)
        elif isinstance(event, ev.ContactResumed):
            await self.media.stop_play(live.call)
            if self.recorder is not None:
                await self.recorder.held(live.call, False)
        elif isinstance(event, ev.ContactTransferred):
            await self._release_agent(live)
        elif isinstance(event, ev.ContactOverflowed):
            destination = event.destination
            if destination.kind is OverflowKind.VOICEMAIL:
                await self._to_voicemail(live)
            elif destination.kind is OverflowKind.CALLBACK:
                await self._to_callback(live)
            elif destination.queue is not None:
                # Queued there now, same music: a drop's requeue must go back there too.
                live.queue = str(destination.queue)
        elif isinstance(event, _ENDINGS):
            await self._end(live, by=_side(event))

    async def _to_voicemail(self, live: LiveCall) -> None:
        """The core sent the contact out of the center, to voicemail (a full queue, a
        wait too long): it is over there and owes no callback, but the caller is still on
        the line. They hear the voicemail prompt, then their message is recorded until they
        hang up (at most 2 minutes) and filed under this contact, the one the log says went
        to voicemail (docs/voice.md, "Voicemails")."""
        if live.overflowed or live.caller_gone:
            return
        live.overflowed = True
        seconds = await self._say(live, "voicemail", self.voicemail_prompt)
        take_message(self, live, client=live.client, contact=live.contact, after_s=seconds)

    async def _to_callback(self, live: LiveCall) -> None:
        """The core turned the contact into a callback to the caller's number (a full
        queue, a wait too long): it keeps the callback, the caller need not hold on. They
        hear the callback prompt ("we will call you back"), then the center hangs up."""
        if live.overflowed or live.caller_gone:
            return
        live.overflowed = True
        seconds = await self._say(live, "callback", self.callback_prompt)
        # Not awaited: the caller's hang-up during the prompt must not wait for its end.
        self.spawn(finish_after(self, live, seconds))

    async def _say(self, live: LiveCall, name: str, default: str) -> float:
        """Plays the client's prompt ``name`` (else ``default``) once; its length in
        seconds, 0 if it did not play (what follows it then starts at once)."""
        file = default
        if self.find_prompt is not None:
            try:
                file = await self.find_prompt(live.client, name) or default
            except Exception:  # the default says it as well
                log.exception("voice: the %s prompt of %s could not be read", name, live.client)
        return await self.play_once(live.call, [file])

    async def _release_agent(self, live: LiveCall) -> None:
        """The agent's leg ends and the caller waits with music for the next agent (a
        blind transfer): the next OfferAccepted rings that agent on a new leg."""
        await self._end_agent_leg(live)
        await self.media.play(live.call, self.music)

    async def _end_agent_leg(self, live: LiveCall) -> str | None:
        """The agent's leg ends (a transfer, a drop): listening in on it stops, their page
        is told, and the call has no agent until the next accepts. The agent it had."""
        await self._leg_over(live)
        agent = live.agent
        if agent is not None:
            self.tell_agent(agent, {"type": "voice-end", "contact": live.contact})
        live.agent, live.agent_tag, live.bridged, live.restarting = None, None, False, False
        self.remember(live)
        return agent

    async def hand_over(self, live: LiveCall, agent: str) -> None:
        """A consult ends in a handover: the asker's leg ends, and the consulted agent, who
        accepted already, gets a leg of their own (their page answers it as after an
        Accept); the caller hears the music until it is bridged."""
        await self._end_agent_leg(live)
        await self.ring_agent(live, agent)

    async def ring_agent(self, live: LiveCall, agent: str) -> None:
        live.agent = agent
        live.agent_tag = f"agent-{uuid.uuid4().hex[:12]}"
        live.bridged = live.restarting = False
        offer = await self.media.offer_agent(live.call, live.caller_sdp, live.agent_tag)
        self.remember(live)
        self.tell_agent(agent, {"type": "voice-offer", "contact": live.contact, "sdp": offer})

    async def _requeue(self, live: LiveCall) -> None:
        agent = await self._end_agent_leg(live)
        if agent is not None:
            for told in self.agent_dropped:
                told(agent)
        previous = live.contact
        live.contact = f"v{uuid.uuid4().hex}"
        self.by_contact.pop(previous, None)
        self.by_contact[live.contact] = live
        self.requeued[previous] = live
        self.remember(live)
        if self.recorder is not None:
            self.recorder.renamed(live.call, live.contact)
        await self.media.play(live.call, self.reconnect_prompt)
        await self.writer.execute_async(
            RequeueCall(live.call, contact=live.contact, previous=previous)
        )
        await self.writer.execute_async(
            cmd.ArriveContact(
                ContactId(live.contact),
                caller=live.caller,
                queue=QueueId(live.queue),
                priority=HEAD_OF_QUEUE,
                data=(("previous_contact", previous),),
                requirement=live.requirement,
            )
        )

    async def _owed_callback(self, dropped: str, callback: str) -> None:
        live = self.requeued.pop(dropped, None)
        if live is None or live.caller_gone:
            return  # the caller left: the callback stands
        live.callback = callback
        if live.agent is not None:  # taken already, before the callback was made
            await self._cancel_callback(live)

    async def _cancel_callback(self, live: LiveCall) -> None:
        if live.callback is None:
            return
        callback, live.callback = live.callback, None
        with contextlib.suppress(RoutingError):
            # The caller is being served on the line: calling them back is not owed.
            await self.writer.execute_async(cmd.CallerHangUp(ContactId(callback)))

    async def agent_leg_lost(self, agent: str, contact: str) -> None:
        """The agent's leg lost the call's media (the page saw ICE fail, or the server heard
        nothing from it: ``telephony/silence.py``): a lost connection, whose grace period
        the core applies as for missed heartbeats."""
        live = self.by_contact.get(contact)
        if live is not None and live.agent == agent:
            with contextlib.suppress(RoutingError):
                await self.writer.execute_async(cmd.ReportConnectionLost(AgentId(agent)))

    async def restart_agent_leg(self, agent: str, contact: str) -> str | None:
        """The agent's page saw its connection falter (ICE ``disconnected``): a fresh offer
        for the same leg with new ICE credentials goes to the page, whose answer restarts
        ICE on the same connection (``browser_answer``). The reason it cannot, or None."""
        live = self.by_contact.get(contact)
        if live is None or live.agent != agent or live.agent_tag is None or not live.bridged:
            return f"no call of yours is connected for contact {contact!r}"
        offer = await self.media.restart_agent(live.call, live.caller_sdp, live.agent_tag)
        live.restarting = True
        self.tell_agent(
            agent, {"type": "voice-offer", "contact": contact, "sdp": offer, "restart": True}
        )
        return None

    async def agent_leg_back(self, agent: str, contact: str) -> None:
        """The agent's leg carries media again within the grace period: the agent is back
        and the call goes on (the core's grace timer no longer drops it)."""
        live = self.by_contact.get(contact)
        if live is not None and live.agent == agent and live.bridged:
            with contextlib.suppress(RoutingError):
                await self.writer.execute_async(cmd.ReportReconnected(AgentId(agent)))

    def spawn(self, work: Awaitable[object]) -> None:
        """Runs ``work`` beside the call's other work, kept until it ends (or ``run`` stops)."""

        async def guarded() -> None:
            try:
                await work
            except Exception:
                log.exception("voice: menu work failed")

        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def finish(self, live: LiveCall, *, by: str) -> None:
        """Ends a call the menu ended (the contact is not, or no longer, with the core)."""
        if self.menus is not None:
            self.menus.stop(live)
        await end_in_menu(self, live, by=by)
        if self.recorder is not None:
            await self.recorder.ended(live.call)

    async def on_dtmf(self, call: str, key: str) -> None:
        """A key the caller pressed (RFC 2833, reported by the media engine)."""
        live = self.calls.get(call)
        if live is not None and live.menu is not None and self.menus is not None:
            await self.menus.digit(live, key)

    async def _end(self, live: LiveCall, *, by: str) -> None:
        if self.menus is not None:
            self.menus.stop(live)
        self.dialout.stop_timer(live.call)
        await self._leg_over(live)
        self.calls.pop(live.call, None)
        self.by_contact.pop(live.contact, None)
        with contextlib.suppress(Exception):
            await self.media.end(live.call)
        if self.recorder is not None:
            await self.recorder.ended(live.call)
        if not live.caller_gone:
            self.signal({"do": "hangup", "call": live.call})
        if live.agent is not None:
            self.tell_agent(live.agent, {"type": "voice-end", "contact": live.contact})
        elif live.dialling and live.dialled_for is not None:  # hung up while it rang
            self.tell_agent(
                live.dialled_for,
                {"type": "voice-dial", "contact": live.contact, "state": "cancelled"},
            )
        with contextlib.suppress(VoiceError):
            await self.writer.execute_async(EndCall(live.call, by=by))

    # Signals of the B2BUA ------------------------------------------------------------------

    async def on_signal(self, message: dict[str, Any]) -> None:
        kind = message.get("event")
        call = message.get("call")
        if not isinstance(call, str):
            return
        if kind == "invite":
            await self._invite(call, str(message.get("to", "")), message)
        elif kind == "hangup":
            await self._caller_hung_up(call)
        elif (live := self.calls.get(call)) is not None and live.dialling:
            if kind == "ringing":
                await self.dialout.ringing(live)
            elif kind == "answered":
                await self.dialout.answered(live, str(message.get("sdp", ""))[:_MAX_SDP])
            elif kind == "failed":
                code = message.get("code")
                await self.dialout.failed(live, code if isinstance(code, int) else 0)

    async def _invite(self, call: str, number: str, message: dict[str, Any]) -> None:
        sdp = str(message.get("sdp", ""))
        if len(sdp) > _MAX_SDP or "m=audio" not in sdp:
            self.signal(
                {"do": "reject", "call": call, "code": 488, "reason": "Not Acceptable Here"}
            )
            return
        plan = await self.find_menu(number) if self.find_menu is not None else None
        found = (plan.flow.operator or "", plan.client) if plan is not None else None
        if found is None:
            found = await self.find_number(number)
        if found is None:
            self.signal({"do": "reject", "call": call, "code": 404, "reason": "Not Found"})
            return
        queue, client = found
        contact = f"v{uuid.uuid4().hex}"
        try:
            # Set by the call page's relay (``telephony/web_callers.py``) only.
            park = self.media.park_browser if message.get("browser") else self.media.park
            answer = await park(call, sdp)
        except Exception as exc:
            if isinstance(exc, NoMediaEngine):  # an outage, said in one line
                log.warning("voice: call %s refused (503): %s", call, exc)
            else:
                log.exception("voice: the media engine could not take call %s", call)
            with contextlib.suppress(Exception):
                await self.media.end(call)
            self.signal(
                {"do": "reject", "call": call, "code": 503, "reason": "Service Unavailable"}
            )
            return
        caller = str(message.get("from", ""))[:64]
        live = LiveCall(
            call, contact, sdp, queue=queue, caller=caller, client=client, answer=answer
        )
        live.requirement = self.requirement
        live.number = number[:64]
        self.calls[call] = live
        self.by_contact[contact] = live
        self.signal({"do": "answer", "call": call, "sdp": answer})
        self.remember(live)
        consent = await self.consent(live, client, answer)
        if plan is not None and consent:
            plan = replace(plan, before=(*consent, *plan.before))
        if plan is not None and self.menus is not None:
            await self.writer.execute_async(
                AnswerCall(call, contact=contact, client=client, number=number[:64])
            )
            await self.menus.start(live, plan)
            return
        before = (*consent, *await self._announcements(client, queue))
        if before and self.files is not None:
            # A number without a menu: the announcements switched on for its client or
            # queue play first, once, and the caller is queued when they end (no agent
            # picks up halfway through "we know about the outage").
            await self.writer.execute_async(
                AnswerCall(call, contact=contact, client=client, number=number[:64])
            )
            seconds = await self.play_once(call, list(before))
            self.spawn(self._queue_after(live, seconds))
            return
        try:  # after the 200 OK: the greeting starts a round trip later, the answer does not wait
            await self.media.play(call, self.prompt)
        except Exception:
            log.exception("voice: no greeting for call %s", call)
        await self.writer.execute_async(
            AnswerCall(call, contact=contact, client=client, number=number[:64])
        )
        arrive = cmd.ArriveContact(
            ContactId(contact), caller=caller, queue=QueueId(queue), requirement=live.requirement
        )
        await self.writer.execute_async(arrive)

    async def consent(self, live: LiveCall, client: str, answer: str) -> tuple[str, ...]:
        """The consent prompt, when the call will be recorded (played before anything else)."""
        recorder = self.recorder
        if recorder is None or not await recorder.decide(
            live.call, live.contact, live.queue, client
        ):
            return ()
        recorder.parked(live.call, live.caller_sdp, answer)
        return (recorder.consent,) if recorder.consent else ()

    async def _announcements(self, client: str, queue: str) -> tuple[str, ...]:
        if self.find_announcements is None:
            return ()
        try:
            return await self.find_announcements(client, queue)
        except Exception:  # the caller is still served, without the message
            log.exception("voice: the announcements of %s could not be read", queue)
            return ()

    async def play_once(self, call: str, files: list[str]) -> float:
        """Plays ``files`` in turn, once; their length in seconds (0 if it did not play,
        or when no prompt files are known to measure: what follows then starts at once)."""
        if len(files) == 1:
            file = files[0]
        else:
            assert self.files is not None  # several files are joined into one
            file = self.files.joined(files)
        try:
            await self.media.play_once(call, file)
        except Exception:
            log.exception("voice: could not play %s to %s", file, call)
            return 0.0
        return self.files.seconds(file) if self.files is not None else 0.0

    async def _queue_after(self, live: LiveCall, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if live.call not in self.calls or live.caller_gone:
            return  # hung up during the announcement: never queued (see _caller_hung_up)
        with contextlib.suppress(Exception):
            await self.media.play(live.call, self.prompt)
        if live.call not in self.calls or live.caller_gone:
            return  # hung up as the greeting started
        arrive = cmd.ArriveContact(
            ContactId(live.contact),
            caller=live.caller,
            queue=QueueId(live.queue),
            requirement=live.requirement,
        )
        await self.writer.execute_async(arrive)

    async def _caller_hung_up(self, call: str) -> None:
        live = self.calls.get(call)
        if live is None:
            return
        live.caller_gone = True
        if live.menu is not None and self.menus is not None:
            await self.menus.hang_up(live)
            return
        try:
            await self.writer.execute_async(cmd.CallerHangUp(ContactId(live.contact)))
        except RoutingError:
            # The contact was over already (ended by the agent as the BYE crossed).
            await self._end(live, by="caller")

    # The agent's browser ------------------------------------------------------------------

    async def browser_answer(self, agent: str, contact: str, sdp: str) -> str | None:
        """The agent's browser answers its leg; the reason it cannot be used, or None."""
        live = self.by_contact.get(contact)
        if live is None or live.agent != agent or live.agent_tag is None:
            return f"no call of yours is ringing for contact {contact!r}"
        if live.bridged and not live.restarting:
            return "this call is connected already"
        if len(sdp) > _MAX_SDP or "m=audio" not in sdp:
            return "the answer is not an audio SDP"
        if live.restarting:
            # The answer to an ICE restart: the same leg, bridged already.
            await self.media.answer_agent(live.call, live.agent_tag, sdp)
            live.restarting = False
            return None
        await self.media.answer_agent(live.call, live.agent_tag, sdp)
        live.bridged = True
        self.remember(live)
        if live.dialled_for is None:  # a dialled customer hears no prompt to stop
            await self.media.stop_play(live.call)
        with contextlib.suppress(VoiceError):
            await self.writer.execute_async(BridgeCall(live.call, agent=agent))
        if self.recorder is not None:
            await self.recorder.bridged(live.call, sdp)
        return None


async def _nobody(client: str, kind: str, digits: str) -> str | None:
    return None


def _side(event: object) -> str:
    if isinstance(event, ev.ContactEnded):
        return "caller" if event.by == "caller" else "agent"
    if isinstance(event, ev.ContactAbandoned):
        return "caller"
    return "system"
