"""rtpengine as the server's child: the project's own config file, on the project's ports.

Debian's package runs its own unit on the default ports (ng 2223, media 30000-40000); this
one reads only the file written here (``--config-file``), in userspace (``table = -1``),
so the two never meet.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hearthline.telephony.ng import NgClient, NgError
from hearthline.telephony.processes import Child

_READY_TIMEOUT_S = 10.0


class VoiceUnavailable(RuntimeError):
    """A part real calls need is missing; the message names it."""


@dataclass(frozen=True, slots=True)
class RtpEngineConfig:
    ng_port: int
    port_min: int
    port_max: int
    interface: str = "127.0.0.1"
    # Where rtpengine reports the callers' DTMF keys (the control plane listens there).
    dtmf_port: int | None = None

    def render(self, scratch: Path) -> str:
        # GKeyFile: a comment after a value would become part of the value.
        lines = [
            "[rtpengine]",
            "table = -1",
            f"interface = {self.interface}",
            f"listen-ng = 127.0.0.1:{self.ng_port}",
            f"port-min = {self.port_min}",
            f"port-max = {self.port_max}",
            "timeout = 60",
            "silent-timeout = 3600",
            "delete-delay = 0",
            "foreground = true",
            "log-stderr = true",
            "log-level = 4",
            f"recording-dir = {scratch / 'recordings'}",
            "recording-method = pcap",
            "recording-format = eth",
        ]
        if self.dtmf_port is not None:
            lines.append(f"dtmf-log-dest = 127.0.0.1:{self.dtmf_port}")
        return "\n".join(lines) + "\n"


def binary() -> str:
    found = shutil.which("rtpengine")
    if found is None:
        raise VoiceUnavailable(
            "rtpengine is not installed (Debian: apt-get install rtpengine-daemon)"
        )
    return found


def child(config: RtpEngineConfig, scratch: Path, *, outlives: bool = False) -> Child:
    """The supervised rtpengine; ready once it answers ``ping``. ``outlives``: it keeps
    its calls when the server stops, and the next server takes it over (``processes.py``)."""
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "recordings").mkdir(exist_ok=True)
    conf = scratch / "rtpengine.conf"
    conf.write_text(config.render(scratch))
    argv = [binary(), f"--config-file={conf}", f"--pidfile={scratch / 'rtpengine.pid'}"]

    def client() -> NgClient:
        return NgClient("127.0.0.1", config.ng_port, timeout_s=0.2, tries=1)

    async def answers(process: asyncio.subprocess.Process) -> None:
        await wait_ready(client(), lambda: process.returncode)

    async def lasting_answers(pid: int) -> None:
        await wait_ready(client(), lambda: None if os.path.exists(f"/proc/{pid}") else -1)

    # Where it reports DTMF is left out: the next server binds that port again if it can,
    # and a call is not worth losing for the keys of a menu.
    settings = "\n".join(
        line for line in conf.read_text().splitlines() if not line.startswith("dtmf-log-dest")
    )
    return Child(
        "rtpengine", argv, cwd=scratch, started=answers, outlives=outlives,
        lasting_started=lasting_answers,
        fingerprint=hashlib.sha256(settings.encode()).hexdigest()[:16],
    )  # fmt: skip


async def wait_ready(client: NgClient, exited: Callable[[], int | None]) -> None:
    """Returns once rtpengine answers ``ping``; ``exited`` its exit status once it has
    exited (None while it runs)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _READY_TIMEOUT_S
    try:
        while loop.time() < deadline:
            code = exited()
            if code is not None:
                raise VoiceUnavailable(f"rtpengine exited with {code} on start")
            try:
                await client.request("ping")
                return
            except NgError:
                await asyncio.sleep(0.05)
        raise VoiceUnavailable(f"rtpengine did not answer ping within {_READY_TIMEOUT_S} s")
    finally:
        client.close()
