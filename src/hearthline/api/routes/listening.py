"""Supervisors listen in on an agent's live call, whisper to the agent or barge in
(docs/voice.md, "Listening in"). The supervisor's browser exchanges SDP here; the agent's
page over its stream (``api/listening.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from hearthline.api.deps import AppContext, Ctx, Staff
from hearthline.api.errors import ERROR_RESPONSES, ApiError, conflict, not_found
from hearthline.api.schemas.common import IDENT_PATTERN
from hearthline.api.schemas.listening import (
    ListenAnswerIn,
    ListenIn,
    ListenModeIn,
    ListenOffer,
    ListenOut,
    ListenPartyIn,
    SdpIn,
    SdpOut,
)
from hearthline.api.scope import agent_visible, client_visible
from hearthline.telephony import listen as listen_t

router = APIRouter(prefix="/api/supervisor", tags=["supervisor"], responses=ERROR_RESPONSES)
AgentPath = Annotated[str, Path(pattern=IDENT_PATTERN)]
SessionPath = Annotated[str, Path(pattern=r"^[0-9a-f]{1,32}$")]


def _listening(ctx: AppContext) -> listen_t.ListenIn:
    if ctx.listen is None:
        raise conflict("voice is not on in this server: there are no calls to listen to")
    return ctx.listen


def _sessions(ctx: AppContext, session: str) -> listen_t.ListenIn:
    """Without voice there are no sessions: the one named is not found."""
    if ctx.listen is None:
        raise not_found("listening session", session)
    return ctx.listen


def _refused(refused: listen_t.ListenRefused) -> ApiError:
    if refused.status == 404:
        return ApiError(404, "not-found", refused.reason)
    if refused.status == 422:
        return ApiError(422, "invalid", refused.reason)
    return conflict(refused.reason)


@router.post("/agents/{agent_id}/listen", response_model=ListenOut, status_code=201)
async def start_listening(agent_id: AgentPath, body: ListenIn, me: Staff, ctx: Ctx) -> ListenOut:
    """Listen to the agent's live call (``listen``), speak to the agent only (``whisper``)
    or to both (``barge``): an SDP offer per party for the browser to answer."""
    if not agent_visible(ctx.directory, me, agent_id):
        raise not_found("agent", agent_id)
    listen = _listening(ctx)
    live = listen.call_of(agent_id)
    if live is None:
        raise conflict(f"agent {agent_id} has no live voice call")
    client = ctx.tenancy.client_of_contact(live.contact)
    if not client_visible(ctx.directory, me, client):
        raise not_found("contact", live.contact)
    try:
        session, offers = await listen.start(me, live, listen_t.Mode(body.mode), client)
    except listen_t.ListenRefused as refused:
        raise _refused(refused) from None
    return ListenOut(
        session=session.id, mode=str(session.mode), agent=session.agent,
        contact=session.contact, shown_to_agent=session.shown,
        offers=[ListenOffer(party=p, sdp=s) for p, s in offers.items()],  # type: ignore[arg-type]
    )  # fmt: skip


@router.post("/listening/{session}/answer", status_code=204)
async def answer_listening(
    session: SessionPath, body: ListenAnswerIn, me: Staff, ctx: Ctx
) -> Response:
    """The browser's answer to one party's offer."""
    try:
        await _sessions(ctx, session).answer(me, session, body.party, body.sdp)
    except listen_t.ListenRefused as refused:
        raise _refused(refused) from None
    return Response(status_code=204)


@router.post("/listening/{session}/resubscribe", response_model=ListenOffer)
async def resubscribe_listening(
    session: SessionPath, body: ListenPartyIn, me: Staff, ctx: Ctx
) -> ListenOffer:
    """A new offer for one party, when the browser's connection to it did not come up."""
    try:
        sdp = await _sessions(ctx, session).resubscribe(me, session, body.party)
    except listen_t.ListenRefused as refused:
        raise _refused(refused) from None
    return ListenOffer(party=body.party, sdp=sdp)


@router.post("/listening/{session}/publish", response_model=SdpOut)
async def publish_listening(session: SessionPath, body: SdpIn, me: Staff, ctx: Ctx) -> SdpOut:
    """Whisper and barge: the supervisor's microphone (the browser's offer); the answer."""
    try:
        sdp = await _sessions(ctx, session).publish(me, session, body.sdp)
    except listen_t.ListenRefused as refused:
        raise _refused(refused) from None
    return SdpOut(sdp=sdp)


@router.put("/listening/{session}/mode", response_model=ListenOut)
async def switch_listening(
    session: SessionPath, body: ListenModeIn, me: Staff, ctx: Ctx
) -> ListenOut:
    """Another mode for the same session (no new subscriptions: ``offers`` is empty); to
    a whisper or barge, the browser then publishes its microphone (``publish``)."""
    try:
        found = await _sessions(ctx, session).switch(me, session, listen_t.Mode(body.mode))
    except listen_t.ListenRefused as refused:
        raise _refused(refused) from None
    return ListenOut(
        session=found.id, mode=str(found.mode), agent=found.agent, contact=found.contact,
        shown_to_agent=found.shown, offers=[],
    )  # fmt: skip


@router.delete("/listening/{session}", status_code=204)
async def stop_listening(session: SessionPath, me: Staff, ctx: Ctx) -> Response:
    try:
        await _sessions(ctx, session).stop(me, session)
    except listen_t.ListenRefused as refused:
        raise _refused(refused) from None
    return Response(status_code=204)
