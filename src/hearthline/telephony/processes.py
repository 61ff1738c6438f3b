"""Child processes the server supervises: started, watched, restarted, stopped.

A child that exits on its own is started again after a pause that doubles on each quick
failure (up to a few seconds), so a broken install logs a line now and then rather than
spinning. Each child runs in its own scratch directory with core dumps off: rtpengine 10.5
segfaults on SIGTERM with recordings open and would leave a core file of 100+ MB. A
child is sent SIGTERM when the server dies, however it dies (Linux's parent-death signal).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import resource
import signal
import subprocess
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

_STOP_GRACE_S = 3.0
_MAX_BACKOFF_S = 8.0


_PR_SET_PDEATHSIG = 1
# Children of this process left running for the next server (``Child.detach``).
_LEFT_RUNNING: list[subprocess.Popen[bytes]] = []


def _child_setup() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # A server killed outright must not leave its children holding the voice ports.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _lasting_setup() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


async def _exited(pid: int) -> None:
    """Returns once process ``pid`` has ended (at once if it has already)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not done.done():
            done.set_result(None)

    loop.add_reader(fd, readable)
    try:
        await done
    finally:
        loop.remove_reader(fd)
        os.close(fd)


def _end_group(pid: int) -> None:
    """Ends what is left of the process group of a child that has exited: each child leads
    a group of its own, and a process of its own (Kamailio's, when its main one is
    killed) would otherwise run on, holding the child's port."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Child:
    """One supervised child; ``started`` runs after every (re)start, e.g. to wait until it
    answers."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        cwd: Path,
        pipes: bool = False,
        started: Callable[[asyncio.subprocess.Process], Awaitable[None]] | None = None,
        outlives: bool = False,
        lasting_started: Callable[[int], Awaitable[None]] | None = None,
        fingerprint: str = "",
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.cwd = cwd
        self.pipes = pipes
        self.started = started
        self.process: asyncio.subprocess.Process | None = None
        self.restarts = 0
        self._watch: asyncio.Task[None] | None = None
        self._stopping = False
        # Outliving the server: the pid (ours, or adopted from the last server), and the
        # check run after each start or adoption (given the pid).
        self.outlives = outlives
        self.lasting_started = lasting_started
        # What it was started with beyond its command line (its settings): a child left
        # running with other settings is stopped, not adopted.
        self.fingerprint = fingerprint
        self.pid: int | None = None
        self.adopted = False
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pidfile(self) -> Path:
        return self.cwd / f"{self.name}.child.pid"

    async def start(self) -> None:
        if self.outlives:
            await self._adopt_or_spawn()
            self._watch = asyncio.get_running_loop().create_task(self._supervise_lasting())
            return
        await self._spawn()
        self._watch = asyncio.get_running_loop().create_task(self._supervise())

    def _left_running(self) -> tuple[int, bool] | None:
        """The pid of this child as the last server left it running, if it still runs,
        and whether it runs with the same settings."""
        try:
            pid_line, _, fingerprint = self.pidfile.read_text().partition("\n")
            pid = int(pid_line)
        except (OSError, ValueError):
            return None
        # The same program with the same arguments: a reused pid is someone else.
        if pid <= 0 or not _alive(pid) or _cmdline(pid) != self.argv:
            return None
        return pid, fingerprint.strip() == self.fingerprint

    async def _adopt_or_spawn(self) -> None:
        left = self._left_running()
        if left is not None and not left[1]:
            # Its settings changed (ports, trunks): its calls cannot go on with ours.
            log.warning("%s (pid %d) runs with other settings; stopping it", self.name, left[0])
            self.pid = left[0]
            await self._stop_lasting()
            left = None
        if left is not None:
            pid = left[0]
            self.pid, self.adopted = pid, True
            log.info("%s: taken over from the last server (pid %d)", self.name, pid)
            if self.lasting_started is not None:
                await self.lasting_started(pid)
            return
        await self._spawn_lasting()

    async def _spawn_lasting(self) -> None:
        self.adopted = False
        with (self.cwd / f"{self.name}.log").open("ab") as out:
            self._popen = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                preexec_fn=_lasting_setup,
                start_new_session=True,  # its own session and process group: no signal of ours
            )
        self.pid = self._popen.pid
        tmp = self.pidfile.with_suffix(".tmp")
        tmp.write_text(f"{self.pid}\n{self.fingerprint}\n")
        tmp.replace(self.pidfile)
        if self.lasting_started is not None:
            await self.lasting_started(self.pid)

    async def _supervise_lasting(self) -> None:
        backoff = 0.25
        while True:
            assert self.pid is not None
            await _exited(self.pid)
            if self._popen is not None:
                await asyncio.to_thread(self._popen.wait)  # reaped: no zombie left
            if self._stopping:
                return
            log.warning("%s (pid %d) exited; starting it again in %.2f s",
                        self.name, self.pid, backoff)  # fmt: skip
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF_S)
            self.restarts += 1
            try:
                await self._spawn_lasting()
            except Exception:
                log.exception("%s could not be started again", self.name)

    async def detach(self) -> None:
        """Stops watching, and leaves the child running for the next server."""
        self._stopping = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        if self._popen is not None:
            # Left running on purpose: held here, Python neither warns of it nor waits.
            _LEFT_RUNNING.append(self._popen)
            self._popen = None

    async def _spawn(self) -> None:
        pipe = asyncio.subprocess.PIPE if self.pipes else None
        self.process = await asyncio.create_subprocess_exec(
            *self.argv,
            cwd=self.cwd,
            stdin=pipe,
            stdout=pipe,
            stderr=None,
            preexec_fn=_child_setup,
            start_new_session=True,  # a Ctrl-C in the terminal reaches the server, not us
        )
        if self.started is not None:
            await self.started(self.process)

    async def _supervise(self) -> None:
        backoff = 0.25
        while True:
            assert self.process is not None
            code = await self.process.wait()
            _end_group(self.process.pid)
            if self._stopping:
                return
            log.warning("%s exited with %s; starting it again in %.2f s", self.name, code, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF_S)
            self.restarts += 1
            try:
                await self._spawn()
            except Exception:
                log.exception("%s could not be started again", self.name)

    async def stop(self) -> None:
        self._stopping = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        if self.outlives:
            await self._stop_lasting()
            return
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), _STOP_GRACE_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        _end_group(process.pid)

    async def _stop_lasting(self) -> None:
        pid = self.pid
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(_exited(pid), _STOP_GRACE_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            await _exited(pid)
        if self._popen is not None:
            await asyncio.to_thread(self._popen.wait)
        self.pid = None
        with contextlib.suppress(OSError):
            self.pidfile.unlink()
