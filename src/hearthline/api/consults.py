"""Consult transfers on the server: the consult's audio beside the control plane, and the
agent pages' messages about it over their streams (docs/voice.md, "Consult transfer";
the messages are listed in ``telephony/consult.py``)."""

from __future__ import annotations

import functools
import json
import logging

from hearthline.api.deps import AppContext
from hearthline.api.page_answers import hand_answer, offer_again
from hearthline.telephony.consult import ConsultAudio, Joining
from hearthline.telephony.control import ControlPlane

log = logging.getLogger(__name__)


def attach(ctx: AppContext, control: ControlPlane, media: Joining) -> ConsultAudio:
    """A ``ConsultAudio`` following ``control``'s calls, ended with the asker's leg."""
    audio = ConsultAudio(media, control.tell_agent)
    control.consult_watchers.append(audio.follow)
    control.leg_watchers.append(audio.leg_over)
    ctx.consult_audio = audio
    return audio


async def page_publish(ctx: AppContext, agent: str, text: str) -> str:
    """The page's microphone for its consult: rtpengine's answer, or a notice."""
    message = json.loads(text)
    contact, sdp = message.get("contact"), message.get("sdp")
    audio = ctx.consult_audio
    if audio is None:
        refusal: str | None = "voice is not on in this server"
    elif not isinstance(contact, str) or not isinstance(sdp, str):
        refusal = 'a voice-consult-publish needs "contact" and "sdp" strings'
    else:
        try:
            refusal, answer = await audio.publish(agent, contact, sdp)
        except Exception as exc:  # the media engine refused or did not answer
            log.warning("voice: the consult microphone of %s failed: %s", agent, exc)
            refusal, answer = "the media engine could not take this offer", ""
        if refusal is None:
            return json.dumps(
                {"type": "voice-consult-published", "contact": contact, "sdp": answer}
            )
    return json.dumps({"type": "voice-error", "contact": contact, "message": refusal})


async def page_answer(ctx: AppContext, agent: str, text: str) -> str | None:
    """The page's answer to hearing the other agent; a notice for the page if refused."""
    audio = ctx.consult_audio
    take = None if audio is None else functools.partial(audio.answer, agent)
    return await hand_answer("voice-consult-answer", agent, text, take)


async def page_lost(ctx: AppContext, agent: str, text: str) -> None:
    audio = ctx.consult_audio
    again = None if audio is None else functools.partial(audio.again, agent)
    await offer_again("consult", agent, text, again)
