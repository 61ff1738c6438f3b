"""An agent page's SDP answer over its stream (``voice-answer`` for the call,
``voice-coach-answer`` for a supervisor's audio), handed to the part of voice that made
the offer; what the page is told when it is refused."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# The offer's owner takes the contact and the SDP; None taken, a refusal to tell the page.
Take = Callable[[str, str], Awaitable[str | None]]


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
