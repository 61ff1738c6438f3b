"""Recorded calls: the agent's pause and resume, the campaign's policy and the client's
retention (administrators), and listening (docs/quality.md, "Recordings").

A recording is listed and played only to those who see its client's work: firm-wide
staff, the client's own supervisors and viewers; never another client (answered as if
it did not exist). Agents hear only a voicemail, and only that of the callback offered to
them or in their hands: who calls a customer back hears the message first. Every
playback or download is audited: a request for the file from its first byte (a player
seeking asks again from further on, and those are not new playbacks).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Annotated, Literal

import av
from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field, model_validator

from hearthline.api.deps import Admin, AgentCaller, AppContext, Ctx, Person, Staff, Watcher
from hearthline.api.errors import ERROR_RESPONSES, ApiError, conflict, not_found
from hearthline.api.principal import Principal, Role
from hearthline.api.schemas import IDENT_PATTERN
from hearthline.api.schemas.common import CONTACT_PATTERN, CORE_CONTACT_PATTERN, ROW_ID_MAX
from hearthline.api.scope import (
    access_campaign,
    access_client,
    client_visible,
    contact_visible,
)
from hearthline.kernel.ids import AgentId, ContactId, CustomerId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from hearthline.service.actions.audit import record, transaction
from hearthline.service.domains import CODEC
from hearthline.store.queries import config as config_q
from hearthline.store.queries import recordings as q
from hearthline.telephony.recording_peaks import MAX_BUCKETS, MIN_BUCKETS, SCALE, peaks
from hearthline.voice.events import CallAnswered

router = APIRouter(tags=["recordings"], responses=ERROR_RESPONSES)
ContactPath = Annotated[str, Path(pattern=CONTACT_PATTERN)]
RecordingPath = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
IdentPath = Annotated[str, Path(pattern=IDENT_PATTERN)]
_CHUNK = 64 * 1024


class RecordingOut(BaseModel):
    id: int
    contact_id: str
    client_id: str
    seconds: float
    started_at: float
    created_at: float
    url: str
    kind: str  # "call" (stereo: caller left, agent right) or "voicemail" (mono: the caller)


class VoicemailOut(RecordingOut):
    """A voicemail in the list of new ones: what the client's people need to follow it up."""

    queue_id: str | None  # the queue the caller was in (the one that overflowed)
    number: str | None  # the number they dialled, for a real call
    caller: str | None  # their number, when the trunk gave one
    played_at: float | None  # first played or downloaded, by anyone
    dealt_at: float | None
    dealt_by: str | None
    callback_id: str | None  # the callback made of it from the console


class DealtIn(BaseModel):
    dealt_with: bool


class CallBackIn(BaseModel):
    """Whom the callback goes to: a queue of the voicemail's client (its own queue when
    none is named) and, optionally, an agent of that client to ring first."""

    queue: str | None = Field(default=None, pattern=IDENT_PATTERN)
    agent: str | None = Field(default=None, pattern=IDENT_PATTERN)


class CallBackOut(BaseModel):
    callback_id: str
    queue_id: str
    agent_id: str | None  # rung first; None when none was named or they are signed out
    caller: str


class PeaksOut(BaseModel):
    """The waveform: each channel's loudest sample in each of ``buckets`` equal slices of
    the file, from 0 (silence) to ``scale`` (full scale)."""

    seconds: float
    buckets: int
    scale: int
    caller: list[int]
    agent: list[int]


class PolicyOut(BaseModel):
    campaign_id: str
    mode: Literal["all", "share", "none"]
    share_percent: int


class PausedOut(BaseModel):
    contact_id: str
    paused: bool


class PolicyIn(BaseModel):
    mode: Literal["all", "share", "none"]
    share_percent: int = Field(default=100, ge=0, le=100)

    @model_validator(mode="after")
    def _share_only_for_share(self) -> PolicyIn:
        if self.mode != "share":
            self.share_percent = 100 if self.mode == "all" else 0
        return self


class RetentionIn(BaseModel):
    days: int = Field(ge=1, le=3650)


def _out(row: q.RecordingRow) -> RecordingOut:
    return RecordingOut(
        id=row.id, contact_id=row.contact_id, client_id=row.client_id, seconds=row.seconds,
        started_at=row.started_at, created_at=row.created_at,
        url=f"/api/recordings/{row.id}/audio", kind=row.kind,
    )  # fmt: skip


def _may_hear(ctx: AppContext, me: Principal, row: q.RecordingRow) -> bool:
    if me.role is Role.AGENT:
        # The callback's voicemail, while it is offered to them or theirs: the callback
        # it is filed under (a menu's leaf), or the one made of it from the console.
        agent = me.agent_id
        if row.kind != "voicemail" or agent is None:
            return False
        return any(
            ctx.tenancy.had_contact(c, AgentId(agent))
            for c in (row.contact_id, row.callback_id)
            if c is not None
        )
    return client_visible(ctx.directory, me, row.client_id)


# The agent ------------------------------------------------------------------------------


async def _pause(ctx: Ctx, me: AgentCaller, contact: str, paused: bool) -> PausedOut:
    agent = me.agent_id or ""
    # Someone else's contact does not exist for this agent (the walk of every role).
    if not ctx.tenancy.had_contact(contact, AgentId(agent)) and not await ctx.db(
        contact_visible, ctx.engine, me, contact
    ):
        raise not_found("contact of yours", contact)
    voice = ctx.voice
    recorder = voice.recorder if voice is not None else None
    if recorder is None:
        raise conflict("calls are not recorded on this server")
    refusal = await recorder.pause(contact, agent, paused)
    if refusal is not None:
        raise conflict(refusal)
    return PausedOut(contact_id=contact, paused=paused)


@router.post("/api/agent/contacts/{contact}/recording/pause", response_model=PausedOut)
async def pause(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> PausedOut:
    """Pauses the call's recording (the file is silent until resumed); in the log."""
    return await _pause(ctx, me, contact, True)


@router.post("/api/agent/contacts/{contact}/recording/resume", response_model=PausedOut)
async def resume(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> PausedOut:
    """Resumes the call's recording; in the log."""
    return await _pause(ctx, me, contact, False)


# Administrators -------------------------------------------------------------------------


@router.put("/api/admin/campaigns/{campaign_id}/recording-policy", status_code=204)
async def set_policy(campaign_id: IdentPath, body: PolicyIn, me: Admin, ctx: Ctx) -> None:
    """Records all, a share (drawn per contact), or none of the campaign's calls; audited."""
    access_campaign(ctx.directory, me, campaign_id)
    now = ctx.now()

    def write() -> None:
        with transaction(ctx.engine) as conn:
            q.set_policy(conn, campaign_id, body.mode, body.share_percent, now)
            record(conn, me, at=now, action="recording.policy", target=campaign_id,
                   after=body.model_dump())  # fmt: skip

    await ctx.db(write)


@router.get("/api/admin/recording-policies", response_model=list[PolicyOut])
async def policies(me: Admin, ctx: Ctx) -> list[PolicyOut]:
    """Every campaign's recording policy (those without one record nothing)."""
    rows = await ctx.db(q.policies, ctx.engine)
    return [
        PolicyOut(campaign_id=campaign, mode=mode, share_percent=share)  # type: ignore[arg-type]
        for campaign, mode, share in rows
        if client_visible(ctx.directory, me, ctx.directory.campaign_client.get(campaign, ""))
    ]


@router.put("/api/admin/clients/{client_id}/recording-retention", status_code=204)
async def set_retention(client_id: IdentPath, body: RetentionIn, me: Admin, ctx: Ctx) -> None:
    """Keeps the client's recordings this many days (the retention job deletes older ones)."""
    known = client_id in {c.id for c in await ctx.db(config_q.clients, ctx.engine)}
    access_client(ctx.directory, me, client_id, known=known)
    now = ctx.now()

    def write() -> None:
        with transaction(ctx.engine) as conn:
            q.set_retention(conn, client_id, body.days, now)
            record(conn, me, at=now, action="recording.retention", target=client_id,
                   after=body.model_dump())  # fmt: skip

    await ctx.db(write)


# Listening ------------------------------------------------------------------------------


@router.get("/api/recordings", response_model=list[RecordingOut])
async def of_contact(
    me: Person, ctx: Ctx, contact: Annotated[str, Query(pattern=CORE_CONTACT_PATTERN)]
) -> list[RecordingOut]:
    """A contact's recordings and voicemail (none where its client is not yours; for an
    agent, the voicemail of a callback offered to them or theirs)."""
    rows = await ctx.db(q.of_contact, ctx.engine, contact)
    return [_out(r) for r in rows if _may_hear(ctx, me, r)]


@router.get("/api/recordings/voicemails", response_model=list[VoicemailOut])
async def voicemails(
    me: Watcher,
    ctx: Ctx,
    since: Annotated[float, Query(ge=0, le=1e11)] = 0.0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    pending: bool = False,
) -> list[VoicemailOut]:
    """The voicemails left since ``since`` (epoch seconds, when indexed), newest first, of
    the clients you see (``pending``: only those not dealt with). A queue's overflow to
    voicemail files the message under its contact and offers it to nobody: this is where
    the client's people find it (a menu leaf's are here too, under their callbacks). Each
    says the queue, the number dialled and the caller's number, as the log has them."""
    client = None if me.firm_wide else (me.client_id or "")
    rows = await ctx.db(
        q.voicemails, ctx.engine, since=since, limit=limit, client=client, pending=pending
    )
    told = await _whence(ctx, [r.contact_id for r in rows])
    return [_voicemail(r, told.get(r.contact_id, Whence())) for r in rows]


def _voicemail(r: q.RecordingRow, whence: Whence) -> VoicemailOut:
    return VoicemailOut(
        **_out(r).model_dump(), queue_id=whence.queue, number=whence.number,
        caller=whence.caller, played_at=r.played_at, dealt_at=r.dealt_at, dealt_by=r.dealt_by,
        callback_id=r.callback_id,
    )  # fmt: skip


@router.put("/api/recordings/voicemails/{recording_id}/dealt-with", status_code=204)
async def dealt_with(recording_id: RecordingPath, body: DealtIn, me: Staff, ctx: Ctx) -> None:
    """Marks a voicemail dealt with (called back, passed on), or open again; audited
    (``voicemail.dealt_with``, ``voicemail.reopened``). Another client's: 404; one
    turned into a callback stays dealt with (409)."""
    row = await ctx.db(q.one, ctx.engine, recording_id)
    if row is None or row.kind != "voicemail" or not _may_hear(ctx, me, row):
        raise not_found("voicemail", recording_id)
    if row.callback_id is not None:  # its follow-up is that callback's, on the desk
        raise conflict(f"voicemail {recording_id} is callback {row.callback_id}: dealt with")
    now = ctx.now()
    action = "voicemail.dealt_with" if body.dealt_with else "voicemail.reopened"

    def write() -> None:
        with transaction(ctx.engine) as conn:
            at, by = (now, me.username) if body.dealt_with else (None, None)
            q.set_dealt(conn, recording_id, at, by)
            record(conn, me, at=now, action=action, target=f"{row.client_id}/{row.contact_id}",
                   after={"id": row.id})  # fmt: skip

    await ctx.db(write)


@router.post(
    "/api/recordings/voicemails/{recording_id}/callback",
    response_model=CallBackOut,
    status_code=201,
)
async def call_back(
    recording_id: RecordingPath, body: CallBackIn, me: Staff, ctx: Ctx
) -> CallBackOut:
    """Turns a voicemail into a callback to the caller's number, due now in the queue
    chosen (by default the one the caller was in), rung first to the agent named; the
    callback's origin is the voicemail's contact, and whoever takes it hears the message
    on the desk. The voicemail is dealt with by the caller of this route; audited
    (``voicemail.called_back``). Refused: another client's voicemail (404), one dealt
    with or a callback already (409), a queue or agent not of its client (404 or 422), a
    caller whose number the log does not have (409)."""
    row = await ctx.db(q.one, ctx.engine, recording_id)
    if row is None or row.kind != "voicemail" or not _may_hear(ctx, me, row):
        raise not_found("voicemail", recording_id)
    if row.callback_id is not None:
        raise conflict(f"voicemail {recording_id} is a callback already ({row.callback_id})")
    if row.dealt_at is not None:
        raise conflict(f"voicemail {recording_id} was dealt with already, by {row.dealt_by}")
    whence = (await _whence(ctx, [row.contact_id]))[row.contact_id]
    queue = body.queue or whence.queue
    if queue is None:
        raise ApiError(422, "invalid", "queue: the log names no queue for this voicemail")
    _queue_of(ctx, me, queue, row.client_id)
    if body.agent is not None and row.client_id not in ctx.directory.agent_clients(body.agent):
        raise not_found(f"agent of {row.client_id}", body.agent)
    if not whence.caller:
        raise conflict(f"voicemail {recording_id}: the caller's number is unknown")
    callback = f"{row.contact_id}~vm"
    now = ctx.now()

    def claim() -> bool:
        with transaction(ctx.engine) as conn:
            return q.claim_callback(conn, recording_id, callback, now, me.username)

    if not await ctx.db(claim):  # another supervisor's, a moment ago
        raise conflict(f"voicemail {recording_id} was dealt with or called back already")
    command = cmd.CallBackVoicemail(
        ContactId(row.contact_id), QueueId(queue), whence.caller,
        customer=CustomerId(whence.customer) if whence.customer else None,
        preferred_agent=AgentId(body.agent) if body.agent else None,
        requirement=whence.requirement, data=(("voicemail", str(row.id)),),
    )  # fmt: skip
    try:
        stored = await ctx.run(command)
    except Exception:
        await ctx.db(_release, ctx, recording_id, callback)
        raise
    # The core rings a named agent first only while they are signed in (as for any
    # callback): one signed out is not waited for, and the answer says so.
    rung = next(
        (
            str(s.event.preferred_agent)
            for s in stored
            if isinstance(s.event, ev.ContactQueued) and s.event.preferred_agent is not None
        ),
        None,
    )
    after = {"id": row.id, "callback": callback, "queue": queue, "agent": rung}

    def audit() -> None:
        with transaction(ctx.engine) as conn:
            record(conn, me, at=now, action="voicemail.called_back",
                   target=f"{row.client_id}/{row.contact_id}", after=after)  # fmt: skip

    await ctx.db(audit)
    return CallBackOut(callback_id=callback, queue_id=queue, agent_id=rung, caller=whence.caller)


def _release(ctx: AppContext, recording_id: int, callback: str) -> None:
    with transaction(ctx.engine) as conn:
        q.release_callback(conn, recording_id, callback)


def _queue_of(ctx: AppContext, me: Principal, queue: str, client: str) -> None:
    """A queue of ``client``: one the caller may not see is not found; one of another
    client they see is refused naming both."""
    owner = ctx.directory.queue_client(queue)
    if owner is None or not client_visible(ctx.directory, me, owner):
        raise not_found("queue", queue)
    if owner != client:
        raise ApiError(
            422, "invalid", f"queue: {queue!r} is {owner}'s; the voicemail is {client}'s"
        )


@dataclass(frozen=True, slots=True)
class Whence:
    """Where a voicemail's caller came from, as far as the log says."""

    queue: str | None = None
    number: str | None = None
    caller: str | None = None
    customer: str | None = None
    requirement: str | None = None  # the caller's own skill requirement (a menu's choice)


_WHENCE = ("ContactArrived", "ContactQueued", "ContactOverflowed", "CallAnswered")


async def _whence(ctx: AppContext, contacts: list[str]) -> dict[str, Whence]:
    """Per contact, its queue, the number dialled and the caller's number, from the log
    (a menu leaf's voicemail is filed under a callback: its call is the callback's
    origin's). Two reads by the log's contact index, whatever the number of contacts."""
    found = await ctx.db(q.events_of_contacts, ctx.engine, CODEC, sorted(set(contacts)), _WHENCE)
    origin = {
        str(e.contact): str(e.origin)
        for e in found
        if isinstance(e, ev.ContactArrived) and e.origin is not None
    }
    if origin:
        found += await ctx.db(
            q.events_of_contacts, ctx.engine, CODEC, sorted(set(origin.values())), _WHENCE
        )
    queue: dict[str, str] = {}
    number: dict[str, str] = {}
    caller: dict[str, str] = {}
    arrived: dict[str, ev.ContactArrived] = {}
    for e in found:
        contact = str(getattr(e, "contact", ""))
        if isinstance(e, ev.ContactOverflowed | ev.ContactQueued):
            queue.setdefault(contact, str(e.queue))  # the first: the one the caller reached
        elif isinstance(e, ev.ContactArrived):
            arrived[contact] = e
            if e.caller:
                caller[contact] = e.caller
        elif isinstance(e, CallAnswered) and e.number:
            number[contact] = e.number
    out: dict[str, Whence] = {}
    for contact in contacts:
        first = origin.get(contact, contact)
        came = arrived.get(contact) or arrived.get(first)
        out[contact] = Whence(
            queue.get(contact) or queue.get(first),
            number.get(contact) or number.get(first),
            caller.get(contact) or caller.get(first),
            came.customer if came is not None else None,
            came.requirement if came is not None else None,
        )
    return out


@router.get(
    "/api/recordings/{recording_id}/audio",
    response_class=StreamingResponse,
    responses={200: {"content": {"audio/ogg": {}}}, 206: {"content": {"audio/ogg": {}}}},
)
async def audio(
    recording_id: RecordingPath,
    me: Person,
    ctx: Ctx,
    range_: Annotated[str | None, Header(alias="Range")] = None,
    download: bool = False,
) -> Response:
    """The recording (Ogg Opus, stereo: the caller left, the agent right; a voicemail
    mono), with byte ranges for seeking; a playback or download from its start is
    audited."""
    row, path = await _file(ctx, me, recording_id)
    size = path.stat().st_size
    start, end = _range(range_, size)
    if start == 0:
        now = ctx.now()
        what = "voicemail" if row.kind == "voicemail" else "recording"
        action = f"{what}.downloaded" if download else f"{what}.played"

        def audit() -> None:
            with transaction(ctx.engine) as conn:
                target = f"{row.client_id}/{row.contact_id}"
                record(conn, me, at=now, action=action, target=target, after={"id": row.id})
                if row.kind == "voicemail":
                    q.played(conn, row.id, now)  # the list of new voicemails shows it

        await ctx.db(audit)
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(end - start + 1),
        "Cache-Control": "private, no-store",
    }
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{row.contact_id}.ogg"'
    status = 200
    if range_ is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return StreamingResponse(
        _read(path, start, end), status_code=status, media_type="audio/ogg", headers=headers
    )


@router.get("/api/recordings/{recording_id}/peaks", response_model=PeaksOut)
async def waveform(
    recording_id: RecordingPath,
    me: Person,
    ctx: Ctx,
    buckets: Annotated[int, Query(ge=MIN_BUCKETS, le=MAX_BUCKETS)] = 1000,
) -> PeaksOut:
    """The recording's waveform, to draw beside the timeline (loudness only: not audited
    as a playback); for whoever may hear the recording."""
    _, path = await _file(ctx, me, recording_id)
    try:
        found = await asyncio.to_thread(peaks, path, buckets)
    except (av.error.FFmpegError, ValueError, IndexError):
        raise conflict(f"the file of recording {recording_id} does not decode") from None
    return PeaksOut(
        seconds=found.seconds, buckets=buckets, scale=SCALE,
        caller=list(found.caller), agent=list(found.agent),
    )  # fmt: skip


async def _file(ctx: Ctx, me: Principal, recording_id: int) -> tuple[q.RecordingRow, FilePath]:
    """The recording and its file, where ``me`` may hear it (else 404)."""
    row = await ctx.db(q.one, ctx.engine, recording_id)
    if row is None or not _may_hear(ctx, me, row):
        raise not_found("recording", recording_id)
    store = (FilePath(ctx.settings.data_dir) / "recordings").resolve()
    path = (store / row.file).resolve()
    if not path.is_relative_to(store) or not path.is_file():
        raise not_found("recording file", recording_id)
    return row, path


def _range(header: str | None, size: int) -> tuple[int, int]:
    """The first and last byte asked for (the whole file without a header); 416 when the
    range is not one this file has."""
    if header is None or size == 0:
        return 0, max(size - 1, 0)
    unit, _, spec = header.partition("=")
    first, dash, last = spec.strip().partition("-")
    if unit.strip() != "bytes" or not dash or "," in spec:
        raise ApiError(416, "bad-range", f"a single 'bytes=first-last' range, not {header[:80]!r}")
    try:
        if first == "":
            start, end = max(size - int(last), 0), size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
    except ValueError:
        raise ApiError(416, "bad-range", f"the range {header[:80]!r} is not numbers") from None
    if start < 0 or start >= size or end < start:
        raise ApiError(416, "bad-range", f"the file has {size} bytes; {header[:80]!r} is outside")
    return start, end


def _read(path: FilePath, start: int, end: int) -> Iterator[bytes]:
    with path.open("rb") as f:
        f.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = f.read(min(_CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
