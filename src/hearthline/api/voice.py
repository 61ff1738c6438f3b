"""Real calls on the server: starts the voice stack when the ``voice`` setting is on, and
relays an agent browser's SDP answer to it (docs/voice.md).

Where a part is missing (rtpengine, espeak-ng, sox) the server says so in one line and runs
without voice, as before.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import subprocess
import time
from pathlib import Path

from hearthline.api import consults, listening
from hearthline.api.deps import AppContext
from hearthline.api.page_answers import hand_answer
from hearthline.service.domains import CODEC
from hearthline.service.recording_retention import enforce
from hearthline.store.queries import config as config_q
from hearthline.store.queries import customers as customers_q
from hearthline.store.queries import menus as menus_q
from hearthline.store.queries import recordings as recordings_q
from hearthline.telephony import prompts, recording_recovery
from hearthline.telephony.engines import parse_addresses
from hearthline.telephony.media import RtpEngine
from hearthline.telephony.menu_calls import MenuPlan
from hearthline.telephony.recording import Recorder, Stored
from hearthline.telephony.rtpengine import VoiceUnavailable
from hearthline.telephony.stack import VoiceConfig, VoiceStack
from hearthline.telephony.trunks import Bounds
from hearthline.voice.hours import hours_from_dict
from hearthline.voice.menus import Flow, MenuError, flow_from_dict

log = logging.getLogger(__name__)
_NUMBERS_TTL_S = 5.0
_NUMBERS_KEPT = 10_000
_EXPIRE_EVERY_S = 3600.0


async def start(ctx: AppContext) -> VoiceStack | None:
    s = ctx.settings

    known: dict[str, tuple[float, tuple[str, str] | None]] = {}

    async def find_number(number: str) -> tuple[str, str] | None:
        # Remembered for a few seconds: a burst of calls costs one read, not one each
        # before its 200 OK; a change of the numbers table shows within that time.
        now = time.monotonic()
        hit = known.get(number)
        if hit is not None and now - hit[0] < _NUMBERS_TTL_S:
            return hit[1]
        found = await ctx.db(config_q.numbers, ctx.engine, number=number)
        queue = found[0].queue_id if found else None
        client = ctx.directory.queue_client(queue)
        result = (queue, client) if queue is not None and client is not None else None
        if len(known) > _NUMBERS_KEPT:
            known.clear()  # a flood of unknown numbers cannot grow this without bound
        known[number] = (now, result)
        return result

    config = VoiceConfig(
        scratch=Path(s.data_dir).resolve() / "voice",
        sip_host=s.voice_sip_host,
        sip_port=s.voice_sip_port,
        ng_port=s.voice_ng_port,
        rtp_min=s.voice_rtp_min,
        rtp_max=s.voice_rtp_max,
        announce_every_s=s.voice_wait_announce_s,
        dial_timeout_s=s.voice_dial_timeout_s,
        rtpengines=parse_addresses(s.voice_rtpengines),
        dtmf_port=s.voice_dtmf_port,
        agent_silence_s=s.voice_agent_silence_s,
        keep_calls=s.voice_keep_calls,
        b2bua_workers=s.voice_b2bua_workers,
        trunks=tuple(t.trunk() for t in s.voice_trunks),
        registrations=tuple(r.registration() for r in s.voice_registrations),
        bounds=Bounds(
            requests_per_s=s.voice_sip_requests_per_s, invites_per_s=s.voice_sip_invites_per_s
        ),
    )
    files = config.scratch / "prompts"
    # Before any call: every pcap there now was left by a server stopped mid-call.
    left = recording_recovery.leftovers(_pcaps(config))

    async def find_menu(number: str) -> MenuPlan | None:
        # Read on every call: an announcement switched on, or a flow or its hours changed,
        # applies to the next caller.
        found = await ctx.db(menus_q.flows, ctx.engine, number=number)
        if not found:
            return None
        try:
            flow = flow_from_dict(found[0].flow)
        except MenuError:
            log.exception("voice: the stored menu of %s does not load", number)
            return None
        client = found[0].client_id
        closed = False
        if flow.hours is not None:
            stored = await ctx.db(menus_q.hours, ctx.engine, flow.hours)
            if stored is not None:
                zone = await ctx.firm_zone()
                closed = not hours_from_dict(stored).is_open(ctx.now(), zone)
        return await asyncio.to_thread(_plan, ctx, files, flow, client, closed)

    async def look_up(client: str, kind: str, digits: str) -> str | None:
        find = customers_q.order if kind == "order" else customers_q.account
        return await ctx.db(find, ctx.engine, client=client, number=digits)

    async def find_announcements(client: str, queue: str) -> tuple[str, ...]:
        # Read on every call, as a menu's are: switched on, the next caller hears it.
        return await asyncio.to_thread(_announcement_files, ctx, files, client, queue)

    async def find_line(queue: str) -> tuple[str, str] | None:
        # A callback presents the center's number that leads to its queue (the first).
        client = ctx.directory.queue_client(queue)
        rows = await ctx.db(config_q.numbers, ctx.engine)
        number = next((r.number for r in rows if r.queue_id == queue), None)
        return (number, client) if number is not None and client is not None else None

    try:
        stack = VoiceStack(
            ctx.writer, config, find_number=find_number, tell_agent=ctx.hub.tell_agent,
            find_menu=find_menu, look_up=look_up, find_announcements=find_announcements,
            find_line=find_line,
        )  # fmt: skip
        await stack.start()
    except (VoiceUnavailable, OSError, subprocess.SubprocessError) as exc:
        print(f"voice is off: {exc}", flush=True)
        return None

    async def find_prompt(client: str, name: str) -> str | None:
        # Read on every use, as a menu's prompts are: an upload applies to the next caller.
        return await asyncio.to_thread(_client_prompt, ctx, files, client, name)

    stack.control.find_prompt = find_prompt
    recorder = stack.control.recorder = _recorder(ctx, stack, config)
    stack.control.spawn(_expire_recordings(ctx))  # stopped with the control plane
    # A call that outlived the last server is recording still: its pcap is not left over.
    left = {call: pcaps for call, pcaps in left.items() if call not in stack.control.calls}
    if left:
        stack.control.spawn(recover_recordings(ctx, recorder, left))
    stack.control.requirement = s.voice_calls_require
    stack.control.agent_dropped.append(ctx.presence.expect_back)
    ctx.voice = stack.control
    ctx.web_callers = stack.web
    listening.attach(ctx, stack.control, RtpEngine(stack.ng))
    consults.attach(ctx, stack.control, RtpEngine(stack.ng))
    engines = s.voice_rtpengines.replace(",", ", ") or f"127.0.0.1:{s.voice_ng_port}"
    log.info("voice: SIP on %s:%d, rtpengine ng on %s", s.voice_sip_host, s.voice_sip_port,
             engines)  # fmt: skip
    if s.voice_b2bua_workers > 1:
        log.info("voice: Kamailio in front of %d B2BUA workers on ports %d-%d",
                 s.voice_b2bua_workers, s.voice_sip_port + 1,
                 s.voice_sip_port + s.voice_b2bua_workers)  # fmt: skip
    return stack


async def _expire_recordings(ctx: AppContext) -> None:
    """The retention job (``hearthline db expire-recordings``) at start and every hour."""
    store = Path(ctx.settings.data_dir).resolve() / "recordings"
    while True:
        try:
            deleted = await ctx.db(enforce, ctx.engine, store, now=ctx.now())
            if deleted:
                log.info("recording: %d past retention deleted", len(deleted))
        except Exception:  # tried again within the hour; the server goes on
            log.exception("recording: the retention job failed")
        await asyncio.sleep(_EXPIRE_EVERY_S)


async def recover_recordings(
    ctx: AppContext, recorder: Recorder, left: dict[str, list[Path]]
) -> list[Stored]:
    """The calls a stopped server left unassembled (their pcaps ``left``), assembled and
    indexed from what the log says of them (``telephony/recording_recovery.py``)."""
    if not left:
        return []
    events = await ctx.db(
        recordings_q.log_since, ctx.engine, CODEC, recording_recovery.since(left),
        ("RecordingStarted", "CallEnded"),
    )  # fmt: skip

    async def indexed(call: str, kind: str) -> bool:
        return await ctx.db(recordings_q.indexed, ctx.engine, call, kind)

    found = recording_recovery.unfinished(events, left)
    return await recording_recovery.recover(recorder, found, indexed)


def _pcaps(config: VoiceConfig) -> Path:
    return config.scratch / "rtpengine" / "recordings" / "pcaps"


def _recorder(ctx: AppContext, stack: VoiceStack, config: VoiceConfig) -> Recorder:
    """Recording as the campaigns' policies say, files under ``<data_dir>/recordings``."""

    shares: dict[str, tuple[float, int]] = {}

    async def find_share(queue: str) -> int:
        # Remembered for a few seconds, as the numbers are: a burst of calls costs one read
        # before their greeting; a changed policy applies within that time.
        campaign = ctx.directory.queue_campaign.get(queue)
        if campaign is None:
            return 0
        now = time.monotonic()
        hit = shares.get(campaign)
        if hit is not None and now - hit[0] < _NUMBERS_TTL_S:
            return hit[1]
        share = await ctx.db(recordings_q.share_of, ctx.engine, campaign)
        shares[campaign] = (now, share)
        return share

    async def save(stored: Stored) -> None:
        await ctx.db(
            recordings_q.add, ctx.engine, contact=stored.contact, client=stored.client,
            call=stored.call, file=stored.file, seconds=stored.seconds,
            started_at=stored.started_at, created_at=ctx.now(), kind=stored.kind,
        )  # fmt: skip

    return Recorder(
        ng=stack.ng,
        writer=ctx.writer,
        pcaps=_pcaps(config),
        store=Path(ctx.settings.data_dir).resolve() / "recordings",
        find_share=find_share,
        save=save,
        consent=str(config.scratch / "prompts" / "default" / "consent.wav"),
    )


def _plan(ctx: AppContext, files: Path, flow: Flow, client: str, closed: bool) -> MenuPlan:
    """The prompts' files: the client's uploads (named by their content, so a new upload
    is a new file), else the defaults; announcements as uploaded or spoken from text."""
    defaults = prompts.ensure_default(files / "default")
    paths: dict[str, str] = {}
    for node in flow.nodes:
        for name in (node.prompt, node.invalid_prompt):
            if name and name not in paths:
                paths[name] = _prompt_file(ctx, files, client, name, defaults)
    before = _announcement_files(ctx, files, client, flow.operator or "")
    return MenuPlan(flow, client, closed=closed, before=before, prompts=paths)


def _announcement_files(ctx: AppContext, files: Path, client: str, queue: str) -> tuple[str, ...]:
    """The announcements switched on for the client or the queue, as uploaded or spoken
    from their text."""
    found = menus_q.announcements(ctx.engine, active_for=(client, queue))
    if not found:
        return ()
    defaults = prompts.ensure_default(files / "default")
    before: list[str] = []
    for a in found:
        if a.prompt:
            before.append(_prompt_file(ctx, files, client, a.prompt, defaults))
        else:
            digest = hashlib.sha256(a.text.encode()).hexdigest()[:24]
            before.append(str(prompts.speak(a.text, files / "spoken" / f"{digest}.wav")))
    return tuple(before)


def _prompt_file(
    ctx: AppContext, files: Path, client: str, name: str, defaults: dict[str, Path]
) -> str:
    own = _client_prompt(ctx, files, client, name)
    return own if own is not None else str(defaults.get(name, defaults["greeting"]))


def _client_prompt(ctx: AppContext, files: Path, client: str, name: str) -> str | None:
    """The file of the client's own prompt ``name``, or None when it has none."""
    wav = menus_q.prompt_wav(ctx.engine, client=client, name=name)
    if wav is None:
        return None
    digest = hashlib.sha256(wav).hexdigest()[:24]
    path = files / "clients" / client / f"{name}-{digest}.wav"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wav)
    return str(path)


async def stop(ctx: AppContext, starting: asyncio.Task[VoiceStack | None]) -> None:
    ctx.voice = None
    ctx.listen = None
    ctx.web_callers = None
    stack = await starting
    if stack is not None and ctx.settings.voice_keep_calls and not ctx.end_calls:
        # The calls go on in rtpengine and the B2BUA; the next server takes them over
        # (their recordings are assembled once they end, by a later server's recovery).
        await stack.detach()
        return
    if stack is not None:
        await stack.stop()  # rtpengine deletes every call first: their pcaps are closed
        recorder = stack.control.recorder
        if recorder is not None:
            # Calls cut short by the shutdown are assembled too, and none is left halfway.
            for call in list(recorder.calls):
                await recorder.ended(call)
            await recorder.drain()


async def browser_answer(ctx: AppContext, agent: str, text: str) -> str | None:
    """Hands the agent's answer to the control plane; a notice for the page when refused."""
    control = ctx.voice
    take = None if control is None else functools.partial(control.browser_answer, agent)
    return await hand_answer("voice-answer", agent, text, take)


async def leg_restart(ctx: AppContext, agent: str, text: str) -> str | None:
    """The agent's page asks for a fresh offer to restart ICE on its call; a
    ``voice-error`` notice for the page when it cannot have one (it then reports the
    loss itself when its bound runs out)."""
    contact = json.loads(text).get("contact")
    if ctx.voice is None:
        refusal: str | None = "voice is not on in this server"
    elif not isinstance(contact, str):
        refusal = 'a voice-restart needs a "contact" string'
    else:
        try:
            refusal = await ctx.voice.restart_agent_leg(agent, contact)
        except Exception as exc:  # the media engine refused or did not answer
            log.warning("voice: the restart of %s for %s failed: %s", contact, agent, exc)
            refusal = "the media engine could not restart this call's connection"
    if refusal is None:
        return None
    return json.dumps({"type": "voice-error", "contact": contact, "message": refusal})


async def leg_lost(ctx: AppContext, agent: str, text: str) -> None:
    """The agent's page lost its call's media: the control plane treats it as a lost
    connection (nothing is said back; the stream's events tell the page what follows)."""
    contact = json.loads(text).get("contact")
    if ctx.voice is not None and isinstance(contact, str):
        await ctx.voice.agent_leg_lost(agent, contact)
