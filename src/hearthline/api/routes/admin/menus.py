"""Menu flows per dialled number, opening hours per campaign, and the prompts they play.

A flow is refused (422) with the node at fault named; a prompt that is not an 8 kHz mono
16-bit WAV of at most two minutes is refused saying what it is instead."""

from __future__ import annotations

import asyncio
import base64
import binascii
import tempfile
from pathlib import Path as FsPath
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Path
from fastapi.responses import Response

from hearthline.api.deps import Admin, AppContext, Ctx
from hearthline.api.errors import ApiError, not_found
from hearthline.api.routes.admin.base import router
from hearthline.api.schemas import (
    IDENT_PATTERN,
    PHONE_PATTERN,
    FlowIn,
    FlowOut,
    HoursIn,
    HoursOut,
    PromptOut,
    SpeakIn,
)
from hearthline.api.schemas.menus import DefaultPromptOut, PromptIn
from hearthline.routing.skills import compile_requirement
from hearthline.service.actions import menus as actions
from hearthline.store.queries import menus as queries
from hearthline.telephony import prompts
from hearthline.voice.hours import HoursError, OpeningHours, Span, check_hours
from hearthline.voice.menus import MenuError, check_flow, flow_from_dict

NumberPath = Annotated[str, Path(pattern=PHONE_PATTERN)]
DefaultName = Annotated[str, Path(pattern="^(" + "|".join(prompts.DEFAULT_PROMPTS) + ")$")]
# A prompt is replaced under the same name: the page must never play a cached old one.
_WAV_HEADERS = {"Cache-Control": "private, no-store"}
_WAV_RESPONSE: dict[int | str, dict[str, object]] = {200: {"content": {"audio/wav": {}}}}
IdentPath = Annotated[str, Path(pattern=IDENT_PATTERN)]
PromptName = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,60}$")]


def _client(ctx: AppContext, client: str) -> None:
    if client not in ctx.directory.campaign_client.values():
        raise not_found("client", client)


@router.get("/menus", response_model=list[FlowOut])
async def list_flows(me: Admin, ctx: Ctx) -> list[FlowOut]:
    rows = await ctx.db(queries.flows, ctx.engine)
    return [_flow_out(r) for r in rows]


@router.get("/menus/{number}", response_model=FlowOut)
async def get_flow(number: NumberPath, me: Admin, ctx: Ctx) -> FlowOut:
    rows = await ctx.db(queries.flows, ctx.engine, number=number)
    if not rows:
        raise not_found("menu", number)
    return _flow_out(rows[0])


def _flow_out(row: queries.FlowRow) -> FlowOut:
    return FlowOut.model_validate(
        {**row.flow, "client_id": row.client_id, "number": row.number,
         "updated_at": row.updated_at}
    )  # fmt: skip


@router.put("/menus/{number}", response_model=FlowOut)
async def put_flow(number: NumberPath, body: FlowIn, me: Admin, ctx: Ctx) -> FlowOut:
    """Sets the menu callers of ``number`` walk; refused naming the node at fault."""
    _client(ctx, body.client_id)
    data = body.model_dump(exclude={"client_id"}, exclude_none=True)
    data["nodes"] = [n.model_dump(exclude_none=True) for n in body.nodes]
    try:
        flow = flow_from_dict(data)
        check_flow(flow, queues=ctx.directory.queues_of(body.client_id), skill=compile_requirement)
    except MenuError as exc:
        raise ApiError(422, exc.code, str(exc)) from None
    if flow.hours is not None and ctx.directory.campaign_client.get(flow.hours) != body.client_id:
        raise ApiError(
            422, "invalid-flow", f"the hours' campaign {flow.hours!r} is not the client's"
        )
    known = {p.name for p in await ctx.db(queries.prompts, ctx.engine, client=body.client_id)}
    known |= set(prompts.DEFAULT_PROMPTS)
    for node in flow.nodes:
        for name in (node.prompt, node.invalid_prompt):
            if name and name not in known:
                raise ApiError(
                    422, "invalid-flow", f"node {node.id!r}: no prompt {name!r} (upload it first)"
                )
    row = await ctx.db(
        actions.put_flow, ctx.engine, me, at=ctx.now(), number=number, client=body.client_id,
        flow=data,
    )  # fmt: skip
    return _flow_out(row)


@router.delete("/menus/{number}", status_code=204)
async def delete_flow(number: NumberPath, me: Admin, ctx: Ctx) -> None:
    await ctx.db(actions.delete_flow, ctx.engine, me, at=ctx.now(), number=number)


# Opening hours ----------------------------------------------------------------------------


def hours_of(data: dict[str, object]) -> OpeningHours:
    body = HoursIn.model_validate(data)
    return OpeningHours(
        spans=tuple(Span(s.day, s.opens, s.closes) for s in body.spans),
        holidays=tuple(body.holidays),
    )


async def _hours_out(ctx: AppContext, campaign: str, body: HoursIn) -> HoursOut:
    zone: ZoneInfo = await ctx.firm_zone()
    hours = hours_of(body.model_dump(mode="json"))
    open_now = hours.is_open(ctx.now(), zone)
    return HoursOut(campaign_id=campaign, open_now=open_now, zone=str(zone), **body.model_dump())


@router.get("/hours/{campaign_id}", response_model=HoursOut)
async def get_hours(campaign_id: IdentPath, me: Admin, ctx: Ctx) -> HoursOut:
    found = await ctx.db(queries.hours, ctx.engine, campaign_id)
    if found is None:
        raise not_found("opening hours of campaign", campaign_id)
    return await _hours_out(ctx, campaign_id, HoursIn.model_validate(found))


@router.put("/hours/{campaign_id}", response_model=HoursOut)
async def put_hours(campaign_id: IdentPath, body: HoursIn, me: Admin, ctx: Ctx) -> HoursOut:
    """The campaign's weekly hours and holidays, in the firm's time zone."""
    if campaign_id not in ctx.directory.campaign_client:
        raise not_found("campaign", campaign_id)
    try:
        check_hours(hours_of(body.model_dump(mode="json")))
    except HoursError as exc:
        raise ApiError(422, exc.code, str(exc)) from None
    data = body.model_dump(mode="json")
    await ctx.db(actions.put_hours, ctx.engine, me, at=ctx.now(), campaign=campaign_id, hours=data)
    return await _hours_out(ctx, campaign_id, body)


# Prompts ----------------------------------------------------------------------------------


@router.get("/prompts", response_model=list[PromptOut])
async def list_prompts(me: Admin, ctx: Ctx) -> list[PromptOut]:
    rows = await ctx.db(queries.prompts, ctx.engine)
    return [PromptOut.model_validate(r, from_attributes=True) for r in rows]


@router.put("/prompts/{client_id}/{name}", response_model=PromptOut)
async def put_prompt(
    client_id: IdentPath, name: PromptName, body: PromptIn, me: Admin, ctx: Ctx
) -> PromptOut:
    """Uploads a prompt: a WAV, base64-encoded, 8 kHz mono 16-bit, up to two minutes."""
    _client(ctx, client_id)
    try:
        wav = base64.b64decode(body.wav_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "invalid-prompt", "wav_base64 is not base64") from None
    return await _store_prompt(ctx, me, client_id, name, wav)


@router.post("/prompts/{client_id}/{name}/speak", response_model=PromptOut)
async def speak_prompt(
    client_id: IdentPath, name: PromptName, body: SpeakIn, me: Admin, ctx: Ctx
) -> PromptOut:
    """Makes a prompt from text, spoken by espeak-ng."""
    _client(ctx, client_id)

    def spoken() -> bytes:
        with tempfile.TemporaryDirectory() as scratch:
            wav = prompts.speak(body.text, FsPath(scratch) / "prompt.wav")
            return wav.read_bytes()

    try:
        wav = await asyncio.to_thread(spoken)
    except Exception as exc:  # espeak-ng or sox missing or failing
        raise ApiError(503, "no-speech", f"prompts cannot be spoken here: {exc}") from None
    return await _store_prompt(ctx, me, client_id, name, wav)


async def _store_prompt(
    ctx: AppContext, me: Admin, client: str, name: str, wav: bytes
) -> PromptOut:
    try:
        seconds = prompts.check_wav(wav)
    except prompts.PromptRefused as exc:
        raise ApiError(422, "invalid-prompt", str(exc)) from None
    at = ctx.now()
    await ctx.db(
        actions.put_prompt, ctx.engine, me, at=at, client=client, name=name, wav=wav,
        seconds=seconds,
    )  # fmt: skip
    return PromptOut(client_id=client, name=name, seconds=seconds, updated_at=at)


@router.get("/prompts/{client_id}/{name}/wav", response_class=Response, responses=_WAV_RESPONSE)
async def prompt_wav(client_id: IdentPath, name: PromptName, me: Admin, ctx: Ctx) -> Response:
    """The uploaded prompt as stored, to play in the page."""
    wav = await ctx.db(queries.prompt_wav, ctx.engine, client=client_id, name=name)
    if wav is None:
        raise not_found("prompt", f"{client_id}/{name}")
    return Response(wav, media_type="audio/wav", headers=_WAV_HEADERS)


@router.delete("/prompts/{client_id}/{name}", status_code=204)
async def delete_prompt(client_id: IdentPath, name: PromptName, me: Admin, ctx: Ctx) -> None:
    """Refused (409) while a menu node or an announcement switched on plays it, naming them."""
    await ctx.db(actions.delete_prompt, ctx.engine, me, at=ctx.now(), client=client_id, name=name)


@router.get("/default-prompts", response_model=list[DefaultPromptOut])
async def default_prompts(me: Admin) -> list[DefaultPromptOut]:
    """The built-in prompts: played where a client has no upload of that name."""
    return [DefaultPromptOut(name=n, text=t) for n, t in prompts.DEFAULT_PROMPTS.items()]


@router.get("/default-prompts/{name}/wav", response_class=Response, responses=_WAV_RESPONSE)
async def default_prompt_wav(name: DefaultName, me: Admin, ctx: Ctx) -> Response:
    """A built-in prompt: the voice stack's file where it has made one, else spoken now."""
    made = FsPath(ctx.settings.data_dir).resolve() / "voice" / "prompts" / "default" / f"{name}.wav"

    def read() -> bytes:
        return made.read_bytes() if made.exists() else prompts.spoken_default(name)

    try:
        wav = await asyncio.to_thread(read)
    except Exception as exc:  # espeak-ng or sox missing or failing
        raise ApiError(503, "no-speech", f"prompts cannot be spoken here: {exc}") from None
    return Response(wav, media_type="audio/wav", headers=_WAV_HEADERS)
