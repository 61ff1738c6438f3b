"""A manager makes a staffing plan in the browser from the bank's real August."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as

BANK = Path(__file__).resolve().parents[2] / "examples" / "data" / "anonymous-bank"


def test_a_supervisor_makes_a_staffing_plan_from_a_history_file(
    browser: Browser, server: WebServer, screenshots: Path, tmp_path: Path
) -> None:
    page = open_as(browser, server, "super", lands_on="/supervisor")
    page.click("#planning-link")
    page.wait_for_url("**/planning")
    page.set_input_files("#history", str(BANK / "august_calls.csv"))
    page.select_option("#format", "anonymous-bank")
    page.fill("#start", "2010-08-22")
    page.fill("#days", "1")
    page.fill("#shrinkage", "30")
    page.click("#plan-button")

    rows = page.locator("#plan-rows tbody tr")
    expect(rows).to_have_count(48, timeout=60_000)  # every half hour of the day
    expect(page.locator("#plan-summary")).to_contain_text("42,078 rows read")
    expect(page.locator("#plan-summary")).to_contain_text("chosen by backtest")
    eleven = page.locator('#plan-rows tr[data-start="2010-08-22T11:00:00"] td')
    on_phones, to_schedule = int(eleven.nth(4).inner_text()), int(eleven.nth(5).inner_text())
    assert 0 < on_phones < to_schedule  # shrinkage asks for more agents than seats
    # The agent-hours `hearthline plan` prints: the agents to schedule times half an hour.
    column = page.locator("#plan-rows tbody tr td:nth-child(6)").all_inner_texts()
    hours = sum(int(x) for x in column) / 2
    expect(page.locator("#plan-hours")).to_have_text(f"{hours:,.1f}")
    expect(page.locator("svg.chart rect.calls")).to_have_count(48 + 1)  # bars and the legend's
    page.screenshot(path=str(screenshots / "planning.png"))

    with page.expect_download() as download:
        page.click("#csv-button")
    saved = tmp_path / "plan.csv"
    download.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0].startswith("queue,start,calls")
    assert len(lines) == 49

    # Bad input is named, not a crash.
    page.fill("#start", "2010-08-01")  # no history before the first day of the file
    page.click("#plan-button")
    expect(page.locator("#plan-error")).to_contain_text("no history before 2010-08-01")
    no_page_errors(page)


def test_client_viewers_are_not_offered_planning(browser: Browser, server: WebServer) -> None:
    viewer = open_as(browser, server, "acme-viewer", lands_on="/supervisor")
    expect(viewer.locator("#planning-link")).to_be_hidden()
    viewer.goto("/planning")
    viewer.wait_for_url("**/supervisor")  # sent back to their own page
