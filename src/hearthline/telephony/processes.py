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
import resource
import signal
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

_STOP_GRACE_S = 3.0
_MAX_BACKOFF_S = 8.0


_PR_SET_PDEATHSIG = 1


def _child_setup() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # A server killed outright must not leave its children holding the voice ports.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


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

    async def start(self) -> None:
        await self._spawn()
        self._watch = asyncio.get_running_loop().create_task(self._supervise())

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
