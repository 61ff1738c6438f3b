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
WAIT = 30_000  # ms
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
    page.set_default_timeout(WAIT)
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


# The pages redraw their clocks on a timer (the agent's every quarter second, the
# supervisor's every second, each a jump of 15 or 60 simulated seconds here), and a busy
# machine delays both the redraw and the read. So each text is taken at its next redraw,
# with the moment of that redraw by the page's clock: a reading and its time always agree.
_NEXT_DRAW = """(sels) => Promise.all(sels.map((s) => new Promise((resolve) => {
  const el = document.querySelector(s);
  const done = () => { seen.disconnect(); resolve([el.textContent, Date.now() / 1000]); };
  const seen = new MutationObserver(done);
  seen.observe(el, { childList: true, characterData: true, subtree: true });
  setTimeout(done, 5000);  // a text that stopped moving is read as it stands
})))"""


def _read(page: Page, *selectors: str) -> list[tuple[float, int]]:
    """Each of ``selectors`` at its next redraw: (when, by the wall clock; its seconds)."""
    drawn: list[tuple[str, float]] = page.evaluate(_NEXT_DRAW, list(selectors))
    return [(at, _seconds(text)) for text, at in drawn]


# Each alert as it first shows a time, with the wallboard's latest event at that moment:
# how long the test then takes to look (a busy machine) does not move what it compares.
_WATCH_ALERTS = """() => {
  window.alertsSeen = {};
  const list = document.querySelector("#alerts");
  const lastEvent = document.querySelector("#last-event");
  const hasTime = (text) => /\\d:\\d\\d/.test(text);
  const note = () => {
    if (!hasTime(lastEvent.textContent)) return;  // no event shown yet
    for (const li of list.querySelectorAll("li[data-key]")) {
      const shown = li.querySelector("time");
      if (li.dataset.key in window.alertsSeen || !shown || !hasTime(shown.textContent)) continue;
      window.alertsSeen[li.dataset.key] = [shown.textContent, lastEvent.textContent];
    }
  };
  const watch = { childList: true, subtree: true, characterData: true };
  new MutationObserver(note).observe(list, watch);
  new MutationObserver(note).observe(lastEvent, watch);
  note();
}"""


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
    sup.evaluate(_WATCH_ALERTS)
    you = _page_as(browser, demo, "you", "/agent")
    you.click("#start-button")
    # A busy machine is slow to answer: every wait below is for its condition, up to WAIT.
    expect(you.locator("#state-pill")).to_have_text("Not ready", timeout=WAIT)
    you.keyboard.press("r")
    expect(you.locator("#offer-layer")).to_be_visible(timeout=WAIT)
    expect(you.locator("#offer-left")).to_have_text(re.compile(r"^\d+$"), timeout=WAIT)

    # The offer's countdown and the state timer count the same simulated seconds: both
    # from the moment of the offer, so together they make its 600 s of ringing, and both
    # move sixty seconds a real second.
    (tl1, left1), (tr1, ringing1) = _read(you, "#offer-left", "#state-since")
    time.sleep(2.0)
    (tl2, left2), (tr2, ringing2) = _read(you, "#offer-left", "#state-since")
    assert left1 > 300, "a fresh offer shows its simulated ring time"
    assert left1 - left2 == pytest.approx(RATE * (tl2 - tl1), abs=20)
    # The page re-reads the server's clock as it goes; on a loaded machine a re-read can
    # move a timer by up to one real second (RATE simulated ones). A wall-clock timer
    # would have moved 2 s here, not about 120.
    assert ringing2 - ringing1 == pytest.approx(RATE * (tr2 - tr1), abs=RATE + 20)
    # Both as of the countdown's redraw (the same one, or the next quarter second).
    assert left2 + ringing2 - RATE * (tr2 - tl2) == pytest.approx(600, abs=20)
    you.screenshot(path=str(screenshots / "demo-clock-offer.png"))

    you.keyboard.press("Enter")
    expect(you.locator("#state-pill")).to_have_text("On contact", timeout=WAIT)
    you.click("#hangup-button")
    wrap = you.locator("#wrap-timer")
    expect(wrap).to_contain_text("Wrap-up ends in", timeout=WAIT)
    # The wrap-up countdown and the state timer: 1,800 s between them, moving together.
    (tw1, wrap1), (ts1, state1) = _read(you, "#wrap-timer", "#state-since")
    time.sleep(2.0)
    (tw2, wrap2), (ts2, state2) = _read(you, "#wrap-timer", "#state-since")
    assert wrap1 - wrap2 == pytest.approx(RATE * (tw2 - tw1), abs=20)
    assert state2 - state1 == pytest.approx(RATE * (ts2 - ts1), abs=RATE + 20)
    assert wrap2 + state2 - RATE * (ts2 - tw2) == pytest.approx(1800, abs=20)

    # The supervisor's grid shows the same time in wrap-up as the agent's own page.
    row = sup.locator('#agent-grid tr[data-agent="you"]')
    expect(row).to_have_attribute("data-state", "wrap-up", timeout=WAIT)
    ((t_mine, mine),) = _read(you, "#state-since")
    ((t_seen, seen),) = _read(sup, '#agent-grid tr[data-agent="you"] .in-state')
    assert seen - RATE * (t_seen - t_mine) == pytest.approx(mine, abs=20)

    # Sales callers pile up while the only agent for them wraps up: the alert says when it
    # started on the wallboard's clock (the simulated time of the latest event), not the
    # laptop's.
    alert = sup.locator("#alerts li[data-key]").first
    expect(alert.locator("time")).to_have_text(re.compile(r"\d:\d\d"), timeout=WAIT)
    key = alert.get_attribute("data-key")
    shown, event_time = sup.evaluate("(key) => window.alertsSeen[key]", key)
    gap = abs(_minutes_of_day(shown) - _minutes_of_day(event_time))
    assert min(gap, 24 * 60 - gap) <= 10, (shown, event_time)
    sup.screenshot(path=str(screenshots / "demo-clock-supervisor.png"))
    you.screenshot(path=str(screenshots / "demo-clock-wrap-up.png"))
    out = demo.stop()
    assert demo.proc.returncode == 0, out
