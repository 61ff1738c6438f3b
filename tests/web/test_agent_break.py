"""The agent desk's "Time on break" counts the break in progress and the one just ended:
not only once the statistics read model has caught up with the break's end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from hearthline.kernel.clock import ManualClock
from tests.web.server import WebServer, start_server
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser

DAY = "2026-11-03"


def at(hh: int, mm: int = 0) -> float:
    return dt.datetime.fromisoformat(f"{DAY}T{hh:02d}:{mm:02d}+00:00").timestamp()


def ok(r: httpx.Response) -> None:
    assert r.status_code == 200, r.text


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at(9))


@pytest.fixture
def server(tmp_path: Path, clock: ManualClock) -> Iterator[WebServer]:
    served = start_server(tmp_path / "hearthline.sqlite3", clock=clock)
    yield served
    served.stop()


def test_time_on_break_counts_the_break_in_progress_and_just_ended(
    browser: Browser, server: WebServer, clock: ManualClock, screenshots: Path
) -> None:
    maria = server.api("maria")
    try:
        ok(maria.post("/api/agent/sign-in", json={"ready": True}))
        clock.set(at(9, 5))
        ok(maria.post("/api/agent/not-ready", json={"reason": "break"}))
        clock.set(at(9, 13))
        # Eight minutes into the break, the desk says so.
        day = maria.get("/api/agent/my-day").json()
        assert day["not_ready_s"] == {"break": 480.0}, day
    finally:
        maria.close()

    page = open_as(browser, server, "maria", lands_on="/agent")
    kpi = page.locator("#myday .kpi", has_text="Time on break")
    expect(kpi.locator(".value")).to_have_text("8:00")
    expect(kpi.locator(".sub")).to_contain_text("Break")
    # The desk reads its day again six seconds after loading; then not for 30 s.
    with page.expect_response("**/api/agent/my-day", timeout=10_000):
        pass
    # Back from the break: the figure follows at once (the read model may lag behind).
    clock.set(at(9, 14))
    page.click("#ready-button")
    expect(page.locator("#state-pill")).to_have_text("Ready")
    expect(kpi.locator(".value")).to_have_text("9:00", timeout=5_000)
    clock.set(at(9, 20))
    page.reload()
    expect(kpi.locator(".value")).to_have_text("9:00")
    page.screenshot(path=str(screenshots / "agent-time-on-break.png"))
    no_page_errors(page)
