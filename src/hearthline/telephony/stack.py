"""Voice as the server runs it: rtpengine and the B2BUA as supervised children, and the
control plane between them and the writer. With ``rtpengines`` set, no rtpengine child:
the calls spread over those engines (``telephony/engines.py``).

    stack = VoiceStack(writer, config, find_number=..., tell_agent=...)
    await stack.start()      # raises VoiceUnavailable naming what is missing
    ... stack.control.browser_answer(agent, contact, sdp)
    await stack.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import os
import socket
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hearthline.service.writer import Writer
from hearthline.telephony import kamailio, prompts, rtpengine, trunks
from hearthline.telephony.control import ControlPlane, FindAnnouncements, FindNumber, TellAgent
from hearthline.telephony.dialout import FindLine
from hearthline.telephony.engines import EnginePool
from hearthline.telephony.media import RtpEngine
from hearthline.telephony.menu_calls import DtmfListener, FindMenu, LookUp, PromptCache
from hearthline.telephony.ng import Ng, NgClient
from hearthline.telephony.processes import Child
from hearthline.telephony.silence import DEFAULT_SILENT_S, SilenceWatch
from hearthline.telephony.takeover import take_over
from hearthline.telephony.trunks import Bounds, Registration, Trunk
from hearthline.telephony.waiting import (
    DEFAULT_EVERY_S,
    MonotonicClock,
    SpokenPrompts,
    WaitAnnouncer,
    WaitingMedia,
)
from hearthline.telephony.web_callers import WebCallers
from hearthline.telephony.workers import WorkerRoutes

log = logging.getLogger(__name__)

_LINE_LIMIT = 64 * 1024


@dataclass(frozen=True, slots=True)
class VoiceConfig:
    scratch: Path
    sip_host: str = "127.0.0.1"
    sip_port: int = 5070
    ng_port: int = 22790
    rtp_min: int = 42000
    rtp_max: int = 42999
    # Seconds between a queued caller's position and wait announcements; 0: none.
    announce_every_s: float = DEFAULT_EVERY_S
    # Seconds without a packet from a bridged agent leg before it counts as a lost
    # connection (``telephony/silence.py``); 0: not watched.
    agent_silence_s: float = DEFAULT_SILENT_S
    # Who may call; none: loopback only. The bounds on what one source may send.
    trunks: tuple[Trunk, ...] = ()
    bounds: Bounds = field(default_factory=Bounds)
    registrations: tuple[Registration, ...] = ()
    # A dialled callback not answered within this many seconds is cancelled.
    dial_timeout_s: float = 30.0
    # External rtpengines' ng addresses (the scale tier); none: one rtpengine child on
    # ``ng_port`` and ``rtp_min``-``rtp_max``.
    rtpengines: tuple[tuple[str, int], ...] = ()
    # Where rtpengine sends the callers' keys; 0: a free port (an external engine's
    # ``dtmf-log-dest`` must name a fixed one).
    dtmf_port: int = 0
    # rtpengine and the B2BUA outlive the server, and the next one takes their calls
    # over (``telephony/takeover.py``, docs/voice.md "Restarts").
    keep_calls: bool = False
    # B2BUA workers; past one, each on its own port (``sip_port`` + 1, + 2, ...) behind
    # Kamailio on ``sip_port`` (``telephony/kamailio.py``); not with ``keep_calls``.
    b2bua_workers: int = 1


class VoiceStack:
    def __init__(
        self,
        writer: Writer,
        config: VoiceConfig,
        *,
        find_number: FindNumber,
        tell_agent: TellAgent,
        find_menu: FindMenu | None = None,
        look_up: LookUp | None = None,
        find_announcements: FindAnnouncements | None = None,
        find_line: FindLine | None = None,
    ) -> None:
        self.config = config
        self.pool = EnginePool(config.rtpengines) if config.rtpengines else None
        self.ng: Ng = self.pool if self.pool is not None else NgClient("127.0.0.1", config.ng_port)
        # Bound now, so rtpengine's config can name its port: an external engine's names
        # a fixed one; a kept rtpengine goes on reporting to the one it was given.
        self._dtmf_socket = _dtmf_socket(
            config.scratch / "rtpengine" / "rtpengine.conf" if config.keep_calls else None,
            config.dtmf_port,
        )
        dtmf_port = int(self._dtmf_socket.getsockname()[1])
        self._dtmf: asyncio.DatagramTransport | None = None
        self.rtpengine: Child | None = None
        if self.pool is None:
            self.rtpengine = rtpengine.child(
                rtpengine.RtpEngineConfig(
                    config.ng_port, config.rtp_min, config.rtp_max, dtmf_port=dtmf_port
                ),
                config.scratch / "rtpengine",
                outlives=config.keep_calls,
            )
        # The trunks go to the B2BUA in a file of the owner's only, not on its command line.
        trunks_file = config.scratch / "b2bua-trunks.json"
        trunks.dump(
            trunks_file,
            list(config.trunks) or [trunks.loopback_trunk()],
            _worker_bounds(config.bounds, config.b2bua_workers),
            config.registrations,
        )
        argv = [sys.executable, "-m", "hearthline.telephony.b2bua",
                "--host", config.sip_host, "--port", str(config.sip_port),
                "--trunks", str(trunks_file)]  # fmt: skip
        # Several workers behind Kamailio: which one holds each call.
        self.routes: WorkerRoutes | None = None
        self.workers: list[Child] = []
        self.kamailio: Child | None = None
        if config.b2bua_workers > 1:
            self._several_workers(argv)
        self._link_path = config.scratch / "b2bua.sock"
        self._link: asyncio.StreamWriter | None = None
        # The B2BUA's answer to "list", and what it sent before it (``_read_link``).
        self._dialogs: asyncio.Future[list[dict[str, Any]]] | None = None
        self._held: list[dict[str, Any]] = []
        self._running = False
        if self.workers:
            self.b2bua = self.workers[0]
        elif config.keep_calls:
            self.b2bua = Child(
                "b2bua", [*argv, "--socket", str(self._link_path)], cwd=config.scratch,
                outlives=True, lasting_started=self._b2bua_connect,
                fingerprint=hashlib.sha256(trunks_file.read_bytes()).hexdigest()[:16],
            )  # fmt: skip
        else:
            self.b2bua = Child(
                "b2bua", argv, cwd=config.scratch, pipes=True, started=self._b2bua_started
            )
        files = PromptCache(config.scratch / "prompts" / "joined")
        media = WaitingMedia(RtpEngine(self.ng), clock=MonotonicClock(), seconds=files.seconds)
        self.control = ControlPlane(
            writer=writer,
            media=media,
            find_number=find_number,
            signal=self._signal,
            tell_agent=tell_agent,
            prompt="",  # the files are made in ``start``, off the event loop
            find_menu=find_menu,
            look_up=look_up,
            files=files,
            find_announcements=find_announcements,
            way_out=trunks.way_out(config.trunks),
            dial_timeout_s=config.dial_timeout_s,
            find_line=find_line,
        )
        # Callers in a browser tab: their calls' signals go to their pages, not the B2BUA.
        self.web = WebCallers(self.control)
        self.announcer = WaitAnnouncer(
            self.control,
            media,
            every_s=config.announce_every_s,
            speak=SpokenPrompts(config.scratch / "prompts" / "spoken"),
        )
        self.silence = SilenceWatch(
            self.control, RtpEngine(self.ng).received, silent_s=config.agent_silence_s
        )
        # Each registrar's last outcome, as the B2BUA told it.
        self.registrations: dict[str, dict[str, Any]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._per_call: dict[str, asyncio.Task[None]] = {}

    async def start(self) -> None:
        made = await asyncio.to_thread(
            prompts.ensure_default, self.config.scratch / "prompts" / "default"
        )
        self.control.prompt = str(made["greeting"])
        self.control.music = str(made["hold"])
        self.control.reconnect_prompt = str(made["reconnect"])
        self.control.voicemail_prompt = str(made["voicemail"])
        self.control.callback_prompt = str(made["callback"])
        self._dtmf, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: DtmfListener(self.control), sock=self._dtmf_socket
        )
        if self.rtpengine is not None:
            await self.rtpengine.start()
        if self.pool is not None:
            await self.pool.check()
            down = [e.name for e in self.pool.engines if not e.up]
            if len(down) == len(self.pool.engines):
                log.warning("voice: no rtpengine answers yet (%s)", ", ".join(down))
            self._tasks.append(asyncio.get_running_loop().create_task(self.pool.run()))
        if self.workers:
            for worker in self.workers:
                await worker.start()
            assert self.kamailio is not None
            await self.kamailio.start()
        else:
            await self.b2bua.start()
        self.control.attach()  # before the server hears of us: no event is missed
        self._tasks.append(asyncio.get_running_loop().create_task(self.control.run()))
        if self.config.keep_calls:
            self.control.keep = self._keep
            self._running = True
            await self._take_over()
        self._tasks.append(asyncio.get_running_loop().create_task(self.announcer.run()))
        self._tasks.append(asyncio.get_running_loop().create_task(self.silence.run()))

    async def _b2bua_started(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        first = await asyncio.wait_for(process.stdout.readline(), 10.0)
        if b'"ready"' not in first:
            raise rtpengine.VoiceUnavailable(f"the B2BUA did not start: {first[:200]!r}")
        self._tasks.append(asyncio.get_running_loop().create_task(self._read(process)))

    # Several workers behind Kamailio ------------------------------------------------

    def _several_workers(self, argv: list[str]) -> None:
        config = self.config
        if config.keep_calls:
            raise rtpengine.VoiceUnavailable(
                "several B2BUA workers do not keep calls over a restart yet"
            )
        host = "127.0.0.1" if config.sip_host in ("0.0.0.0", "") else config.sip_host
        # One nonce key for all: a 401's answer may reach another worker than the 401's.
        key = config.scratch / "b2bua-nonce.key"
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)  # the owner's only, also if it was there before
            os.write(fd, os.urandom(64))
        finally:
            os.close(fd)
        addresses = tuple((host, config.sip_port + 1 + i) for i in range(config.b2bua_workers))
        self.routes = WorkerRoutes(len(addresses))
        for index, (_, port) in enumerate(addresses):
            worker_argv = [*argv, "--proxy", f"{host}:{config.sip_port}",
                           "--nonce-key", str(key)]  # fmt: skip
            # The first registers for all, naming Kamailio's port: calls come that way.
            worker_argv += (
                ["--contact-port", str(config.sip_port)] if index == 0 else ["--no-register"]
            )
            worker_argv[worker_argv.index("--port") + 1] = str(port)
            started = functools.partial(self._worker_started, index)
            name = f"b2bua-{index + 1}"
            child = Child(name, worker_argv, cwd=config.scratch, pipes=True, started=started)
            self.workers.append(child)
        self.kamailio = kamailio.child(
            kamailio.KamailioConfig(
                config.sip_host, config.sip_port, addresses, config.bounds.retry_after_s
            ),
            config.scratch / "kamailio",
        )

    async def _worker_started(self, index: int, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        first = await asyncio.wait_for(process.stdout.readline(), 10.0)
        if b'"ready"' not in first:
            raise rtpengine.VoiceUnavailable(f"B2BUA worker {index + 1} did not start")
        self._tasks.append(
            asyncio.get_running_loop().create_task(self._read_worker(index, process))
        )

    async def _read_worker(self, index: int, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        assert self.routes is not None
        while line := await process.stdout.readline():
            message = _message(line)
            if message is not None:
                self.routes.heard(index, message)
                self._take(message)
        # The worker is gone, and its dialogs with it: their calls are over for the server
        # too (its supervisor starts it again; Kamailio sends it nothing until it answers).
        for event in self.routes.lost(index):
            log.warning("voice: B2BUA worker %d exited with call %s", index + 1, event["call"])
            self._take(event)

    def _worker_alive(self, index: int) -> bool:
        process = self.workers[index].process
        return process is not None and process.returncode is None

    def _reachable(self, call: str) -> bool:
        """Whether the engine holding ``call`` answers (one child: always asked)."""
        engine = None if self.pool is None else self.pool.holding(call)
        return engine is None or engine.up

    # Calls that outlive the server: the B2BUA on its socket -----------------------------

    async def _b2bua_connect(self, pid: int) -> None:
        """Connects to the B2BUA (ours, or the last server's) and reads its "ready"."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10.0
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(
                    str(self._link_path), limit=_LINE_LIMIT * 2
                )
                break
            except OSError:
                if loop.time() > deadline or not Path(f"/proc/{pid}").exists():
                    raise rtpengine.VoiceUnavailable("the B2BUA did not start") from None
                await asyncio.sleep(0.05)
        first = await asyncio.wait_for(reader.readline(), 10.0)
        if b'"ready"' not in first:
            raise rtpengine.VoiceUnavailable(f"the B2BUA did not start: {first[:200]!r}")
        if self._link is not None:
            self._link.close()
        self._link = writer
        self._dialogs = dialogs = loop.create_future()
        self._held = []
        self._tasks.append(loop.create_task(self._read_link(reader, dialogs)))
        if self._running:
            await self._take_over()  # the B2BUA came back while we run

    async def _read_link(
        self, reader: asyncio.StreamReader, dialogs: asyncio.Future[list[dict[str, Any]]]
    ) -> None:
        while True:
            try:
                line = await reader.readline()
            except ValueError:  # a line past the limit: dropped
                continue
            except OSError:
                line = b""
            if not line:
                return  # the B2BUA exited; its supervisor starts it again and reconnects
            message = _message(line)
            if message is None:
                continue
            if message.get("event") == "dialogs" and not dialogs.done():
                listed = message.get("dialogs")
                dialogs.set_result(listed if isinstance(listed, list) else [])
            elif not dialogs.done():
                self._held.append(message)  # sent while no server was there: after the list
            else:
                self._take(message)

    async def _take_over(self) -> None:
        assert self._dialogs is not None
        self._signal({"do": "list"})
        try:
            dialogs = await asyncio.wait_for(asyncio.shield(self._dialogs), 10.0)
        except TimeoutError:
            log.warning("voice: the B2BUA did not list its dialogs; none taken over")
            dialogs = []
        engine = RtpEngine(self.ng)

        async def has_media(call: str) -> bool:
            return await engine.received(call, "caller") is not None

        try:
            new = await take_over(
                self.control, dialogs, has_media=has_media, b2bua_kept=self.b2bua.adopted
            )
        except Exception:
            log.exception("voice: the live calls could not be taken over")
            new = []
        held, self._held = self._held, []
        invited = {str(m.get("call")) for m in held if m.get("event") == "invite"}
        for message in [*held, *(m for m in new if str(m["call"]) not in invited)]:
            self._take(message)

    def _keep(self, call: str, note: dict[str, object]) -> None:
        self._signal({"do": "keep", "call": call, "note": note})

    def _signal(self, message: dict[str, object]) -> None:
        if self.web.take(message):
            return
        if self.config.keep_calls:
            if self._link is None or self._link.is_closing():
                log.warning("voice: the B2BUA is down; %s not sent", message.get("do"))
                return
            self._link.write(json.dumps(message).encode() + b"\n")
            return
        child = self.b2bua
        if self.routes is not None:
            index = self.routes.to(message, self._worker_alive)
            if index is None:
                if message.get("do") == "dial":
                    call = str(message.get("call", ""))
                    self._take({"event": "failed", "call": call, "code": 0,
                                "reason": "no B2BUA worker runs"})  # fmt: skip
                return  # the call is over on its worker already
            child = self.workers[index]
        process = child.process
        if process is None or process.stdin is None or process.returncode is not None:
            log.warning("voice: the B2BUA is down; %s not sent", message.get("do"))
            return
        process.stdin.write(json.dumps(message).encode() + b"\n")

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while line := await process.stdout.readline():
            message = _message(line)
            if message is not None:
                self._take(message)

    def _take(self, message: dict[str, Any]) -> None:
        if message.get("event") in ("registered", "registration-failed"):
            self.registrations[str(message.get("registrar"))] = message
            log.info("voice: %s", " ".join(f"{k}={v}" for k, v in message.items()))
            return
        self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        # One call's signals in order (its hang-up after its invite); calls in parallel.
        call = str(message.get("call", ""))
        before = self._per_call.get(call)

        async def handle() -> None:
            if before is not None:
                with contextlib.suppress(Exception):
                    await before
            try:
                await self.control.on_signal(message)
            except Exception:
                log.exception("voice: could not handle %s", message.get("event"))
            finally:
                if self._per_call.get(call) is task:
                    del self._per_call[call]

        task = asyncio.get_running_loop().create_task(handle())
        self._per_call[call] = task

    async def _cancel_tasks(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _close_sockets(self) -> None:
        """This server's own sockets: to the B2BUA, to rtpengine and for the keys."""
        if self._link is not None:
            self._link.close()
        self.ng.close()
        if self._dtmf is not None:
            self._dtmf.close()
        else:
            self._dtmf_socket.close()

    async def detach(self) -> None:
        """Stops this server's part and leaves rtpengine and the B2BUA running with the
        live calls, for the next server to take over (``keep_calls``)."""
        await self._cancel_tasks()
        await self.b2bua.detach()
        if self.rtpengine is not None:
            await self.rtpengine.detach()
        self._close_sockets()

    async def stop(self) -> None:
        for call in list(self.control.calls):
            if self.pool is not None and not self._reachable(call):
                continue  # left alone, as while running: not 3 s of waiting per call
            with contextlib.suppress(Exception):
                await self.control.media.end(call)  # rtpengine 10.5 may crash on SIGTERM otherwise
        await self._cancel_tasks()
        if self.kamailio is not None:
            await self.kamailio.stop()
        for worker in self.workers or [self.b2bua]:
            await worker.stop()
        if self.rtpengine is not None:
            await self.rtpengine.stop()  # external engines are left running
        self._close_sockets()


def _worker_bounds(bounds: Bounds, workers: int) -> Bounds:
    """Each worker's share of the per-source bounds: Kamailio spreads one source's
    requests over the workers in turn, so N workers together let about the bound through
    (a little less while one is out of the rotation)."""
    if workers <= 1:
        return bounds
    return replace(
        bounds,
        requests_per_s=bounds.requests_per_s / workers,
        invites_per_s=bounds.invites_per_s / workers,
    )


def _message(line: bytes) -> dict[str, Any] | None:
    if len(line) > _LINE_LIMIT:
        return None
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def _dtmf_socket(kept_conf: Path | None, fixed: int) -> socket.socket:
    """The socket rtpengine reports DTMF to: on ``fixed`` if set (external engines name
    it in their config), else on the port a kept rtpengine's config names (it goes on
    reporting there after a restart), else any free one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if fixed:
        sock.bind(("127.0.0.1", fixed))
        return sock
    port = 0
    if kept_conf is not None:
        with contextlib.suppress(OSError, ValueError):
            for line in kept_conf.read_text().splitlines():
                if line.startswith("dtmf-log-dest"):
                    port = int(line.rpartition(":")[2])
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.bind(("127.0.0.1", 0))
    return sock
