"""A callback dialled out for real, on loopback: the B2BUA and rtpengine run as the
server's children, sipp is the customer's phone behind the trunk's outbound target
(busy, never answering, answering), Chromium is the agent. Audio is checked both ways by
its frequency; the customer hangs up one call and the agent the other. Once with one
B2BUA, once with two workers behind Kamailio (``voice_b2bua_workers = 2``)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Playwright, expect
from sqlalchemy import select

from hearthline.kernel.ids import ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.store import tables
from hearthline.voice.domain import LiveVoice
from tests.ports import sipp_media_port
from tests.serving import free_port
from tests.voice.rig import call_rig, start_voice_server, tone_wav, wrap_up_a_return
from tests.voice.rtp import RtpEndpoint, peak_hz
from tests.voice.test_real_call import _browser_peak
from tests.voice.tools import KAMAILIO_MISSING, has_kamailio, skip_without_voice_tools
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as, start_ready

pytestmark = [pytest.mark.voice, pytest.mark.browser, pytest.mark.slow]

skip_without_voice_tools()

HERE = Path(__file__).parent
NUMBER = "+15550100"
CUSTOMER = "+441632960001"
CUSTOMER_HZ = 700.0
AGENT_HZ = 1000.0
SIPP_PORT = free_port()


@pytest.fixture(scope="module", params=[1, 2], ids=["one-b2bua", "two-b2bua-workers"])
def voice_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[WebServer]:
    # With two workers (behind Kamailio) the dial-outs go to each in turn: every signal
    # for a dialled call (its CANCEL on no answer, the agent's BYE) must find its worker.
    if request.param > 1 and not has_kamailio():
        pytest.skip(KAMAILIO_MISSING)
    trunk = {"name": "carrier", "networks": ["127.0.0.0/8"],
             "outbound": f"127.0.0.1:{SIPP_PORT}"}  # fmt: skip
    server = start_voice_server(
        tmp_path_factory.mktemp("voice"), "dialout", NUMBER,
        voice_trunks=[trunk], voice_dial_timeout_s=3.0, voice_b2bua_workers=request.param,
    )  # fmt: skip
    yield server
    server.stop()


def _phone(scenario: str, rtp_port: int, *more: str) -> subprocess.Popen[bytes]:
    """sipp as the customer's phone (a UAS) on the trunk's outbound port, for one call;
    listening once this returns. A media port some other run holds is passed over."""
    for _ in range(5):
        sipp = subprocess.Popen(
            ["sipp", "-sf", str(HERE / scenario), "-i", "127.0.0.1", "-p", str(SIPP_PORT),
             "-mp", str(sipp_media_port()), "-m", "1", "-key", "rtpport", str(rtp_port),
             "-timeout", "60s", "-nostdin", *more],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            sipp.wait(timeout=0.5)  # sipp binds at once or exits saying why
        except subprocess.TimeoutExpired:
            return sipp
        said = sipp.stderr.read() if sipp.stderr else b""
        if sipp.stderr is not None:
            sipp.stderr.close()
        if b"Unable to bind" not in said:
            raise AssertionError(f"sipp did not start: {said!r}")
    raise AssertionError("no media port for sipp")


def _ended(sipp: subprocess.Popen[bytes]) -> None:
    code = sipp.wait(timeout=20)
    assert code == 0, f"sipp failed ({code}): {sipp.stderr.read() if sipp.stderr else ''}"


def _callback(server: WebServer, ident: str) -> None:
    server.writer.execute(cmd.ScheduleCallback(ContactId(ident), QueueId("returns"), 0.0, CUSTOMER))


def _talks_both_ways(page: Page, customer: RtpEndpoint) -> None:
    expect(page.locator("#softphone-text")).to_have_text("On the call: talking")
    bridged_at = time.monotonic()
    heard = _browser_peak(page)
    assert heard["packets"] > 20, heard
    assert abs(heard["hz"] - CUSTOMER_HZ) < 30, f"the agent heard {heard}"
    time.sleep(1.0)
    spoken = customer.audio_since(bridged_at + 0.3)
    assert len(spoken) >= 4000, "the customer got no audio from the agent"
    assert abs(peak_hz(spoken) - AGENT_HZ) < 30, f"the customer heard {peak_hz(spoken)} Hz"


def test_a_callback_is_dialled_busy_again_answered_and_no_answer_is_recorded(
    voice_server: WebServer, playwright: Playwright, tmp_path: Path, screenshots: Path
) -> None:
    server = voice_server
    tone = tone_wav(tmp_path / "agent.wav", AGENT_HZ, seconds=40)
    with call_rig(playwright, tone, CUSTOMER_HZ) as rig:
        customer = rig.caller  # the customer's phone, called out to
        page = open_as(rig.browser, server, "maria", lands_on="/agent")
        start_ready(page)
        soft = page.locator("#softphone-text")

        # Busy: the desk says so and offers to dial again.
        busy = rig.track(_phone("customer_busy.xml", customer.port))
        _callback(server, "cb-first")
        expect(page.locator("#offer-layer")).to_be_visible()
        page.click("#accept-button")
        expect(page.locator("#state-pill")).to_have_text("On contact")
        expect(soft).to_have_text(f"{CUSTOMER} is busy")
        expect(page.locator("#dial-button")).to_be_visible()
        _ended(busy)
        page.screenshot(path=str(screenshots / "dialout-busy.png"))

        # Dialled again: answered; two-way audio; the customer hangs up.
        answers = rig.track(_phone("customer_hangs_up.xml", customer.port, "-d", "7000"))
        page.click("#dial-button")
        _talks_both_ways(page, customer)
        page.screenshot(path=str(screenshots / "dialout-on-call.png"))
        _ended(answers)
        expect(soft).to_have_text("Call ended")
        wrap_up_a_return(page)

        # No answer: cancelled after the setting's 3 s; dialled again, the agent hangs up.
        silent = rig.track(_phone("customer_silent.xml", customer.port))
        _callback(server, "cb-second")
        expect(page.locator("#offer-layer")).to_be_visible()
        page.click("#accept-button")
        expect(soft).to_have_text(f"Ringing {CUSTOMER}…")
        expect(soft).to_have_text(f"No answer from {CUSTOMER}", timeout=10_000)
        _ended(silent)
        waits = rig.track(_phone("customer_answers.xml", customer.port))
        page.click("#dial-button")
        _talks_both_ways(page, customer)
        expect(page.locator("#dial-button")).to_be_hidden()
        page.click("#hangup-button")
        _ended(waits)
        wrap_up_a_return(page)

        with server.writer.engine.connect() as conn:
            rows = conn.execute(
                select(tables.events.c.type, tables.events.c.payload, tables.events.c.agent_id)
                .where(tables.events.c.type.like("Call%"))
                .order_by(tables.events.c.id)
            ).all()
        legs = [(t, json.loads(p).get("outcome"), a) for t, p, a in rows]
        assert legs == [
            ("CallDialled", None, "a-maria"),
            ("CallDialOutcome", "busy", "a-maria"),
            ("CallDialled", None, "a-maria"),
            ("CallDialOutcome", "answered", "a-maria"),
            ("CallBridged", None, "a-maria"),
            ("CallEnded", None, "a-maria"),
            ("CallDialled", None, "a-maria"),
            ("CallDialOutcome", "no-answer", "a-maria"),
            ("CallDialled", None, "a-maria"),
            ("CallDialOutcome", "answered", "a-maria"),
            ("CallBridged", None, "a-maria"),
            ("CallEnded", None, "a-maria"),
        ]
        ended = [json.loads(p)["by"] for t, p, _ in rows if t == "CallEnded"]
        assert ended == ["caller", "agent"]
        dialled = json.loads(rows[0][1])
        assert (dialled["number"], dialled["caller_id"]) == (CUSTOMER, NUMBER)
        assert server.writer.part(LiveVoice).switchboard.calls == {}
        no_page_errors(page)
