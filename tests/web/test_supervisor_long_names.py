"""The supervisor console's agent grid with names and ids as long as a real floor's (the
demo's), an agent whose connection is lost and agents on a break: at the laptop sizes
docs/web.md names it fits its pane, one line per agent, at least 12 agents and every
row's actions in view, with no sideways scroll; what is cut short is said in full on
hover."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from hearthline.kernel.ids import AgentId
from hearthline.routing import commands as cmd
from tests.web.server import WebServer, start_server
from tests.web.support import no_page_errors, sign_in, watch
from tests.web.test_supervisor_busy import AGENTS, busy_floor, visible_rows

pytestmark = pytest.mark.browser

GIVEN = ("Chloe", "Grace", "Mara", "Hugo", "Farid", "Elena", "Dev", "Isla")
FAMILY = ("Okafor", "Kowalski", "Eriksen", "Lindqvist", "Haddad", "Adeyemi", "Costa")


def long_names(i: int) -> tuple[AgentId, str]:
    line = "returns" if i % 2 else "sales"
    return AgentId(f"{line}-early-{i:04d}"), f"{GIVEN[i % len(GIVEN)]} {FAMILY[i % len(FAMILY)]}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    served = start_server(
        tmp_path_factory.mktemp("names") / "hearthline.sqlite3", heartbeat_timeout_s=3600
    )
    busy_floor(served, long_names)
    # The widest a state gets: the connection lost (the walkthrough's 840 px grid).
    served.writer.execute(cmd.ReportConnectionLost(long_names(1)[0]))
    yield served
    served.stop()


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1280, 800)])
def test_the_agent_grid_fits_its_pane_with_long_names(
    browser: Browser, server: WebServer, screenshots: Path, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url)
    context.set_default_timeout(15_000)
    page = watch(context.new_page())
    sign_in(page, "super", lands_on="/supervisor")
    page.wait_for_function(
        "(a) => document.querySelectorAll('#agent-grid tbody tr').length >= a", arg=AGENTS
    )
    pane = page.locator("#agents-panel .body")
    inner, scrolled = pane.evaluate("(e) => [e.clientWidth, e.scrollWidth]")
    assert scrolled <= inner, f"agent grid {scrolled} px wide in a {inner} px pane"
    box = pane.bounding_box()
    assert box is not None
    apply = page.locator("#agent-grid tbody tr").first.get_by_role("button", name="Apply")
    button = apply.bounding_box()
    assert button is not None and button["x"] + button["width"] <= box["x"] + box["width"]
    lost = page.locator("#agent-grid tbody tr", has_text="Connection lost")
    expect(lost).to_have_count(1)
    agent, name = long_names(1)
    expect(lost.locator("td.name")).to_have_attribute("title", f"{name} ({agent})")
    # A busy floor at a glance: one line per agent, and a dozen agents in view.
    heights = page.locator("#agent-grid tbody tr").evaluate_all(
        "(rows) => rows.map((r) => r.getBoundingClientRect().height)"
    )
    assert max(heights) < 36, f"rows {max(heights)} px high"
    rows = visible_rows(page, "#agent-grid")
    assert rows >= 12, f"{rows} agent rows visible at {width}x{height}"
    waiting = page.locator("#waiting").locator("xpath=ancestor::div[contains(@class,'body')]")
    inner, scrolled = waiting.evaluate("(e) => [e.clientWidth, e.scrollWidth]")
    assert scrolled <= inner, f"waiting callers {scrolled} px wide in a {inner} px pane"
    page.screenshot(path=str(screenshots / f"supervisor-long-names-{width}.png"))
    no_page_errors(page)
    context.close()
