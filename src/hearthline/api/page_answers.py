"""An agent page's SDP answer over its stream (``voice-answer`` for the call,
``voice-coach-answer`` for a supervisor's audio), handed to the part of voice that made
the offer; what the page is told when it is refused. And a page's word that such audio
did not connect, for a new offer."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# The offer's owner takes the contact and the SDP; None taken, a refusal to tell the page.
Take = Callable[[str, str], Awaitable[str | None]]
# The offer's owner makes a new offer for the contact.
Again = Callable[[str], Awaitable[None]]


async def hand_answer(kind: str, agent: str, text: str, take: Take | None) -> str | None:
    """Hands the ``kind`` message ``text`` of ``agent``'s page to ``take`` (None: voice is
    off); a ``voice-error`` notice for the page when refused."""
    message = json.loads(text)
    contact, sdp = message.get("contact"), message.get("sdp")
    if take is None:
        refusal: str | None = "voice is not on in this server"
    elif not isinstance(contact, str) or not isinstance(sdp, str):
        refusal = f'a {kind} needs "contact" and "sdp" strings'
    else:
        try:
            refusal = await take(contact, sdp)
        except Exception as exc:  # the media engine refused or did not answer
            log.warning("voice: %s of %s for %s failed: %s", kind, agent, contact, exc)
            refusal = "the media engine could not take this answer"
    if refusal is None:
        return None
    return json.dumps({"type": "voice-error", "contact": contact, "message": refusal})


async def offer_again(what: str, agent: str, text: str, again: Again | None) -> None:
    """``agent``'s page did not connect to the ``what`` audio (its ``text`` names the
    contact): ``again`` makes a new offer (None: voice is off). A failure is only logged:
    nothing is said back, the page asks again while the contact lasts."""
    contact = json.loads(text).get("contact")
    if again is not None and isinstance(contact, str):
        try:
            await again(contact)
        except Exception as exc:
            log.warning("voice: no new %s offer for %s on %s: %s", what, agent, contact, exc)
