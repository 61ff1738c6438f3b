"""Callers walking a menu on a real call: DTMF digits (RFC 2833, reported by rtpengine)
and timers drive the voice domain's ``Walker``; its steps become prompts played once,
measured visits in the log, and at the end a queued contact, a callback, a voicemail or
a goodbye.

    invite to a number with a flow -> announcements, then the first node's prompt
    digit   -> the prompt stops (callers may press ahead), Walker.digit
    timer   -> Walker.timeout (the wait counts from the end of the prompt)
    lookup  -> the account number checked in the client's records, Walker.checked
    ending  -> queue: ArriveContact (priority, data, customer, the skill set as the
               contact's requirement) and the greeting loop;
               callback: ArriveContact + RequestCallback, a goodbye, BYE;
               voicemail: a callback owed with the recording's call id, the caller is
               recorded from the end of the leaf's prompt until they hang up (at most
               2 minutes), the message assembled and filed under the callback
               (``voicemail.take_message``);
               hangup: the leaf's prompt, then BYE
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from hearthline.kernel.envelope import Envelope
from hearthline.kernel.ids import ContactId, CustomerId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from hearthline.routing.config import OverflowKind
from hearthline.routing.errors import RoutingError
from hearthline.telephony import prompts
from hearthline.telephony.voicemail import finish_after, take_message
from hearthline.voice.commands import EndCall, RecordMenuVisit
from hearthline.voice.errors import VoiceError
from hearthline.voice.menus import Ending, Flow, Step, Walker

if TYPE_CHECKING:
    from hearthline.telephony.control import ControlPlane, LiveCall

log = logging.getLogger(__name__)

# Keys beyond this many in one call are ignored: a flood cannot keep the menu busy.
MAX_DIGITS = 200
DTMF_KEYS = "0123456789*#"


@dataclass(frozen=True, slots=True)
class MenuPlan:
    """What a caller of one number walks, as read when they call."""

    flow: Flow
    client: str
    closed: bool = False
    # Files of the announcements switched on for the client (or the operator's queue).
    before: tuple[str, ...] = ()
    # Prompt name -> file
    prompts: Mapping[str, str] = field(default_factory=dict)


FindMenu = Callable[[str], Awaitable[MenuPlan | None]]
# (client, lookup kind, digits) -> the customer's id, or None
LookUp = Callable[[str, str, str], Awaitable[str | None]]


class PromptFiles(Protocol):
    def joined(self, files: list[str]) -> str:
        """One file playing ``files`` in turn."""
        ...

    def seconds(self, file: str) -> float: ...


@dataclass
class InMenu:
    plan: MenuPlan
    walker: Walker
    timer: asyncio.TimerHandle | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    keys: int = 0


class MenuDriver:
    def __init__(self, control: ControlPlane, files: PromptFiles, look_up: LookUp) -> None:
        self.control = control
        self.files = files
        self.look_up = look_up

    async def start(self, live: LiveCall, plan: MenuPlan) -> None:
        now = self.control.writer.clock.now()
        walker = Walker(plan.flow)
        live.menu = InMenu(plan, walker)
        step = walker.start(now, closed=plan.closed)
        await self._follow(live, step, before=list(plan.before))

    async def digit(self, live: LiveCall, key: str) -> None:
        menu = live.menu
        if menu is None or key not in DTMF_KEYS or len(key) != 1:
            return
        menu.keys += 1
        if menu.keys > MAX_DIGITS:
            return
        async with menu.lock:
            if live.menu is not menu:
                return  # the menu ended while this key waited
            self._cancel_timer(menu)
            with contextlib.suppress(Exception):
                await self.control.media.stop_play(live.call)
            step = menu.walker.digit(key, self.control.writer.clock.now())
            await self._follow(live, step)

    async def _timeout(self, live: LiveCall, menu: InMenu) -> None:
        async with menu.lock:
            if live.menu is not menu:
                return
            menu.timer = None
            await self._follow(live, menu.walker.timeout(self.control.writer.clock.now()))

    async def hang_up(self, live: LiveCall) -> None:
        """The caller hung up in the menu: the visit is measured and the call ends."""
        menu = live.menu
        if menu is None:
            return
        self._cancel_timer(menu)
        live.menu = None
        step = menu.walker.hang_up(self.control.writer.clock.now())
        await self._record(live, step)
        await self.control.finish(live, by="caller")

    def stop(self, live: LiveCall) -> None:
        if live.menu is not None:
            self._cancel_timer(live.menu)
            live.menu = None

    # ----------------------------------------------------------------------------------------

    async def _follow(self, live: LiveCall, step: Step, *, before: list[str] | None = None) -> None:
        menu = live.menu
        assert menu is not None
        await self._record(live, step)
        if step.lookup is not None:
            kind, digits = step.lookup
            customer = None
            try:
                customer = await self.look_up(menu.plan.client, kind, digits)
            except Exception:
                log.exception("voice: the %s lookup failed", kind)
            step = menu.walker.checked(customer, self.control.writer.clock.now())
            await self._follow(live, step)
            return
        files = [*(before or []), *self._files(menu.plan, step.play)]
        seconds = await self._play(live, files)
        if step.end is not None:
            self._cancel_timer(menu)
            live.menu = None
            await self._leave(live, menu.plan, step.end, after_s=seconds)
        elif step.wait_s is not None:
            loop = asyncio.get_running_loop()
            menu.timer = loop.call_later(
                seconds + step.wait_s,
                lambda: self.control.spawn(self._timeout(live, menu)),
            )

    def _files(self, plan: MenuPlan, names: tuple[str, ...]) -> list[str]:
        return [plan.prompts[n] for n in names if n in plan.prompts]

    async def _play(self, live: LiveCall, files: list[str]) -> float:
        if not files:
            return 0.0
        file = files[0] if len(files) == 1 else self.files.joined(files)
        try:
            await self.control.media.play_once(live.call, file)
        except Exception:
            log.exception("voice: could not play %s to %s", file, live.call)
            return 0.0
        return self.files.seconds(file)

    async def _record(self, live: LiveCall, step: Step) -> None:
        for visit in step.visits:
            with contextlib.suppress(VoiceError):
                await self.control.writer.execute_async(
                    RecordMenuVisit(
                        live.call, node=visit.node[:40], entered_at=visit.entered_at,
                        how=visit.how[:32], timeouts=visit.timeouts, invalids=visit.invalids,
                    )
                )  # fmt: skip

    async def _leave(self, live: LiveCall, plan: MenuPlan, end: Ending, *, after_s: float) -> None:
        if end.kind == "hangup":
            if end.node == "":
                return  # the caller left; hang_up has ended the call
            self.control.spawn(finish_after(self.control, live, after_s))
            return
        assert end.queue is not None
        live.queue = end.queue
        data = tuple((k, v) for k, v in end.data if k != "priority")
        if end.kind == "voicemail":
            data += (("voicemail", live.call),)
        # The skill a node set is the contact's requirement: only agents with it are offered
        # the call (and it stays in the data, for the desk).
        live.requirement = dict(end.data).get("skill") or live.requirement
        arrive = cmd.ArriveContact(
            ContactId(live.contact),
            caller=live.caller,
            queue=QueueId(end.queue),
            priority=max(-1000, min(1000, end.priority)),
            data=data,
            customer=CustomerId(end.customer) if end.customer else None,
            requirement=live.requirement,
        )
        try:
            stored = await self.control.writer.execute_async(arrive)
        except RoutingError as exc:
            # A requirement the core refuses (a flow stored before it was checked): the
            # caller is queued without it rather than left in silence.
            log.warning("voice: %s queued without its requirement: %s", live.contact, exc)
            live.requirement = None
            arrive = dataclasses.replace(arrive, requirement=None)
            stored = await self.control.writer.execute_async(arrive)
        if live.overflowed or _sent_out(stored, live.contact):
            # A full queue sent the caller out (voicemail, a callback): its prompt is theirs
            # to hear and its end is the call's, as the control plane follows that event.
            # The events of the arrival say so now, where ``live.overflowed`` may not yet:
            # no greeting goes out before or after that prompt, and no leaf's callback or
            # goodbye is added to the core's.
            return
        if end.kind == "queue":
            if after_s == 0.0:
                await self.control.media.play(live.call, self.control.prompt)
            else:
                self.control.spawn(self._greet_after(live, after_s))
            return
        callback = None
        try:  # callback, voicemail: the core keeps the caller's place for the callback
            stored = await self.control.writer.execute_async(
                cmd.RequestCallback(ContactId(live.contact))
            )
            callback = next(
                (str(e.event.callback) for e in stored
                 if isinstance(e.event, ev.ContactConvertedToCallback)),
                None,
            )  # fmt: skip
        except RoutingError as exc:
            log.warning("voice: no callback for %s: %s", live.contact, exc)
        if end.kind == "voicemail":
            # The message starts after the leaf's prompt ("leave a message after the tone");
            # no callback owed (refused by the core): nobody to leave a message for.
            take_message(self.control, live, client=plan.client, contact=callback,
                         after_s=after_s)  # fmt: skip
            return
        # Not awaited: the caller's hang-up, queued behind this call's other signals,
        # must not wait for the goodbye.
        self.control.spawn(finish_after(self.control, live, after_s))

    async def _greet_after(self, live: LiveCall, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if live.agent is None and not live.overflowed and live.call in self.control.calls:
            with contextlib.suppress(Exception):
                await self.control.media.play(live.call, self.control.prompt)

    @staticmethod
    def _cancel_timer(menu: InMenu) -> None:
        if menu.timer is not None:
            menu.timer.cancel()
            menu.timer = None


def _sent_out(stored: Iterable[Envelope], contact: str) -> bool:
    """Whether these events send ``contact`` out of the center at once (its queue full)."""
    return any(
        isinstance(e.event, ev.ContactOverflowed)
        and e.event.contact == contact
        and e.event.destination.kind is not OverflowKind.QUEUE
        for e in stored
    )


async def end_in_menu(control: ControlPlane, live: LiveCall, *, by: str) -> None:
    """Ends a call that never reached the routing core (no contact to end there)."""
    control.calls.pop(live.call, None)
    control.by_contact.pop(live.contact, None)
    with contextlib.suppress(Exception):
        await control.media.end(live.call)
    if by != "caller":
        control.signal({"do": "hangup", "call": live.call})
    with contextlib.suppress(VoiceError):
        await control.writer.execute_async(EndCall(live.call, by=by))


class PromptCache:
    """Joined prompts made once into ``directory`` (named by what they join), and each
    file's length read once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._seconds: dict[str, float] = {}

    def joined(self, files: list[str]) -> str:
        name = hashlib.sha256("\n".join(files).encode()).hexdigest()[:24]
        self.directory.mkdir(parents=True, exist_ok=True)
        return str(prompts.joined([Path(f) for f in files], self.directory / f"{name}.wav"))

    def seconds(self, file: str) -> float:
        if file not in self._seconds:
            try:
                self._seconds[file] = prompts.seconds_of(Path(file))
            except (OSError, EOFError, ValueError):
                self._seconds[file] = 0.0
        return self._seconds[file]


class DtmfListener(asyncio.DatagramProtocol):
    """rtpengine's DTMF reports (``dtmf-log-dest``): one JSON datagram per key, after the
    key is released, ``{"callid", "source_tag", "event", ...}``. Only the caller's keys
    count; 10 is '*', 11 is '#'."""

    def __init__(self, control: ControlPlane) -> None:
        self.control = control

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) > 4096:
            return
        try:
            report = json.loads(data)
            call, event, side = report["callid"], int(report["event"]), report.get("source_tag")
        except (ValueError, KeyError, TypeError):
            return
        if side not in (None, "caller") or not isinstance(call, str) or not 0 <= event <= 11:
            return
        self.control.spawn(
            self.control.on_dtmf(call, "*#"[event - 10] if event > 9 else str(event))
        )
