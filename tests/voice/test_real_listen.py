"""A supervisor listens in, whispers and barges in on a real call, on loopback: sipp is the
trunk's caller (tone A), Chromium the agent (tone B from a fake capture file) and another
Chromium the supervisor (tone C). Heard by frequency at each party: the supervisor's
browser per party, the agent's browser, and the RTP the caller receives. The modes are
switches of one session: the supervisor's connections to the parties stay up throughout."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Page, Playwright, expect
from sqlalchemy import select

from hearthline.store import tables
from tests.ports import sipp_media_port
from tests.voice.rig import call_in, call_rig, microphone_browser, start_voice_server, tone_wav
from tests.voice.rtp import RtpEndpoint, level_at
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as, start_ready

pytestmark = [pytest.mark.voice, pytest.mark.browser, pytest.mark.slow]

skip_without_voice_tools()

NUMBER = "+15550110"
CALLER_HZ = 600.0
AGENT_HZ = 1000.0
SUPERVISOR_HZ = 1400.0
# Generous: a loaded 2-core machine with four test workers.
WAIT_S = 30.0
T = TypeVar("T")


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = start_voice_server(tmp_path_factory.mktemp("listen"), "real_listen", NUMBER)
    yield server
    server.stop()


# The loudest frequency of a stream the page holds (``expression`` names it) and the
# packets its connection got; null while there is no such stream yet.
_PEAK = """async ([expression]) => {
  const stream = eval(expression);
  if (!stream || !stream.getAudioTracks().length) return null;
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 8192;
  source.connect(analyser);
  await new Promise((r) => setTimeout(r, 1200));
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  ctx.close();
  let best = 5;
  for (let i = 5; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
  return { hz: best * ctx.sampleRate / analyser.fftSize, db: bins[best] };
}"""


def _party_stream(party: str) -> str:
    return (
        "(() => { const pc = window.hearthlineListener && window.hearthlineListener.parties"
        f".get('{party}'); if (!pc || pc.connectionState !== 'connected') return null;"
        " const tracks = pc.getReceivers().map((r) => r.track).filter(Boolean);"
        " return tracks.length ? new MediaStream(tracks) : null; })()"
    )


# The supervisor's session id, and its party connections marked to be found again.
_KEEP = (
    "(() => { const l = window.hearthlineListener;"
    " for (const [party, pc] of l.parties) pc.keptFor = party;"
    " return l.session.session; })()"
)
_KEPT = (
    "(() => { const l = window.hearthlineListener;"
    " const same = [...l.parties].every(([party, pc]) => pc.keptFor === party);"
    " return same && l.parties.size === 2 ? l.session.session : null; })()"
)

_COACH = (
    "(() => { const c = window.hearthlineSoftphone.coach; return c.pc &&"
    " c.pc.connectionState === 'connected' ? c.stream : null; })()"
)


def _hears(page: Page, expression: str, hz: float) -> dict[str, Any]:
    """Polls until the page's stream peaks at ``hz``; the last reading."""
    last: dict[str, Any] | None = None

    def heard() -> dict[str, Any] | None:
        nonlocal last
        last = page.evaluate(_PEAK, [expression])
        return last if last is not None and abs(last["hz"] - hz) < 30 else None

    found = _poll(heard)
    assert found is not None, f"{expression} did not peak at {hz} Hz: {last}"
    return found


def _poll(check: Callable[[], T | None], *, seconds: float = WAIT_S) -> T | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found is not None:
            return found
        time.sleep(0.3)
    return None


def _caller_levels(caller: RtpEndpoint) -> tuple[float, float]:
    """The agent's and the supervisor's tone in the last second the caller received."""
    since = time.monotonic() - 1.0
    samples = caller.audio_since(since)
    return level_at(samples, AGENT_HZ), level_at(samples, SUPERVISOR_HZ)


def _agent_alone(caller: RtpEndpoint) -> float | None:
    """The agent's tone the caller hears, when it hears no supervisor; else None."""
    agent, supervisor = _caller_levels(caller)
    return agent if agent > 50 and supervisor < agent / 30 else None


def _barged(caller: RtpEndpoint) -> tuple[float, float] | None:
    """Both tones the caller hears, once the supervisor's is there; else None."""
    agent, supervisor = _caller_levels(caller)
    return (agent, supervisor) if agent > 50 and supervisor > agent / 5 else None


def _sipp_port() -> int:
    """A media port of this worker's sipp slot that nothing holds now (sipp binds it and
    the video port two above, with RTCP beside each): another test run on the machine
    may be using the slot's first ports."""
    for _ in range(25):
        port = sipp_media_port()
        taken = False
        for p in range(port, port + 4):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    taken = True
                    break
        if not taken:
            return port
    raise AssertionError("every sipp media port of this worker is taken")


def _choose(page: Page, action: str) -> None:
    row = page.locator('#agent-grid tr[data-agent="a-maria"]')
    row.locator("select").select_option(action)
    row.get_by_role("button", name="Apply").click()


def test_a_supervisor_listens_whispers_and_barges_in_on_a_real_call(
    voice_server: WebServer, playwright: Playwright, screenshots: Path, tmp_path: Path
) -> None:
    server = voice_server
    agent_tone = tone_wav(tmp_path / "agent.wav", AGENT_HZ)
    sup_tone = tone_wav(tmp_path / "supervisor.wav", SUPERVISOR_HZ)
    with (
        call_rig(playwright, agent_tone, CALLER_HZ) as rig,
        closing(microphone_browser(playwright, sup_tone)) as sup_browser,
    ):
        caller = rig.caller
        agent = open_as(rig.browser, server, "maria", lands_on="/agent", timeout_ms=30_000)
        start_ready(agent)

        sup = open_as(sup_browser, server, "super", lands_on="/supervisor", timeout_ms=30_000)

        sipp = rig.track(
            call_in(server, NUMBER, caller.port, timeout_s=120, media_port=_sipp_port())
        )
        rang = _poll(
            lambda: agent.locator("#offer-layer").is_visible() or sipp.poll() is not None or None,
            seconds=90,  # a loaded machine: the B2BUA, rtpengine and two browsers beside it
        )
        if not rang or sipp.poll() is not None:
            said = sipp.stderr.read() if sipp.stderr and sipp.poll() is not None else b""
            control = server.app.state.app_context.voice
            calls = list(control.calls.values()) if control is not None else "no voice"
            raise AssertionError(
                f"the call did not ring: sipp {sipp.poll()}: {said!r}; the desk says "
                f"{agent.locator('#state-pill').inner_text()!r}; live calls: {calls}"
            )
        agent.click("#accept-button")
        expect(agent.locator("#softphone-text")).to_have_text("On the call: talking")
        assert _poll(lambda: _agent_alone(caller)), "the caller does not hear the agent"

        # Listen: the supervisor hears the caller and the agent, each on its own connection;
        # the agent's desk says so (the firm's default).
        _choose(sup, "listen:listen")
        expect(sup.locator("#listen-text")).to_have_text("Listening to Maria Lopez")
        _hears(sup, _party_stream("caller"), CALLER_HZ)
        _hears(sup, _party_stream("agent"), AGENT_HZ)
        expect(agent.locator("#coach-flag")).to_have_text("Sam Supervisor is listening")
        sup.screenshot(path=str(screenshots / "listen-supervisor.png"))
        agent.screenshot(path=str(screenshots / "listen-agent.png"))
        agent_level, sup_level = _caller_levels(caller)
        assert sup_level < agent_level / 30, "the caller hears a supervisor who only listens"
        # The session and the connections to the parties, kept through every switch below.
        session = sup.evaluate(_KEEP)

        # Whisper: the agent hears the supervisor; the caller does not.
        _choose(sup, "listen:whisper")
        expect(sup.locator("#listen-text")).to_have_text("Whispering to Maria Lopez")
        expect(agent.locator("#coach-flag")).to_have_text("Sam Supervisor is whispering to you")
        _hears(agent, _COACH, SUPERVISOR_HZ)
        _hears(sup, _party_stream("caller"), CALLER_HZ)
        time.sleep(1.0)  # a second of the caller's audio with the whisper going on
        agent_level, sup_level = _caller_levels(caller)
        assert agent_level > 50, "the caller no longer hears the agent"
        assert sup_level < agent_level / 30, (
            f"the caller hears the whisper ({sup_level:.1f} against {agent_level:.1f})"
        )

        # Barge: the agent's page mixes the supervisor into what the caller hears.
        _choose(sup, "listen:barge")
        expect(agent.locator("#coach-flag")).to_have_text("Sam Supervisor is in the call")
        found = _poll(lambda: _barged(caller))
        assert found is not None, f"the caller does not hear the barge: {_caller_levels(caller)}"
        _hears(agent, _COACH, SUPERVISOR_HZ)
        agent.screenshot(path=str(screenshots / "barge-agent.png"))

        # Back to listening: the agent no longer hears the supervisor, nor does the caller.
        _choose(sup, "listen:listen")
        expect(sup.locator("#listen-text")).to_have_text("Listening to Maria Lopez")
        expect(agent.locator("#coach-flag")).to_have_text("Sam Supervisor is listening")
        back = _poll(lambda: _agent_alone(caller))
        assert back, f"the barge went on after the switch to listen: {_caller_levels(caller)}"
        assert agent.evaluate("window.hearthlineSoftphone.coach.pc === null")
        _hears(sup, _party_stream("agent"), AGENT_HZ)
        assert sup.evaluate(_KEPT) == session, "the switches started a new session"

        # Stop: the caller hears the agent alone again; the desk's flag goes.
        sup.click("#listen-stop")
        expect(agent.locator("#coach-flag")).to_be_hidden()
        stopped = _poll(lambda: _agent_alone(caller))
        assert stopped, f"the barge went on after Stop: {_caller_levels(caller)}"

        agent.click("#hangup-button")
        code = sipp.wait(timeout=30)
        assert code == 0, f"sipp failed ({code}): {sipp.stderr.read() if sipp.stderr else b''!r}"

        with server.writer.engine.connect() as conn:
            audit = conn.execute(
                select(tables.audit_log.c.username, tables.audit_log.c.action)
                .where(tables.audit_log.c.action.like("listen.%"))
                .order_by(tables.audit_log.c.id)
            ).all()
        assert [tuple(r) for r in audit] == [
            ("super", "listen.start"),
            *[("super", "listen.switch")] * 3,
            ("super", "listen.stop"),
        ]
        assert server.app.state.app_context.listen.sessions == {}
        no_page_errors(agent)
        no_page_errors(sup)
