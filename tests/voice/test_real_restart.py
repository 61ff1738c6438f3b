"""A server restart mid-call drops nothing: ``hearthline serve`` with ``voice_keep_calls``
is killed outright (SIGKILL) while a sipp caller talks to a Chromium agent, and started
again. rtpengine and the B2BUA outlive it and keep the media flowing both ways all the
while (checked by frequency at both ends); the new server takes the call over, the
agent's page reconnects by itself and still shows the call, hold and hang-up work from
the desk, and the log holds one call, answered, bridged and ended by the agent. A caller
queued across a restart still hears the music and is put through to the next agent.
Ctrl-C (SIGINT) then ends everything: no child is left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Page, Playwright, expect
from sqlalchemy import insert, select

from hearthline.routing.events import ContactDropped, ContactEnded
from hearthline.service.domains import CODEC
from hearthline.store import tables
from hearthline.store.engine import create_store_engine
from hearthline.store.log import read_events
from hearthline.voice.events import CallEnded
from tests.api.test_cli import HEARTHLINE
from tests.databases import migrated_sqlite
from tests.ports import rtp_range
from tests.serving import free_port, wait_for_health
from tests.voice.rig import call_rig, hold_and_resume, sipp_calls, tone_wav
from tests.voice.rtp import peak_hz
from tests.voice.test_real_call import _browser_peak
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import seed_firm
from tests.web.support import no_page_errors, open_as, start_ready

pytestmark = [pytest.mark.voice, pytest.mark.browser, pytest.mark.slow]

skip_without_voice_tools()

NUMBER = "+15550177"
CALLER_HZ = 600.0
AGENT_HZ = 1000.0


@dataclass
class Served:
    """``hearthline serve`` as its own process, started again on the same data and ports."""

    data: Path
    env: dict[str, str]
    port: int
    process: subprocess.Popen[str] | None = None
    runs: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def output(self) -> Path:
        return self.data / f"serve-{self.runs}.log"

    def start(self) -> None:
        self.runs += 1
        with self.output.open("w") as out:
            self.process = subprocess.Popen(
                [HEARTHLINE, "serve", "--voice", "--data-dir", str(self.data),
                 "--port", str(self.port)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip
        wait_for_health(self.url, self.process)
        self.wait_for("voice: SIP on")

    def wait_for(self, text: str, timeout_s: float = 30) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            found = self.output.read_text()
            if text in found:
                return found
            assert self.process is not None and self.process.poll() is None, found[-3000:]
            assert time.monotonic() < deadline, f"no {text!r} in: {found[-3000:]}"
            time.sleep(0.1)

    def children(self) -> list[psutil.Process]:
        """rtpengine and the B2BUA, from the pid files they are kept by."""
        return [psutil.Process(_pid(self.data / "voice" / f"{n}.child.pid")) for n in CHILDREN]


CHILDREN = ("rtpengine/rtpengine", "b2bua")


def _pid(pidfile: Path) -> int:
    return int(pidfile.read_text().partition("\n")[0])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    db = tmp_path / "hearthline.sqlite3"
    url = migrated_sqlite(db)
    engine = create_store_engine(url)
    seed_firm(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(tables.numbers).values(number=NUMBER, queue_id="returns", label="Returns")
        )
    engine.dispose()
    rtp_min, rtp_max = rtp_range("restart")
    env = {k: v for k, v in os.environ.items() if k != "HEARTHLINE_DATABASE_URL"} | {
        "HEARTHLINE_DATABASE_URL": url,
        "HEARTHLINE_ARGON2_TIME_COST": "1",
        "HEARTHLINE_ARGON2_MEMORY_KIB": "1024",
        "HEARTHLINE_VOICE_SIP_PORT": str(free_port()),
        "HEARTHLINE_VOICE_NG_PORT": str(free_port()),
        "HEARTHLINE_VOICE_RTP_MIN": str(rtp_min),
        "HEARTHLINE_VOICE_RTP_MAX": str(rtp_max),
        "HEARTHLINE_VOICE_KEEP_CALLS": "true",
        "HEARTHLINE_VOICE_AGENT_SILENCE_S": "3",
    }
    server = Served(tmp_path, env, free_port())
    yield server
    # Whatever happened, nothing is left running.
    if server.process is not None and server.process.poll() is None:
        server.process.kill()
        server.process.wait()
    kids: list[psutil.Process] = []
    for name in CHILDREN:
        with contextlib.suppress(psutil.NoSuchProcess, OSError, ValueError):
            kids.append(psutil.Process(_pid(tmp_path / "voice" / f"{name}.child.pid")))
    for kid in kids:
        kid.kill()
    psutil.wait_procs(kids, timeout=5)


def _no_errors_but_the_outage(page: Page) -> None:
    """The page's script errors, but for its stream's tries while no server was there."""
    errors: list[str] = page.errors  # type: ignore[attr-defined]
    page.errors = [  # type: ignore[attr-defined]
        e for e in errors if not ("/api/stream" in e and "ERR_CONNECTION_REFUSED" in e)
    ]
    no_page_errors(page)


def _agent_heard(page: Page) -> None:
    heard = _browser_peak(page)
    assert heard["packets"] > 20, heard
    assert abs(heard["hz"] - CALLER_HZ) < 30, f"the agent heard {heard}, not {CALLER_HZ} Hz"


def _one_call_in_the_log(served: Served) -> None:
    """One call in the log: answered, bridged to Maria, ended by her; nothing dropped."""
    engine = create_store_engine(served.env["HEARTHLINE_DATABASE_URL"])
    try:
        e = tables.events.c
        with engine.connect() as conn:
            legs = conn.execute(
                select(e.type, e.agent_id).where(e.type.like("Call%")).order_by(e.id)
            ).all()
            types = list(conn.execute(select(e.type).order_by(e.id)).scalars())
    finally:
        engine.dispose()
    assert [tuple(row) for row in legs] == [
        ("CallAnswered", None),
        ("CallBridged", "a-maria"),
        ("CallEnded", "a-maria"),
    ]
    assert "ContactDropped" not in types
    assert types.count("ContactEnded") == 1


def test_a_call_goes_on_through_a_killed_and_restarted_server(
    served: Served, playwright: Playwright, tmp_path: Path, screenshots: Path
) -> None:
    served.start()
    tone = tone_wav(tmp_path / "agent.wav", AGENT_HZ)
    with call_rig(playwright, tone, CALLER_HZ) as rig:
        caller = rig.caller
        page = open_as(rig.browser, served, "maria", lands_on="/agent")
        start_ready(page)
        sipp = rig.track(sipp_calls(int(served.env["HEARTHLINE_VOICE_SIP_PORT"]), NUMBER,
                                    caller.port, timeout_s=120))  # fmt: skip
        expect(page.locator("#offer-layer")).to_be_visible()
        page.click("#accept-button")
        expect(page.locator("#softphone-text")).to_have_text("On the call: talking")
        _agent_heard(page)
        time.sleep(1.0)
        assert abs(peak_hz(caller.audio_since(time.monotonic() - 0.7)) - AGENT_HZ) < 30
        kept = served.children()

        # Killed outright: no clean-up of any kind runs.
        assert served.process is not None
        served.process.send_signal(signal.SIGKILL)
        served.process.wait()
        killed_at = time.monotonic()
        time.sleep(2.0)
        assert all(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kept)
        # The media never stopped: the caller hears the agent with no server at all.
        down = caller.audio_since(killed_at + 0.2)
        assert len(down) >= 1.5 * 8000, f"{len(down)} samples in 2 s without a server"
        assert abs(peak_hz(down) - AGENT_HZ) < 30, peak_hz(down)
        _agent_heard(page)  # and the agent the caller

        served.start()
        log = served.wait_for("voice: took over 1 live call(s), ended 0")
        assert "Traceback" not in log
        assert [k.pid for k in served.children()] == [k.pid for k in kept]
        restarted_at = time.monotonic()
        # The page is back by itself, with the call still on its desk.
        expect(page.locator("#conn .text")).to_have_text("Connected", timeout=20_000)
        expect(page.locator("#state-pill")).to_have_text("On contact")
        expect(page.locator("#softphone-text")).to_have_text("On the call: talking")
        page.screenshot(path=str(screenshots / "voice-call-after-restart.png"))
        _agent_heard(page)
        time.sleep(1.0)
        through = caller.audio_since(killed_at)
        # No gap: about 8000 samples a second from the kill to now.
        seconds = time.monotonic() - killed_at
        assert len(through) >= 0.9 * 8000 * seconds, (len(through), seconds)
        assert abs(peak_hz(caller.audio_since(restarted_at)) - AGENT_HZ) < 30

        # The desk drives the call as before: hold (music), resume, hang up (BYE).
        hold_and_resume(page, caller, AGENT_HZ)
        page.click("#hangup-button")
        expect(page.locator("#state-pill")).to_have_text("Wrap-up")
        assert sipp.wait(timeout=15) == 0, "sipp got no BYE"
        expect(page.locator("#softphone-text")).to_have_text("Call ended")
        _no_errors_but_the_outage(page)

        _one_call_in_the_log(served)

        # Ctrl-C ends everything: the server and both children.
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=30) == 0
        _, alive = psutil.wait_procs(kept, timeout=5)
        assert alive == []


def test_a_queued_caller_waits_through_a_restart_and_gets_the_next_agent(
    served: Served, playwright: Playwright, tmp_path: Path
) -> None:
    served.start()
    tone = tone_wav(tmp_path / "agent.wav", AGENT_HZ)
    with call_rig(playwright, tone, CALLER_HZ) as rig:
        caller = rig.caller
        page = open_as(rig.browser, served, "maria", lands_on="/agent")
        page.click("#start-button")
        expect(page.locator("#state-pill")).to_have_text("Not ready")
        sipp = rig.track(sipp_calls(int(served.env["HEARTHLINE_VOICE_SIP_PORT"]), NUMBER,
                                    caller.port, timeout_s=120))  # fmt: skip
        deadline = time.monotonic() + 10
        while len(caller.received) < 50 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(caller.received) >= 50, "the caller heard nothing while queued"
        kept = served.children()

        # A planned restart (SIGTERM): the server stops cleanly, the call does not.
        assert served.process is not None
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=30) == 0
        stopped_at = time.monotonic()
        time.sleep(2.0)
        assert all(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kept)
        waiting = caller.audio_since(stopped_at + 0.2)
        assert len(waiting) >= 1.5 * 8000, f"{len(waiting)} samples in 2 s without a server"
        assert waiting.std() > 100, "the queued caller hears silence without a server"

        served.start()
        served.wait_for("voice: took over 1 live call(s), ended 0")
        expect(page.locator("#conn .text")).to_have_text("Connected", timeout=20_000)
        page.click("#ready-button")
        expect(page.locator("#offer-layer")).to_be_visible()
        page.click("#accept-button")
        expect(page.locator("#softphone-text")).to_have_text("On the call: talking")
        _agent_heard(page)
        bridged_at = time.monotonic()
        time.sleep(1.0)
        assert abs(peak_hz(caller.audio_since(bridged_at + 0.3)) - AGENT_HZ) < 30
        page.click("#hangup-button")
        expect(page.locator("#state-pill")).to_have_text("Wrap-up")
        assert sipp.wait(timeout=15) == 0, "sipp got no BYE"
        _no_errors_but_the_outage(page)
        _one_call_in_the_log(served)


def test_a_caller_who_hangs_up_while_no_server_is_there_is_ended_on_their_side(
    served: Served, playwright: Playwright, tmp_path: Path
) -> None:
    served.start()
    tone = tone_wav(tmp_path / "agent.wav", AGENT_HZ)
    with call_rig(playwright, tone, CALLER_HZ) as rig:
        caller = rig.caller
        page = open_as(rig.browser, served, "maria", lands_on="/agent")
        start_ready(page)
        # The caller hangs up (BYE) 10 s after the answer: while no server is there.
        sipp = rig.track(sipp_calls(int(served.env["HEARTHLINE_VOICE_SIP_PORT"]), NUMBER,
                                    caller.port, scenario="caller_hangs_up.xml",
                                    extra=("-d", "10000")))  # fmt: skip
        expect(page.locator("#offer-layer")).to_be_visible()
        page.click("#accept-button")
        expect(page.locator("#softphone-text")).to_have_text("On the call: talking")
        assert served.process is not None
        served.process.send_signal(signal.SIGKILL)
        served.process.wait()
        assert sipp.wait(timeout=20) == 0, "the B2BUA did not answer the caller's BYE"

        served.start()
        served.wait_for("voice: took over 0 live call(s), ended 1")
        expect(page.locator("#conn .text")).to_have_text("Connected", timeout=20_000)
        expect(page.locator("#state-pill")).to_have_text("Wrap-up")
        expect(page.locator("#softphone-text")).to_have_text("Call ended")
        _no_errors_but_the_outage(page)
        engine = create_store_engine(served.env["HEARTHLINE_DATABASE_URL"])
        try:
            events = [e.event for e in read_events(engine, CODEC)]
        finally:
            engine.dispose()
        ended = [e for e in events if isinstance(e, (ContactEnded, CallEnded))]
        assert [(type(e).__name__, e.by) for e in ended] == [
            ("ContactEnded", "caller"),
            ("CallEnded", "caller"),
        ]
        assert not any(isinstance(e, ContactDropped) for e in events)
