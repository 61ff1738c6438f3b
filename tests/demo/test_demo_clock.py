"""One clock in the demo: the agent's countdowns and timers, the supervisor's grid and its
alerts all count the server's simulated time, at its rate, and agree with each other."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import VIEWPORT
from tests.demo.conftest import PASSWORD, Demo

RATE = 60.0
# The simulated agents take only Brightwave's line; Northwind's sales calls ring for the
# person at the desk alone, often, for 600 simulated seconds (ten real ones), and their
# wrap-up may last 1,800 (thirty real ones).
SCENARIO = """
[simulation]
name = "Calls for you"
seed = 7
start = "08:00"
end = "20:00"

[[queues]]
id = "sales"
campaign = "northwind-sales"
requirement = "sales>=3"
offer_timeout_s = 600
arrivals = { per_hour = 600 }
handle_time = { kind = "exponential", mean_s = 60 }
wrap_up = { mode = "manual", seconds = 1800, time = { kind = "constant", value_s = 20 } }

[[queues]]
id = "returns"
campaign = "northwind-returns"
requirement = "returns>=3"
arrivals = { per_hour = 1 }
handle_time = { kind = "exponential", mean_s = 60 }

[[queues]]
id = "help"
campaign = "brightwave-help"
requirement = "tech>=1"
arrivals = { per_hour = 60 }
handle_time = { kind = "exponential", mean_s = 60 }

[[agents]]
count = 2
skills = { tech = 3 }
"""


def _page_as(browser: Browser, demo: Demo, username: str, lands_on: str) -> Page:
    page = browser.new_context(viewport=VIEWPORT, base_url=demo.url).new_page()
    page.set_default_timeout(30_000)
    page.goto("/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#signin-button")
    page.wait_for_url(f"**{lands_on}")
    return page


def _seconds(text: str) -> int:
    """ "1:02:05", "29:40", "0:07" or "431" -> seconds."""
    found = re.search(r"(\d+(?::\d\d){0,2})", text)
    assert found, f"no time in {text!r}"
    total = 0
    for part in found.group(1).split(":"):
        total = total * 60 + int(part)
    return total


def _read(page: Page, *selectors: str) -> tuple[float, list[int]]:
    """The texts of ``selectors`` read at one moment, as seconds, and that moment."""
    texts: list[str] = page.evaluate(
        "(sels) => sels.map((s) => document.querySelector(s).textContent)", list(selectors)
    )
    return time.monotonic(), [_seconds(t) for t in texts]


def _minutes_of_day(hhmm: str) -> int:
    h, m = re.search(r"(\d\d?):(\d\d)", hhmm).groups()  # type: ignore[union-attr]
    return int(h) * 60 + int(m)


@pytest.mark.browser
def test_countdowns_timers_and_alerts_all_run_on_the_demos_simulated_clock(
    browser: Browser, start_demo: Callable[..., Demo], tmp_path: Path, screenshots: Path
) -> None:
    scenario = tmp_path / "calls-for-you.toml"
    scenario.write_text(SCENARIO)
    demo = start_demo(RATE, "--scenario", str(scenario))
    sup = _page_as(browser, demo, "supervisor", "/supervisor")
    you = _page_as(browser, demo, "you", "/agent")
    you.click("#start-button")
    expect(you.locator("#state-pill")).to_have_text("Not ready")
    you.keyboard.press("r")
    expect(you.locator("#offer-layer")).to_be_visible(timeout=30_000)
    expect(you.locator("#offer-left")).to_have_text(re.compile(r"^\d+$"))

    # The offer's countdown and the state timer count the same simulated seconds: both
    # from the moment of the offer, so together they make its 600 s of ringing, and both
    # move sixty seconds a real second.
    t1, (left1, ringing1) = _read(you, "#offer-left", "#state-since")
    time.sleep(2.0)
    t2, (left2, ringing2) = _read(you, "#offer-left", "#state-since")
    moved = RATE * (t2 - t1)
    assert left1 > 300, "a fresh offer shows its simulated ring time"
    assert left1 - left2 == pytest.approx(moved, abs=20)
    assert ringing2 - ringing1 == pytest.approx(moved, abs=20)
    assert left2 + ringing2 == pytest.approx(600, abs=20)
    you.screenshot(path=str(screenshots / "demo-clock-offer.png"))

    you.keyboard.press("Enter")
    expect(you.locator("#state-pill")).to_have_text("On contact")
    you.click("#hangup-button")
    wrap = you.locator("#wrap-timer")
    expect(wrap).to_contain_text("Wrap-up ends in")
    # The wrap-up countdown and the state timer: 1,800 s between them, moving together.
    t1, (wrap1, state1) = _read(you, "#wrap-timer", "#state-since")
    time.sleep(2.0)
    t2, (wrap2, state2) = _read(you, "#wrap-timer", "#state-since")
    moved = RATE * (t2 - t1)
    assert wrap1 - wrap2 == pytest.approx(moved, abs=20)
    assert state2 - state1 == pytest.approx(moved, abs=20)
    assert wrap2 + state2 == pytest.approx(1800, abs=20)

    # The supervisor's grid shows the same time in wrap-up as the agent's own page.
    row = sup.locator('#agent-grid tr[data-agent="you"]')
    expect(row).to_have_attribute("data-state", "wrap-up")
    _, (mine,) = _read(you, "#state-since")
    _, (seen,) = _read(sup, '#agent-grid tr[data-agent="you"] .in-state')
    assert seen == pytest.approx(mine, abs=20)

    # Sales callers pile up while the only agent for them wraps up: the alert says when it
    # started on the wallboard's clock (the simulated time of the latest event), not the
    # laptop's.
    alert = sup.locator("#alerts li[data-key] time").first
    expect(alert).to_have_text(re.compile(r"\d:\d\d"), timeout=30_000)
    event_time = sup.locator("#last-event").text_content() or ""
    gap = abs(_minutes_of_day(alert.text_content() or "") - _minutes_of_day(event_time))
    assert min(gap, 24 * 60 - gap) <= 10, (alert.text_content(), event_time)
    sup.screenshot(path=str(screenshots / "demo-clock-supervisor.png"))
    you.screenshot(path=str(screenshots / "demo-clock-wrap-up.png"))
    out = demo.stop()
    assert demo.proc.returncode == 0, out
