"""Pages with nothing to show yet say so, instead of empty axes, a table header over
nothing, or headings with nothing under them: a firm's first day."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.web.server import WebServer, start_server
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser

QUIET_DAY = "2020-01-06"  # long before anything the server holds


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    served = start_server(tmp_path_factory.mktemp("empty") / "hearthline.sqlite3")
    yield served
    served.stop()


def test_a_day_without_contacts_or_outcomes_says_so_instead_of_empty_charts(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    page = open_as(browser, server, "admin", lands_on="/supervisor")
    page.goto("/reports")
    expect(page.locator("#report-range")).not_to_be_empty()
    page.fill("#date", QUIET_DAY)
    page.click("#show")
    expect(page.locator("#report-range")).to_contain_text(QUIET_DAY)
    outcomes = page.locator("#outcomes-panel")
    expect(outcomes.locator(".chart-empty")).to_have_text("No outcomes recorded in this range.")
    expect(outcomes.locator("canvas")).to_be_hidden()
    expect(page.locator("#volume-empty")).to_have_text("No contacts in this range.")
    expect(page.locator("#volume-chart")).to_be_hidden()
    assert page.evaluate("Chart.getChart('outcomes-chart')") is None
    page.screenshot(path=str(screenshots / "reports-empty.png"), full_page=True)
    no_page_errors(page)


def test_a_payroll_without_pay_rules_shows_only_that_message(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    page = open_as(browser, server, "admin", lands_on="/supervisor")
    page.goto("/pay")
    expect(page.locator("#payroll-period")).to_have_text("No agent has a pay rule.")
    expect(page.locator("#payroll-table table")).to_have_count(0)
    expect(page.locator("#closed-list")).to_be_empty()
    page.screenshot(path=str(screenshots / "pay-payroll-empty.png"))
    no_page_errors(page)


def test_a_new_article_says_what_its_preview_and_versions_will_show(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    page = open_as(browser, server, "admin", lands_on="/supervisor")
    page.goto("/knowledge")
    expect(page.locator("#editor-title")).to_have_text("New article")
    expect(page.locator("#article-preview")).to_have_text(
        "The article as agents will read it appears here once it is saved."
    )
    expect(page.locator("#article-versions li")).to_have_text(
        ["Each save is kept as a version, listed here with who made it and why."]
    )
    # Nor does the acknowledgements panel show a table header before a bulletin is picked.
    expect(page.locator("#receipt-counts")).to_contain_text("Pick a bulletin")
    expect(page.locator(".receipts")).to_be_hidden()
    expect(page.get_by_role("heading", name="Questions")).to_be_hidden()
    page.screenshot(path=str(screenshots / "knowledge-new-article.png"), full_page=True)
    no_page_errors(page)
