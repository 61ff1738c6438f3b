"""The demo's callers who speak, for the person at the desk (`you`).

Simulated agents take simulated contacts, which need no media. The person signed in as
`you` gets real calls only (the simulated callers require ``!phone``): while signed in,
one caller at a time (sipp, a real SIP caller) rings the number of one of `you`'s queues
through the demo's own B2BUA and, once answered, says a sentence fitting that campaign
(espeak-ng, made once into the data directory) over and over, hearing whatever the agent
says, until the center hangs up or ``BOUND_S`` has passed. The demo's real calls require
the ``phone`` skill, which only `you` has (the ``voice_calls_require`` setting): no
simulated agent is offered one.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from random import Random

from hearthline.demo.firm import HUMAN_AGENT
from hearthline.kernel.ids import AgentId
from hearthline.routing.domain import LiveRouting
from hearthline.routing.states import AgentState
from hearthline.service.state import LiveState
from hearthline.service.writer import Writer
from hearthline.telephony import prompts

log = logging.getLogger(__name__)

# The skill real calls require in the demo; only `you` has it.
PHONE_SKILL = "phone"
CALLS_REQUIRE = f"{PHONE_SKILL}>=1"
# ...and the simulated callers' own, while callers who speak run: anyone but the desk.
SIMULATED_REQUIRE = f"!{PHONE_SKILL}"
# A caller nobody answers gives up after this many real seconds.
BOUND_S = 180.0
_EVERY_S = 2.0

# What a caller says, by the campaign of the queue they call.
SENTENCES: dict[str, tuple[str, ...]] = {
    "northwind-sales": (
        "Hello, I would like to order the blue hiking jacket in a medium, please.",
        "Hi, do you have the trail running shoes in size nine?",
    ),
    "northwind-returns": (
        "Hello, I want to return a pair of boots that are too small. My order number is 5 2 0 1 4.",
        "Hi, the tent I received has a broken pole. Can I get a replacement?",
    ),
    "brightwave-help": (
        "Hello, my internet connection keeps dropping every evening.",
        "Hi, I cannot log in to my account since the update.",
    ),
}


@dataclass(frozen=True, slots=True)
class Line:
    number: str
    queue: str
    scenarios: tuple[Path, ...]  # one per sentence


def prepare(lines: list[tuple[str, str, str]], directory: Path) -> list[Line]:
    """The sentences spoken once (8 kHz mu-law WAVs, as sipp streams them) and a sipp
    scenario per sentence, under ``directory``; ``lines`` are (number, queue, campaign)."""
    template = resources.files("hearthline.demo").joinpath("speaking_caller.xml").read_text()
    made: list[Line] = []
    for number, queue, campaign in lines:
        scenarios: list[Path] = []
        for i, text in enumerate(SENTENCES.get(campaign, ())):
            spoken = prompts.speak(text, directory / f"{campaign}-{i}.wav")
            mulaw = directory / f"{campaign}-{i}.ulaw.wav"
            if not mulaw.exists():
                subprocess.run(
                    ["sox", str(spoken), "-r", "8000", "-c", "1", "-e", "u-law", str(mulaw)],
                    check=True, capture_output=True, timeout=30,
                )  # fmt: skip
            scenario = directory / f"{campaign}-{i}.xml"
            scenario.write_text(
                template.replace("[speech]", str(mulaw)).replace(
                    "[bound_ms]", str(int(BOUND_S * 1000))
                )
            )
            scenarios.append(scenario)
        if scenarios:
            made.append(Line(number, queue, tuple(scenarios)))
    return made


def place(sip_port: int, line: Line, scenario: Path, *, caller: str) -> subprocess.Popen[bytes]:
    """One caller: sipp dialling ``line`` on the B2BUA at 127.0.0.1:``sip_port``."""
    return subprocess.Popen(
        ["sipp", f"127.0.0.1:{sip_port}", "-sf", str(scenario), "-s", line.number,
         "-i", "127.0.0.1", "-p", str(_free_port()), "-mp", str(_free_media_port()),
         "-key", "caller", caller, "-m", "1", "-l", "1",
         "-timeout", f"{int(BOUND_S) + 30}s", "-nostdin"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def signed_in(agent: AgentId) -> Callable[[LiveState], bool]:
    """A query of the center: whether ``agent`` is signed in (in any state)."""

    def read(state: LiveState) -> bool:
        found = state.part(LiveRouting).router.agents.get(agent)
        return found is not None and found.state not in (AgentState.OFFLINE, AgentState.RETIRED)

    return read


class SpeakingCallers:
    """One speaking caller at a time while ``agent`` (`you`) is signed in, on its own thread."""

    def __init__(
        self,
        writer: Writer,
        lines: Callable[[], list[Line]],
        *,
        sip_port: int,
        callers: list[str],
        seed: int,
        ready: Callable[[], bool] = lambda: True,
        agent: AgentId = HUMAN_AGENT,
    ) -> None:
        self.writer = writer
        self.lines = lines  # made on the thread: espeak-ng takes a few seconds
        self.sip_port = sip_port
        self.callers = callers
        self.ready = ready  # voice is up (it starts beside the server)
        self.signed_in = signed_in(agent)
        self.rng = Random(seed)
        self.stop = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.placed = 0
        self._thread = threading.Thread(target=self._run, name="demo-callers", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            made = self.lines()
        except (OSError, subprocess.SubprocessError):
            log.exception("demo: the speaking callers' sentences could not be made")
            return
        while made and not self.stop.wait(_EVERY_S):
            if self.process is not None and self.process.poll() is None:
                continue
            try:
                if not self.ready() or not self.writer.query(self.signed_in):
                    continue
            except Exception:  # the writer is stopping
                continue
            line = self.rng.choice(made)
            caller = self.rng.choice(self.callers) if self.callers else "+15550199"
            self.process = place(
                self.sip_port, line, self.rng.choice(line.scenarios), caller=caller
            )
            self.placed += 1

    def close(self) -> None:
        self.stop.set()
        self._thread.join(5.0)
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(5.0)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def available() -> bool:
    return shutil.which("sipp") is not None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _free_media_port() -> int:
    """An even port whose next three (RTCP, and sipp's video pair) were free just now."""
    for _ in range(50):
        port = _free_port() & ~1
        socks: list[socket.socket] = []
        try:
            for p in range(port, port + 4):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
        return port
    return _free_port()
