"""Listening in on the server: the ``ListenIn`` beside the control plane, its audit, and
the agent page's answers to a supervisor's audio over its stream (docs/voice.md,
"Listening in").

    server -> agent page  {"type":"voice-coach","session":..,"contact":..,"mode":..,
                           "supervisor":..,"publish":SESSION,"shown":bool}   (send the microphone)
    agent page -> server  {"type":"voice-coach-publish","session":..,"sdp":..}
    server -> agent page  {"type":"voice-coach-published","session":..,"sdp":..}
    server -> agent page  {"type":"voice-coach","session":..,"contact":..,"mode":..,"sdp":..}
                           (whisper, barge: the offer to hear the supervisor)
    agent page -> server  {"type":"voice-coach-answer","contact":..,"sdp":..}
    agent page -> server  {"type":"voice-coach-lost","contact":..}  (a new offer follows)
    server -> agent page  {"type":"voice-coach-end","session":..,"contact":..}
"""

from __future__ import annotations

import functools
import json
import logging

from hearthline.api.deps import AppContext
from hearthline.api.page_answers import hand_answer, offer_again
from hearthline.service.actions import listening as actions
from hearthline.store.queries import config as config_q
from hearthline.telephony.control import ControlPlane
from hearthline.telephony.listen import Coaching, ListenIn, ListenRefused, Supervisor

log = logging.getLogger(__name__)


def attach(ctx: AppContext, control: ControlPlane, media: Coaching) -> ListenIn:
    """A ``ListenIn`` on ``control``'s calls, ended with their agent legs."""

    async def audit(who: Supervisor, action: str, contact: str, detail: dict[str, object]) -> None:
        await ctx.db(
            actions.record_listening, ctx.engine, who, at=ctx.now(), action=action,
            contact=contact, detail=detail,
        )  # fmt: skip

    async def show_listen() -> bool:
        return await ctx.db(config_q.shows_listen_in, ctx.engine)

    listen = ListenIn(
        lambda: list(control.calls.values()), media, tell_agent=control.tell_agent,
        audit=audit, show_listen=show_listen, now=ctx.now,
    )  # fmt: skip
    control.leg_watchers.append(listen.leg_over)
    ctx.listen = listen
    return listen


async def coach_answer(ctx: AppContext, agent: str, text: str) -> str | None:
    """The agent page's answer to the supervisor's audio; a notice for the page if refused."""
    listen = ctx.listen
    take = None if listen is None else functools.partial(listen.coach_answer, agent)
    return await hand_answer("voice-coach-answer", agent, text, take)


async def agent_publish(ctx: AppContext, agent: str, text: str) -> str:
    """The agent page's microphone for a supervisor: rtpengine's answer, or a notice."""
    message = json.loads(text)
    session, sdp = message.get("session"), message.get("sdp")
    if ctx.listen is None:
        refusal = "voice is not on in this server"
    elif not isinstance(session, str) or not isinstance(sdp, str):
        refusal = 'a voice-coach-publish needs "session" and "sdp" strings'
    else:
        try:
            answer = await ctx.listen.agent_publish(agent, session, sdp)
        except ListenRefused as refused:
            refusal = refused.reason
        else:
            return json.dumps({"type": "voice-coach-published", "session": session, "sdp": answer})
    return json.dumps({"type": "voice-error", "session": session, "message": refusal})


async def coach_lost(ctx: AppContext, agent: str, text: str) -> None:
    listen = ctx.listen
    again = None if listen is None else functools.partial(listen.coach_again, agent)
    await offer_again("coach", agent, text, again)
