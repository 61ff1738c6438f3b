"""The reports page's "Menus" table in a real browser: per menu and node for the range,
the firm's menus for a supervisor, a client company's own for its portal, none for an
agent."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from hearthline.kernel.clock import WallClock
from hearthline.voice.commands import AnswerCall, EndCall, RecordMenuVisit
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser

ACME, GLOBEX = "+15550200", "+15550300"


@pytest.fixture(scope="module")
def walked(server: WebServer) -> WebServer:
    """Three callers in Acme's menu, one in Globex's, a minute ago (today's table)."""
    now = WallClock().now()
    walks = (
        ("w1", "acme", ACME, [("main", "option:1", 0), ("returns", "queue", 0)]),
        ("w2", "acme", ACME, [("main", "zero-out", 2)]),
        ("w3", "acme", ACME, [("main", "hangup", 0)]),
        ("w4", "globex", GLOBEX, [("main", "hangup", 0)]),
    )
    for call, client, number, nodes in walks:
        server.writer.execute(AnswerCall(call, f"k-{call}", client, number))
        for node, how, invalids in nodes:
            server.writer.execute(RecordMenuVisit(call, node, now - 60, how, invalids=invalids))
        server.writer.execute(EndCall(call, "caller"))
    return server


def _cells(row: object) -> list[str]:
    return row.locator("td").all_text_contents()  # type: ignore[attr-defined, no-any-return]


def test_the_supervisor_reads_each_menu_node_with_its_exits(
    browser: Browser, walked: WebServer, screenshots: Path
) -> None:
    page = open_as(browser, walked, "super", lands_on="/supervisor")
    page.goto("/reports")
    rows = page.locator("#menu-table tbody tr")
    expect(rows).to_have_count(3)  # acme main, acme returns, globex main
    heads = page.locator("#menu-table thead th").all_text_contents()
    assert heads[:4] == ["Client", "Menu", "Node", "Calls in menu"] and heads[-1] == "Exits"
    zero = heads.index("Zero-outs")
    hung = heads.index("Menu hang-ups")
    invalid = heads.index("Invalid keys")
    main = _cells(rows.nth(0))
    assert main[:4] == ["acme", ACME, "main", "3"]
    assert (main[hung], main[zero], main[invalid]) == ("1", "1", "2")
    times = "\u00d7"  # the multiplication sign
    assert main[-1] == f"hangup {times}1, option:1 {times}1, zero-out {times}1"
    assert _cells(rows.nth(1))[:3] == ["acme", ACME, "returns"]
    assert _cells(rows.nth(2))[:4] == ["globex", GLOBEX, "main", "1"]
    page.click("#menus-panel details summary")
    expect(page.locator("#menu-definitions dt")).to_have_count(9)
    expect(page.locator("#menu-grouping")).to_contain_text("never per campaign or queue")
    tip = page.locator('#menu-table th[title^="Callers who pressed"]')
    expect(tip).to_have_text("Zero-outs")
    href = page.get_attribute("#menu-csv-link", "href") or ""
    assert (
        href.startswith("/api/reports/menus/export.csv?") and "group=client%2Cmenu%2Cnode" in href
    )
    page.locator("#menus-panel").scroll_into_view_if_needed()
    page.locator("#menus-panel").screenshot(path=str(screenshots / "reports-menus.png"))
    no_page_errors(page)


def test_the_client_portal_shows_its_own_menu_and_an_agent_none(
    browser: Browser, walked: WebServer
) -> None:
    page = open_as(browser, walked, "globex-viewer", lands_on="/supervisor")
    page.goto("/reports")
    rows = page.locator("#menu-table tbody tr")
    expect(rows).to_have_count(1)
    assert _cells(rows.nth(0))[:3] == ["globex", GLOBEX, "main"]
    assert ACME not in page.locator("#menus-panel").inner_text()
    page.fill("#date", "2020-01-01")
    page.click("#show")
    expect(page.locator("#menu-empty")).to_be_visible()
    expect(rows).to_have_count(0)
    no_page_errors(page)

    agent = open_as(browser, walked, "maria", lands_on="/agent")
    agent.goto("/reports")
    expect(agent.locator("#report-range")).not_to_be_empty()
    expect(agent.locator("#menus-panel")).to_be_hidden()
    no_page_errors(agent)
