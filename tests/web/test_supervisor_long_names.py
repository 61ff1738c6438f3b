"""The supervisor console's agent grid with names and ids as long as a real floor's (the
demo's): at the laptop sizes docs/web.md names it fits its pane, every row's actions in
view, with no sideways scroll."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from hearthline.kernel.ids import AgentId
from tests.web.server import WebServer, start_server
from tests.web.support import no_page_errors, sign_in, watch
from tests.web.test_supervisor_busy import AGENTS, busy_floor

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
    yield served
    served.stop()


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1280, 800)])
def test_the_agent_grid_fits_its_pane_with_long_names(
    browser: Browser, server: WebServer, width: int, height: int
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
    no_page_errors(page)
    context.close()
