"""While an offer rings, the agent can still ask for a break after it: the choice sits in
the ringing offer itself, so nobody has to decline a caller to get off the phones."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.server import WebServer
from tests.web.support import contact_detail, no_page_errors, open_as, start_ready

pytestmark = pytest.mark.browser


def ready(page: Page) -> None:
    expect(page.locator("#state-pill")).to_have_text("Signed out")  # the desk is read
    start_ready(page)


def finish_the_contact(page: Page) -> None:
    page.click("#hangup-button")
    expect(page.locator("#state-pill")).to_have_text("Wrap-up")
    page.get_by_label("No sale").check()
    page.click("#finish-button")


def test_an_agent_chooses_not_ready_after_the_contact_while_it_rings(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    page = open_as(browser, server, "gina", lands_on="/agent")
    ready(page)
    server.arrive(queue="sales", caller="+1 555 0301", contact_id="ring-after-1")
    expect(page.locator("#offer-layer")).to_be_visible()

    # The choice is inside the offer: a real click reaches it (nothing covers it).
    page.locator("#offer-reason").select_option("lunch")
    page.click("#offer-notready-button")
    expect(page.locator("#offer-then")).to_have_text("After this contact: not ready (Lunch)")
    expect(page.locator("#offer-layer")).to_be_visible()  # still ringing, not declined
    page.screenshot(path=str(screenshots / "agent-ringing-not-ready-after.png"))

    page.click("#accept-button")
    expect(page.locator("#state-pill")).to_have_text("On contact")
    expect(page.locator("#pending-reason")).to_have_text("Then: Lunch")
    finish_the_contact(page)
    expect(page.locator("#state-pill")).to_have_text("Not ready")
    expect(page.locator("#state-reason")).to_have_text("Lunch")

    types = [e["type"] for e in contact_detail(server, "ring-after-1")["events"]]
    assert "OfferAccepted" in types and "OfferDeclined" not in types
    no_page_errors(page)


def test_the_n_key_chooses_not_ready_after_the_contact_while_it_rings(
    browser: Browser, server: WebServer
) -> None:
    page = open_as(browser, server, "tom", lands_on="/agent")
    ready(page)
    page.locator("#reason-select").select_option("break")  # the bar's choice is carried over
    page.locator("body").click()
    server.arrive(queue="sales", caller="+1 555 0302", contact_id="ring-after-2")
    expect(page.locator("#offer-layer")).to_be_visible()
    expect(page.locator("#accept-button")).to_be_focused()
    expect(page.locator("#offer-reason")).to_have_value("break")

    page.keyboard.press("n")
    expect(page.locator("#offer-then")).to_have_text("After this contact: not ready (Break)")
    page.keyboard.press("Enter")
    expect(page.locator("#state-pill")).to_have_text("On contact")
    finish_the_contact(page)
    expect(page.locator("#state-pill")).to_have_text("Not ready")
    expect(page.locator("#state-reason")).to_have_text("Break")
    types = [e["type"] for e in contact_detail(server, "ring-after-2")["events"]]
    assert "OfferDeclined" not in types
    no_page_errors(page)
