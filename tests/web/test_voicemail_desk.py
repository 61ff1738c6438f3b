"""A caller leaves a voicemail in the menu and is owed a callback: the agent offered that
callback sees the message while it rings and has a player above the customer once it is
accepted; Chromium plays the file the server stores (mono Ogg Opus), and the playback is
audited under the agent's name; the supervisor's quality page lists it with the
contact's recordings and Chromium loads it there too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from hearthline.store import tables
from hearthline.store.queries import recordings as recordings_q
from hearthline.telephony.menu_calls import MenuPlan
from hearthline.voice.menus import Flow, Node
from tests.web.menu_calls import walk_menu
from tests.web.server import WebServer, start_server
from tests.web.support import no_page_errors, open_as, score_returns_calls

pytestmark = pytest.mark.browser

NUMBER = "+15550410"
SECONDS = 3.0
FLOW = Flow(
    start="main",
    operator="returns",
    nodes=(
        Node("main", "menu", prompt="beep", options=(("3", "message"),), fallback="message"),
        Node("message", "voicemail", queue="returns", prompt="beep"),
    ),
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    root = tmp_path_factory.mktemp("voicemail")
    served = start_server(root / "hearthline.sqlite3", extra={"data_dir": str(root / "data")})
    yield served
    served.stop()


def _message(path: Path) -> None:
    """A mono Ogg Opus file as the recorder writes a voicemail: 3 s of 700 Hz."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = np.arange(int(8000 * SECONDS))
    pcm = (8000 * np.sin(2 * np.pi * 700 * n / 8000)).astype(np.int16).reshape(1, -1)
    with av.open(str(path), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=8000, layout="mono")
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = 8000
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)


def test_the_agent_offered_a_callback_hears_its_voicemail_on_the_desk(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    plan = MenuPlan(FLOW, "acme", prompts={"beep": "/p/beep.wav"})
    # Nobody is ready: the caller's contact waits, so the menu can turn it into a callback.
    call = "vm-web-1"
    walk_menu(server, plan, number=NUMBER, call=call, caller="+15557770300", keys="3")
    e = tables.events
    with server.writer.engine.connect() as conn:
        payloads = conn.execute(
            select(e.c.contact_id, e.c.payload).where(e.c.type == "ContactConvertedToCallback")
        ).all()
    [callback] = [p for c, p in payloads if c is not None and '"callback"' in p]
    callback = callback.split('"callback":')[1].split('"')[1]
    data_dir = Path(server.app.state.app_context.settings.data_dir).resolve()
    relative = f"acme/{callback.replace('~', '_')}.ogg"
    _message(data_dir / "recordings" / relative)
    recordings_q.add(
        server.writer.engine, contact=callback, client="acme", call=call, file=relative,
        seconds=SECONDS, started_at=0.0, created_at=0.0, kind="voicemail",
    )  # fmt: skip

    page = open_as(browser, server, "maria", lands_on="/agent")
    asked: list[str] = []  # the desk's requests for the callback's recordings
    page.on(
        "request", lambda r: asked.append(r.url) if "/api/recordings?contact=" in r.url else None
    )
    expect(page.locator("#state-pill")).to_have_text("Signed out")
    page.click("#start-button")
    expect(page.locator("#state-pill")).to_have_text("Not ready")
    page.click("#ready-button")

    # Ringing: the offer says there is a message.
    expect(page.locator("#offer-layer")).to_be_visible()
    offered = page.locator("#offer-voicemail")
    expect(offered).to_be_visible()
    expect(offered.locator(".voicemail-label")).to_contain_text("Voicemail · 0:03")
    # Heard while it rings; the player is marked to know it again in the contact panel.
    offered.locator("audio").evaluate("a => { a.dataset.heard = 'ringing'; return a.play(); }")
    page.wait_for_function(
        "() => document.querySelector('#offer-voicemail audio').currentTime > 0.2", timeout=15_000
    )
    page.screenshot(path=str(screenshots / "agent-voicemail-offered.png"))
    page.click("#accept-button")
    expect(page.locator("#state-pill")).to_have_text("On contact")

    # Taken: the same player, moved above the customer, plays on (shown once, asked once).
    panel = page.locator("#voicemail")
    expect(panel).to_be_visible()
    audio = panel.locator("audio.voicemail-player")
    expect(audio).to_have_count(1)
    expect(page.locator("audio.voicemail-player")).to_have_count(1)
    assert audio.get_attribute("data-heard") == "ringing"
    at = audio.evaluate("a => a.currentTime")
    page.wait_for_function(
        f"() => document.querySelector('#voicemail audio').currentTime > {at}", timeout=15_000
    )
    assert audio.evaluate("a => a.paused") is False
    assert len(asked) == 1, asked
    audio.evaluate("a => { a.currentTime = 0; return a.play(); }")
    page.wait_for_function(
        "() => { const a = document.querySelector('#voicemail audio'); "
        "return a && a.currentTime > 0.5; }",
        timeout=15_000,
    )
    played = audio.evaluate("a => ({ duration: a.duration, error: a.error && a.error.code })")
    assert played["error"] is None
    assert abs(played["duration"] - SECONDS) < 0.3, played
    page.screenshot(path=str(screenshots / "agent-voicemail-playing.png"))

    no_page_errors(page)

    # The supervisor's quality page lists it with the contact's recordings.
    score_returns_calls(server)
    quality = open_as(browser, server, "super", lands_on="/supervisor")
    quality.goto(f"/quality?contact={callback}")
    expect(quality.locator("#story")).to_contain_text("Voicemail 0:03 · the caller's message")
    quality.wait_for_function(
        "() => { const a = document.querySelector('audio.recording');"
        " return a && a.readyState >= 1 && Math.abs(a.duration - 3) < 0.3; }"
    )
    quality.screenshot(path=str(screenshots / "quality-voicemail.png"))
    no_page_errors(quality)

    a = tables.audit_log
    with server.writer.engine.connect() as conn:
        audits = conn.execute(
            select(a.c.username, a.c.action, a.c.target)
            .where(a.c.action.like("voicemail.%"))
            .order_by(a.c.id)
        ).all()
    assert [tuple(x) for x in audits] == [
        ("maria", "voicemail.played", f"acme/{callback}"),
        ("super", "voicemail.played", f"acme/{callback}"),
    ]
