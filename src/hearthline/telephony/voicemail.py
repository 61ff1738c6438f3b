"""Taking a caller's message: from the end of the prompt that asks for it until the
caller hangs up, or ``VOICEMAIL_S`` at most, rtpengine records the call; the recorder
assembles the caller's side (mono) once the call ends and files it under ``contact``.

Two ways lead here: a menu's ``voicemail`` leaf (filed under the callback the core owes
for it) and a queue's overflow to voicemail (the core ends the contact there and owes no
callback: filed under that contact, the one the log says went to voicemail).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hearthline.telephony.control import ControlPlane, LiveCall

log = logging.getLogger(__name__)

VOICEMAIL_S = 120.0


def take_message(
    control: ControlPlane, live: LiveCall, *, client: str, contact: str | None, after_s: float
) -> None:
    """The message recorded from ``after_s`` seconds on (the prompt's length), and the
    call ended by the center ``VOICEMAIL_S`` later if the caller has not hung up. With no
    ``contact`` to file it under, nothing is recorded (the call still ends in time)."""
    if contact is not None:
        control.spawn(_record_after(control, live, client, contact, after_s))
    # Not awaited: the caller's hang-up, queued behind this call's other signals, must not
    # wait for the end.
    control.spawn(finish_after(control, live, after_s + VOICEMAIL_S))


async def finish_after(control: ControlPlane, live: LiveCall, seconds: float) -> None:
    """Ends the call ``seconds`` from now unless it has ended already."""
    await asyncio.sleep(seconds)
    if live.call in control.calls:
        await control.finish(live, by="system")


async def _record_after(
    control: ControlPlane, live: LiveCall, client: str, contact: str, seconds: float
) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)
    if live.call not in control.calls or live.caller_gone:
        return  # hung up during the prompt: no message
    recorder = control.recorder
    if recorder is not None:
        # Before rtpengine opens the message's pcap: the call's earlier ones are not it.
        recorder.voicemail(
            live.call, contact=contact, client=client, caller_sdp=live.caller_sdp,
            answer_sdp=live.answer,
        )  # fmt: skip
    try:
        await control.media.record(live.call)
    except Exception:  # the call goes on to its end; the recorder finds no pcap
        log.exception("voice: rtpengine would not record the voicemail of %s", live.call)
        return
    if recorder is not None:
        await recorder.voicemail_started(live.call)
