"""What a client viewer may see of the floor: their own client company, live, read-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser


def test_a_client_viewer_sees_only_their_own_client(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    server.arrive(queue="returns", caller="+44 20 7946 0501", contact_id="iso-acme-1")
    server.arrive(queue="sales", caller="+1 555 0501", contact_id="iso-globex-1")
    viewer = open_as(browser, server, "acme-viewer", lands_on="/supervisor")
    expect(viewer.locator('.tile[data-queue="returns"]')).to_be_visible()
    expect(viewer.locator('#waiting tr[data-contact="iso-acme-1"]')).to_be_visible()
    # Live: a new Acme caller appears without a reload; Globex's never do.
    server.arrive(queue="returns", caller="+44 20 7946 0502", contact_id="iso-acme-2")
    server.arrive(queue="sales", caller="+1 555 0502", contact_id="iso-globex-2")
    expect(viewer.locator('#waiting tr[data-contact="iso-acme-2"]')).to_be_visible()
    expect(viewer.locator('.tile[data-queue="returns"]')).to_have_attribute("data-waiting", "2")
    expect(viewer.locator('.tile[data-queue="sales"]')).to_have_count(0)
    expect(viewer.locator('#waiting tr[data-contact^="iso-globex"]')).to_have_count(0)
    body = viewer.locator("body").inner_text()
    assert "555 05" not in body and "Globex" not in body and "globex" not in body
    # Read-only: no agent grid, no help inbox, no actions on waiting callers.
    expect(viewer.locator("#agents-panel")).to_be_hidden()
    expect(viewer.locator("#inbox")).to_be_hidden()
    expect(viewer.locator("#waiting select")).to_have_count(0)
    viewer.screenshot(path=str(screenshots / "client-viewer.png"))

    other = open_as(browser, server, "globex-viewer", lands_on="/supervisor")
    expect(other.locator('.tile[data-queue="sales"]')).to_be_visible()
    expect(other.locator('#waiting tr[data-contact="iso-globex-2"]')).to_be_visible()
    expect(other.locator('.tile[data-queue="returns"]')).to_have_count(0)
    assert "7946 05" not in other.locator("body").inner_text()
    # An agent's page is not theirs: they are sent back to their own.
    other.goto("/agent")
    other.wait_for_url("**/supervisor")
    no_page_errors(viewer, other)


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize(
    ("username", "lands_on", "paths"),
    [
        ("acme-viewer", "/supervisor", ["/supervisor", "/reports", "/pay"]),
        ("maria", "/agent", ["/agent", "/pay"]),
        ("admin", "/supervisor", ["/admin", "/planning", "/knowledge", "/quality"]),
    ],
)
def test_on_a_phones_width_the_top_bar_keeps_sign_out_on_the_bar(
    browser: Browser, server: WebServer, username: str, lands_on: str, paths: list[str]
) -> None:
    # A client's manager reads their statement on a phone: the bar's links wrap under
    # the brand rather than run past the screen's edge, off the dark bar.
    page = open_as(browser, server, username, lands_on=lands_on)
    page.set_viewport_size(PHONE)
    for path in paths:
        page.goto(path)
        signout = page.locator("#signout")
        expect(signout).to_be_visible()
        # Measured once the page has laid its bar out (its links come with the page's
        # script): the button within the screen's width and on the dark bar.
        page.wait_for_function(
            """width => {
              const button = document.querySelector("#signout").getBoundingClientRect();
              const bar = document.querySelector(".topbar").getBoundingClientRect();
              return button.left >= 0 && button.right <= width
                && button.bottom <= bar.bottom && bar.width <= width;
            }""",
            arg=PHONE["width"],
            timeout=10_000,
        )
    no_page_errors(page)
