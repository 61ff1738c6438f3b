"""The reports page in a real browser: a manager's day with its charts, and the client
company's portal, which shows and exports its own figures only."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from hearthline.reports.imported import CallImported, RecordCalls
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser

DAY = "2026-11-02"
LINES = (  # client, campaign, queue, agents, outcomes (name, sale, save)
    (
        "acme",
        "acme-returns",
        "returns",
        ("a-maria", "a-tom"),
        (("return-processed", False, False), ("prevented-exchange", False, True)),
    ),
    (
        "globex",
        "globex-sales",
        "sales",
        ("a-gina", "a-tom"),
        (("sale", True, False), ("no-sale", False, False)),
    ),
)


def _history_of_a_day(server: WebServer) -> None:
    """A weekday of both lines, 08:00 to 18:00 UTC, busier at mid-morning and mid-afternoon."""
    rng = random.Random(11)
    start = dt.datetime.fromisoformat(f"{DAY}T08:00+00:00").timestamp()
    calls = []
    for slot in range(40):
        for client, campaign, queue, agents, outcomes in LINES:
            busy = 6 + 5 * abs(((slot % 20) - 10) / 10 - 1)
            for n in range(rng.randint(int(busy) - 2, int(busy) + 2)):
                wait = rng.expovariate(1 / (8 + slot % 7 * 6))
                gone = wait > 45 and rng.random() < 0.6
                name, sale, save = outcomes[rng.random() < 0.35]
                calls.append(
                    CallImported(
                        at=start + slot * 900 + rng.uniform(0, 899),
                        contact=f"h-{queue}-{slot}-{n}",
                        client=client,
                        campaign=campaign,
                        queue=queue,
                        caller=f"+1555{rng.randint(0, 400):04d}",
                        outcome="abandoned" if gone else "answered",
                        wait_s=wait,
                        agent=None if gone else agents[n % 2],
                        talk_s=0.0 if gone else rng.uniform(120, 420),
                        wrap_s=0.0 if gone else rng.uniform(10, 60),
                        disposition=None if gone else name,
                        sale=sale and not gone,
                        save=save and not gone,
                    )
                )
    for i in range(0, len(calls), 1000):
        server.writer.execute(RecordCalls(tuple(calls[i : i + 1000])))


@pytest.fixture(scope="module")
def history(server: WebServer) -> WebServer:
    _history_of_a_day(server)
    return server


def _open_day(page: Page) -> None:
    page.goto("/reports")
    expect(page.locator("#report-range")).not_to_be_empty()
    page.fill("#date", DAY)
    page.click("#show")
    expect(page.locator("#report-range")).to_contain_text(DAY)


def test_a_manager_reads_the_day_by_client_with_its_charts(
    browser: Browser, history: WebServer, screenshots: Path
) -> None:
    page = open_as(browser, history, "super", lands_on="/supervisor")
    _open_day(page)
    rows = page.locator("#report-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("acme")
    expect(rows.nth(1)).to_contain_text("globex")
    title = page.locator('#report-table th[title^="Offered contacts answered within"]')
    expect(title).to_have_text("Service level")
    # The charts are drawn from the same figures: one bar per interval of the day.
    volume = page.evaluate("Chart.getChart('volume-chart').data.labels.length")
    assert volume == 40
    agents = page.evaluate("Chart.getChart('outcomes-chart').data.labels")
    assert sorted(agents) == ["a-gina", "a-maria", "a-tom"]
    offered = page.evaluate(
        "Chart.getChart('volume-chart').data.datasets[0].data.reduce((a, b) => a + b, 0)"
    )
    shown = sum(int(rows.nth(i).locator("td").nth(1).inner_text()) for i in range(2))
    assert offered == shown
    page.screenshot(path=str(screenshots / "reports-manager.png"), full_page=True)
    no_page_errors(page)


def test_the_client_portal_shows_and_exports_its_own_client_only(
    browser: Browser, history: WebServer, screenshots: Path, tmp_path: Path
) -> None:
    page = open_as(browser, history, "acme-viewer", lands_on="/supervisor")
    _open_day(page)
    expect(page.locator("#report-table tbody tr")).to_have_count(1)
    expect(page.locator('#group option[value="agent"]')).to_be_hidden()
    expect(page.locator("#outcomes-panel")).to_be_hidden()
    page.select_option("#group", "queue")
    page.click("#show")
    expect(page.locator("#report-table tbody tr td").first).to_have_text("returns")
    body = page.locator("body").inner_text().lower()
    assert "globex" not in body and "gina" not in body
    page.screenshot(path=str(screenshots / "reports-client-portal.png"), full_page=True)
    with page.expect_download() as got:
        page.click("#csv-link")
    saved = tmp_path / "report.csv"
    got.value.save_as(saved)
    text = saved.read_text()
    assert text.startswith("# Hearthline report, 2026-11-02 to 2026-11-02 (UTC), grouped by queue")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines[0].startswith("queue,offered,") and [line.split(",")[0] for line in lines[1:]] == [
        "returns"
    ]
    assert "globex" not in text and "gina" not in text
    no_page_errors(page)


def test_a_show_before_the_page_is_ready_stays_on_the_page(
    browser: Browser, history: WebServer
) -> None:
    """The form's handler is wired once the figures' definitions arrive; a click before
    that must not send the form natively (a reload with the fields in the address)."""
    page = open_as(browser, history, "super", lands_on="/supervisor")
    held: list[Route] = []
    page.route("**/api/reports/definitions", lambda route: held.append(route))
    page.goto("/reports")
    while not held:
        page.wait_for_timeout(50)
    page.fill("#date", DAY)
    page.click("#show")
    page.wait_for_load_state()
    assert "?" not in page.url and page.url.endswith("/reports")
    page.unroute("**/api/reports/definitions")
    page.reload()
    expect(page.locator("#report-range")).not_to_be_empty()
    no_page_errors(page)
