"""Callers in a browser tab (the "call the center" page): each is a call like a trunk's.

The page's WebRTC offer goes to the control plane as the B2BUA hands it a trunk's INVITE
(``"invite"``, then ``"hangup"`` when the page hangs up or goes away), and what the
control plane tells the B2BUA about such a call (``answer``, ``reject``, ``hangup``)
comes here instead, for the page. The only difference on the way is the media: rtpengine
answers the caller with WebRTC flags (``RtpEngine.park_browser``). Keys the page sends
go to the control plane as rtpengine's DTMF reports do.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from hearthline.telephony.control import ControlPlane

KEYS = frozenset("0123456789*#")
# Calls from pages at once; one more is refused (each holds a media leg on rtpengine).
MAX_CALLS = 50
_ANSWER_WAIT_S = 10.0


@dataclass(frozen=True, slots=True)
class Placed:
    call: str
    sdp: str  # rtpengine's answer, for the page


class Refused(Exception):
    """The center did not take the call (unknown number, no audio, media engine down)."""


class WebCallers:
    def __init__(self, control: ControlPlane) -> None:
        self.control = control
        # Per live call, what the control plane said of it after the answer (its hang-up).
        self.calls: dict[str, asyncio.Queue[dict[str, object]]] = {}

    def take(self, message: dict[str, object]) -> bool:
        """A signal of the control plane; True when it was for a page's call."""
        inbox = self.calls.get(str(message.get("call", "")))
        if inbox is None:
            return False
        inbox.put_nowait(message)
        return True

    async def place(self, number: str, sdp: str, *, caller: str) -> Placed:
        """Rings ``number`` with the page's offer; the answer, or ``Refused`` saying why."""
        if len(self.calls) >= MAX_CALLS:
            raise Refused(f"{MAX_CALLS} calls from call pages are live; try again later")
        call = f"web-{uuid.uuid4().hex}"
        inbox: asyncio.Queue[dict[str, object]] = asyncio.Queue()
        self.calls[call] = inbox
        message = {"event": "invite", "call": call, "to": number, "from": caller, "sdp": sdp}
        try:
            await self.control.on_signal({**message, "browser": True})
            first = await asyncio.wait_for(inbox.get(), _ANSWER_WAIT_S)
        except BaseException:
            await self.hang_up(call)
            raise
        if first.get("do") != "answer":
            self.calls.pop(call, None)
            raise Refused(_refusal(number, first))
        return Placed(call, str(first.get("sdp", "")))

    async def ended(self, call: str) -> None:
        """Returns when the center hangs up on ``call`` (the agent, or the menu)."""
        inbox = self.calls.get(call)
        while inbox is not None:
            message = await inbox.get()
            if message.get("do") == "hangup":
                self.calls.pop(call, None)
                return

    async def key(self, call: str, key: str) -> None:
        if call in self.calls and key in KEYS:
            await self.control.on_dtmf(call, key)

    async def hang_up(self, call: str) -> None:
        """The page hung up (or closed): as a trunk caller's BYE."""
        if self.calls.pop(call, None) is not None:
            await self.control.on_signal({"event": "hangup", "call": call})


def _refusal(number: str, message: dict[str, object]) -> str:
    code = message.get("code")
    if code == 404:
        return f"{number!r} is not one of the center's numbers"
    if code == 488:
        return "the offer has no audio the center can take"
    return f"the center could not take the call ({code} {message.get('reason', '')})".strip()
