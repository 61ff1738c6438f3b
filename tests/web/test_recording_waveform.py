"""A recorded call on the quality page in a real browser: the waveform of both channels
is drawn from the server's peaks, flat where the call was on hold, with the contact's
timeline as marks on it; a click on a mark or on the waveform seeks the player."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from hearthline.crm.commands import DraftNote, FinishNote
from hearthline.kernel.clock import ManualClock, WallClock
from hearthline.kernel.ids import AgentId, ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.store.queries import recordings as recordings_q
from tests.web.server import WebServer, start_server
from tests.web.support import no_page_errors, open_as, score_returns_calls

pytestmark = pytest.mark.browser

RATE = 8000
SECONDS = 13.0
# In the file (seconds from the bridge): who speaks when; on hold from 4 to 7.
CALLER_TALKS = ((0.0, 3.5), (11.0, 13.0))
AGENT_TALKS = ((3.5, 4.0), (7.0, 11.0))
HELD, RESUMED = 4.0, 7.0
ORDER = (("order_number", "A-2002"),)


def _ogg(path: Path) -> None:
    """A stereo Ogg Opus file as the assembly writes them: the caller left, the agent right."""
    t = np.arange(int(SECONDS * RATE)) / RATE
    channels = np.zeros((2, len(t)), dtype=np.float32)
    for row, talks, tone in ((0, CALLER_TALKS, 440.0), (1, AGENT_TALKS, 660.0)):
        for start, end in talks:
            span = (t >= start) & (t < end)
            channels[row, span] = 0.5 * np.sin(2 * np.pi * tone * t[span])
    pcm = (channels.T * 32767).astype(np.int16).reshape(1, -1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=RATE, layout="stereo")
        stream.bit_rate = 24_000
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="stereo")
        frame.sample_rate = RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)


@pytest.fixture
def recorded(tmp_path: Path) -> Iterator[tuple[WebServer, float]]:
    """A call by Maria, bridged at ``t0``, held from 4 s to 7 s, a note drafted at 10 s,
    recorded for 13 s from the bridge; indexed with its file under the data directory."""
    t0 = WallClock().now() - 3600
    clock = ManualClock(t0 - 10)
    data = tmp_path / "data"
    server = start_server(tmp_path / "db.sqlite3", clock=clock, extra={"data_dir": str(data)})
    try:
        contact, maria, w = ContactId("rec-0001"), AgentId("a-maria"), server.writer
        w.execute(cmd.SignIn(maria, ready=True))
        clock.set(t0 - 5)
        w.execute(cmd.ArriveContact(contact, caller="+44 20 7946 0099", queue=QueueId("returns")))
        clock.set(t0)
        w.execute(cmd.AcceptOffer(maria, contact))
        clock.set(t0 + HELD)
        w.execute(cmd.HoldContact(maria, contact))
        clock.set(t0 + RESUMED)
        w.execute(cmd.ResumeContact(maria, contact))
        clock.set(t0 + 10)
        w.execute(DraftNote(contact, maria, 1, "Asked for a refund.", ORDER))
        clock.set(t0 + 12)
        w.execute(cmd.EndContact(maria, contact))
        clock.set(t0 + 20)  # after the recording: not a mark
        w.execute(FinishNote(contact, maria, "return-processed", "Refund agreed.", ORDER))
        w.execute(cmd.FinishWrapUp(maria))
        _ogg(data / "recordings" / "acme" / "rec-0001.ogg")
        recordings_q.add(
            w.engine, contact="rec-0001", client="acme", call="call-rec-0001",
            file="acme/rec-0001.ogg", seconds=SECONDS, started_at=t0, created_at=t0 + 13,
        )  # fmt: skip
        score_returns_calls(server)
        yield server, t0
    finally:
        server.stop()


# Whether the canvas has ink away from each row's middle line, between two times (file
# seconds): [caller, agent].
INK = """([from, to, seconds]) => {
  const c = document.querySelector(".wave-canvas");
  const g = c.getContext("2d");
  const a = Math.ceil((from / seconds) * c.width), b = Math.floor((to / seconds) * c.width);
  const img = g.getImageData(a, 0, Math.max(1, b - a), c.height).data;
  const rows = [0, 60].map((top) => top + 26);
  return rows.map((middle) => {
    let ink = 0;
    for (let y = 0; y < c.height; y += 1) {
      if (Math.abs(y - middle) <= 1 || Math.abs(y - middle) > 26) continue;
      for (let x = 0; x < b - a; x += 1) if (img[(y * (b - a) + x) * 4 + 3] > 0) ink += 1;
    }
    return ink;
  });
}"""


def _position(page: Page) -> float:
    return float(page.evaluate("document.querySelector('audio.recording').currentTime"))


def test_the_waveform_shows_both_channels_and_the_timeline_and_seeks(
    browser: Browser, recorded: tuple[WebServer, float], screenshots: Path
) -> None:
    server, _ = recorded
    sup = open_as(browser, server, "super", lands_on="/supervisor")
    sup.goto("/quality?contact=rec-0001")
    wave = sup.locator(".wave")
    expect(wave).to_have_attribute("data-drawn", "true")
    sup.wait_for_function("() => document.querySelector('audio.recording').readyState >= 1")

    # Both channels are drawn where their side speaks; the hold is flat on both.
    caller_talks, agent_quiet = sup.evaluate(INK, [0.5, 3.0, SECONDS])
    caller_quiet, agent_talks = sup.evaluate(INK, [7.6, 10.5, SECONDS])
    held = sup.evaluate(INK, [HELD + 0.3, RESUMED - 0.3, SECONDS])
    assert caller_talks > 500 and agent_talks > 500, (caller_talks, agent_talks)
    # The codec lets a little of one channel into the other (about -16 dB): far less ink.
    assert agent_quiet < caller_talks / 3 and caller_quiet < agent_talks / 3
    assert held == [0, 0], "silence on hold is a flat line"
    expect(sup.locator(".wave-hold")).to_have_count(1)

    # The timeline's events during the recording are marks, in the log's order.
    marks = sup.locator(".wave-mark")
    expect(marks).to_have_count(6)
    types = [marks.nth(i).get_attribute("data-type") for i in range(6)]
    assert types == [
        "OfferAccepted", "ContactHeld", "ContactResumed", "NoteDrafted", "ContactEnded",
        "WrapUpStarted",
    ]  # fmt: skip

    # A click on a mark seeks to its moment; the play position follows.
    sup.locator(".wave-mark-ContactResumed").click()
    expect(wave).to_have_attribute("data-position", "7.00")
    head = sup.locator(".wave-head")
    box = wave.bounding_box()
    line = head.bounding_box()
    assert box is not None and line is not None
    assert abs((line["x"] - box["x"]) / box["width"] - RESUMED / SECONDS) < 0.02
    # A click on the waveform seeks to that point of the call.
    canvas = sup.locator(".wave-canvas")
    width = canvas.bounding_box()["width"]  # type: ignore[index]
    canvas.click(position={"x": width * 0.25, "y": 30})
    assert abs(_position(sup) - SECONDS * 0.25) < 0.1
    # The timeline's links below seek the same player.
    sup.locator(".timeline li", has_text="Note drafted").get_by_role("button").click()
    assert abs(_position(sup) - 10.0) < 0.05
    wave.evaluate("el => el.scrollIntoView({ block: 'center' })")
    sup.screenshot(path=str(screenshots / "quality-waveform.png"), full_page=True)

    # The peaks are the recording's scope: another client's viewer does not find them.
    globex = server.api("globex-viewer")
    assert globex.get("/api/recordings/1/peaks").status_code == 404
    globex.close()
    no_page_errors(sup)
