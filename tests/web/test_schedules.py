"""Schedules in the browser: agents pick open shifts on their page (the second after the
same seat is told it was taken), and the supervisor console shows adherence."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.web.server import WebServer
from tests.web.shifts import LUNCH
from tests.web.shifts import now as _now
from tests.web.shifts import seat as _seat
from tests.web.support import no_page_errors, open_as

BANK = Path(__file__).resolve().parents[2] / "examples" / "data" / "anonymous-bank"


def _publish(sup: httpx.Client) -> None:
    """Two agents' contracts, and two seats of the same shift begun ten minutes ago."""
    for agent in ("a-maria", "a-tom"):
        body = {"group": "returns", "shift_lengths_h": [8], "breaks": [LUNCH]}
        assert sup.put(f"/api/schedules/contracts/{agent}", json=body).status_code == 200
    began = _now() - 10 * 60
    window = {
        "window": "this-week",
        "closes_at": _now() + 3600,
        "shifts": [_seat("seat-1", began), _seat("seat-2", began)],
    }
    assert sup.post("/api/schedules/windows", json=window).status_code == 200


def test_agents_pick_shifts_and_the_console_shows_who_is_off_schedule(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    sup = server.api("super")
    try:
        _publish(sup)
    finally:
        sup.close()
    maria = open_as(browser, server, "maria", lands_on="/agent")
    tom = open_as(browser, server, "tom", lands_on="/agent")
    for page in (maria, tom):
        expect(page.locator("#open-shifts li")).to_have_count(2)
    maria.locator('#open-shifts li[data-shift="seat-1"] button').click()
    expect(maria.locator('#my-shifts li[data-shift="seat-1"]')).to_be_visible()
    expect(maria.locator("#open-shifts li")).to_have_count(1)
    expect(maria.locator("#myday-schedule")).to_contain_text("7.5 h paid")
    maria.screenshot(path=str(screenshots / "schedules-agent-week.png"))

    # Tom's page still offers seat 1: the server refuses it, and says why.
    tom.locator('#open-shifts li[data-shift="seat-1"] button').click()
    expect(tom.locator(".toast").last).to_contain_text("has been taken by another agent")
    expect(tom.locator("#open-shifts li")).to_have_count(1)
    tom.locator('#open-shifts li[data-shift="seat-2"] button').click()
    expect(tom.locator('#my-shifts li[data-shift="seat-2"]')).to_be_visible()

    # Maria signs in, ten minutes into her shift; Tom does not.
    api = server.api("maria")
    try:
        assert api.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
    finally:
        api.close()
    console = open_as(browser, server, "super", lands_on="/supervisor")
    maria_row = console.locator('#agent-grid tr[data-agent="a-maria"]')
    expect(maria_row.locator(".adherence")).to_contain_text("On schedule")
    expect(maria_row.locator(".adherence")).to_have_attribute(
        "title", re.compile("in 1[01] min late")
    )
    expect(console.locator("#alerts")).to_contain_text("Tom Becker: late for the shift")
    console.screenshot(path=str(screenshots / "schedules-supervisor-adherence.png"))
    no_page_errors(maria, tom, console)


@pytest.mark.slow  # forecasts a day of the bank's history first
def test_shifts_are_generated_from_a_staffing_plan_and_charted_against_it(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    sup = server.api("super")
    try:
        for agent in ("a-maria", "a-tom", "a-gina"):
            body = {
                "group": "all",
                "shift_lengths_h": [4, 6, 8],
                "max_days_week": 7,
                # The same break rules the shifts are generated with (the defaults).
                "breaks": [
                    LUNCH,
                    {"min_shift_h": 4, "length_min": 15, "paid": True, "earliest_h": 1},
                ],
            }
            assert sup.put(f"/api/schedules/contracts/{agent}", json=body).status_code == 200
    finally:
        sup.close()
    page = open_as(browser, server, "super", lands_on="/supervisor")
    page.goto("/planning")
    page.set_input_files("#history", str(BANK / "august_calls.csv"))
    page.select_option("#format", "anonymous-bank")
    page.fill("#start", "2010-08-22")
    page.fill("#days", "1")
    page.click("#plan-button")
    expect(page.locator("#plan-rows tbody tr")).to_have_count(48, timeout=60_000)
    page.click("#generate-button")
    facts = page.locator("#roster-facts")
    expect(facts).to_contain_text("LP bound", timeout=60_000)
    expect(facts).to_contain_text("Optimal")
    expect(facts).to_contain_text("3 agents could take 3")
    # The proposal run in the simulator on the plan's forecast, before publishing.
    twin = page.locator("#twin-line")
    expect(twin).to_contain_text(re.compile(r"service level all \d+(\.\d)?%"), timeout=60_000)
    expect(twin).to_contain_text("with 3 named agents and 0 shifts for no one yet")
    # Required agents as bars (and the legend's), the cover as a line.
    expect(page.locator("svg.cover rect.calls")).to_have_count(48 + 1)
    expect(page.locator("svg.cover path.agents")).to_have_count(2)
    page.locator("#shifts").screenshot(path=str(screenshots / "schedules-planning-cover.png"))
    page.click("#publish-button")
    expect(page.locator(".toast").last).to_contain_text("open shifts published")
    no_page_errors(page)
