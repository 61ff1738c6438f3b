"""Taking over live calls from the last server (docs/voice.md, "Restarts").

rtpengine and the B2BUA outlive the server when calls are kept; the next server asks the
B2BUA for its dialogs and matches them with what the log says (the voice domain's calls,
the routing core's contacts) and with what rtpengine still carries:

    dialog with its note, its media in rtpengine, its contact live in the core
        -> the call goes on: queued callers keep their music, a connected one its agent
           (the media never stopped); hold, transfer, hang-up work as before
    no dialog any more (the caller hung up while no server was there, or the B2BUA is
    a new one), its media gone, or its contact over in the core
        -> ended in the core, with the caller's side when the B2BUA saw them go
    a dialog the log does not know: answered -> hung up; still ringing -> handled as
        the new call it is

What the log does not hold (the caller's SDP, the agent leg's tag, the queue and the
menu's requirement) the control plane keeps with each dialog in the B2BUA, as a note it
updates on every change (``ControlPlane.remember``, ``note_of``): it lives exactly as long as the
dialog it describes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from hearthline.kernel.ids import ContactId
from hearthline.routing import commands as cmd
from hearthline.routing.domain import LiveRouting
from hearthline.routing.errors import RoutingError
from hearthline.routing.states import ContactState
from hearthline.routing.views import ContactView
from hearthline.service.writer import Writer
from hearthline.telephony.control import ControlPlane, LiveCall
from hearthline.telephony.ng import NgError
from hearthline.voice.calls import Call
from hearthline.voice.commands import EndCall
from hearthline.voice.domain import LiveVoice
from hearthline.voice.errors import VoiceError

log = logging.getLogger(__name__)

HasMedia = Callable[[str], Awaitable[bool]]
_GOING_ON = frozenset(
    {ContactState.QUEUED, ContactState.OFFERED, ContactState.CONNECTED, ContactState.ON_HOLD}
)
_WITH_AGENT = frozenset({ContactState.CONNECTED, ContactState.ON_HOLD})


def _live_from(call: str, note: dict[str, Any]) -> LiveCall | None:
    try:
        live = LiveCall(
            call,
            str(note["contact"]),
            str(note["caller_sdp"]),
            queue=str(note.get("queue") or ""),
            answer=str(note.get("answer") or ""),
            caller=str(note.get("caller") or ""),
            client=str(note.get("client") or ""),
        )
    except (KeyError, TypeError):
        return None
    live.number = str(note.get("number") or "")
    requirement = note.get("requirement")
    live.requirement = requirement if isinstance(requirement, str) else None
    agent, tag = note.get("agent"), note.get("agent_tag")
    if isinstance(agent, str) and isinstance(tag, str):
        live.agent, live.agent_tag = agent, tag
        live.bridged = note.get("bridged") is True
    return live


def _state(writer: Writer) -> tuple[dict[str, Call], dict[str, ContactView]]:
    """The voice domain's live calls, and the core's view of each one's contact."""

    def read(state: Any) -> tuple[dict[str, Call], dict[str, ContactView]]:
        calls = dict(state.part(LiveVoice).switchboard.calls)
        router = state.part(LiveRouting).router
        contacts: dict[str, ContactView] = {}
        for call in calls.values():
            with contextlib.suppress(RoutingError):
                contacts[call.contact] = router.contact(call.contact)
        return calls, contacts

    return writer.query(read)


async def take_over(
    control: ControlPlane,
    dialogs: list[Any],
    *,
    has_media: HasMedia,
    b2bua_kept: bool,
) -> list[dict[str, Any]]:
    """Rebuilds ``control``'s live calls from the B2BUA's ``dialogs``; returns the
    dialogs still ringing that the log does not know, as "invite" events to handle.
    ``b2bua_kept``: the B2BUA is the last server's (else a new one: no dialog of
    the last server's survived it)."""
    calls, contacts = await asyncio.to_thread(_state, control.writer)
    by_call: dict[str, dict[str, Any]] = {
        str(d.get("call")): d for d in dialogs if isinstance(d, dict)
    }
    kept = ended = 0
    for call, known in calls.items():
        dialog = by_call.get(call)
        if call in control.calls:
            if dialog is None:  # a B2BUA started again lost it: nobody to BYE
                await _end(control, known, contacts.get(known.contact), caller_gone=True,
                           by="caller" if b2bua_kept else "system")  # fmt: skip
                ended += 1
            continue  # ours already (the B2BUA came back with it)
        note = dialog.get("note") if dialog is not None else None
        contact = contacts.get(known.contact)
        live = _live_from(call, note) if isinstance(note, dict) else None
        going_on = (
            live is not None
            and live.contact == known.contact
            and contact is not None
            and contact.state in _GOING_ON
            and await _media_there(has_media, call)
        )
        if going_on and live is not None and contact is not None:
            _adopt(control, live, contact)
            kept += 1
            continue
        # Gone: the caller hung up (the B2BUA kept no dialog), or it cannot go on.
        caller_gone = dialog is None
        by = "caller" if caller_gone and b2bua_kept else "system"
        await _end(control, known, contact, caller_gone=caller_gone, by=by)
        ended += 1
    new: list[dict[str, Any]] = []
    for call, dialog in by_call.items():
        if call in calls or call in control.calls:
            continue
        if dialog.get("answered"):
            control.signal({"do": "hangup", "call": call})  # answered by a server that
            with contextlib.suppress(Exception):  # died before the log knew of it
                await control.media.end(call)
        else:
            new.append(
                {"event": "invite", "call": call, "from": dialog.get("from", ""),
                 "to": dialog.get("to", ""), "sdp": dialog.get("sdp", "")}
            )  # fmt: skip
    log.info("voice: took over %d live call(s), ended %d, %d ringing", kept, ended, len(new))
    return new


async def _media_there(has_media: HasMedia, call: str) -> bool:
    """Whether the media engine still carries ``call``; an engine that cannot say (no
    answer, or a pool that holds no engine for a call from before the restart, docs/
    voice.md "Not done yet") counts as no: the call is ended as any whose media is
    gone, rather than the takeover stopping there and leaving the rest half taken."""
    try:
        return await has_media(call)
    except NgError as exc:
        log.warning("voice: call %s not taken over, its media engine cannot say: %s", call, exc)
        return False


def _adopt(control: ControlPlane, live: LiveCall, contact: ContactView) -> None:
    if contact.state in _WITH_AGENT and contact.agent is not None:
        if live.agent != str(contact.agent):
            live.bridged = False  # not the leg the core's agent has: rung again below
    else:
        # Queued again (its offer was rescinded by the restart): the next agent rings a
        # new leg; the last one's leg, if any, carries nothing.
        live.agent = live.agent_tag = None
        live.bridged = False
    control.calls[live.call] = live
    control.by_contact[live.contact] = live
    control.remember(live)


async def _end(
    control: ControlPlane,
    known: Call,
    contact: ContactView | None,
    *,
    caller_gone: bool,
    by: str,
) -> None:
    if contact is not None and contact.state in _GOING_ON:
        # Ended through the core, as any call is: the control plane follows its event
        # (BYE unless the caller is gone, the agent's page told, EndCall).
        live = control.calls.get(known.call) or LiveCall(
            known.call, known.contact, "", client=known.client
        )
        live.caller_gone = caller_gone
        if contact.state in _WITH_AGENT and contact.agent is not None:
            live.agent = str(contact.agent)
        control.calls[live.call] = live
        control.by_contact[live.contact] = live
        ident = ContactId(known.contact)
        with contextlib.suppress(RoutingError):
            if by == "caller":
                await control.writer.execute_async(cmd.CallerHangUp(ident))
            else:
                await control.writer.execute_async(cmd.DropContact(ident, side="system"))
        return
    held = control.calls.pop(known.call, None)
    if held is not None:
        control.by_contact.pop(held.contact, None)
    if not caller_gone:
        control.signal({"do": "hangup", "call": known.call})
    with contextlib.suppress(Exception):
        await control.media.end(known.call)
    with contextlib.suppress(VoiceError):
        await control.writer.execute_async(EndCall(known.call, by=by))
