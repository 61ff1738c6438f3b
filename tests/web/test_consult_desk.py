"""The consult on the agent desktop, on a contact with no real call (the desk's part alone;
the audio is tests/voice/test_real_consult.py): declined, then accepted and returned,
then handed over; the supervisor's grid shows the colleague consulting."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.server import CUSTOMER_PHONE, WebServer
from tests.web.support import no_page_errors, open_as, start_ready

pytestmark = pytest.mark.browser


def _ask_tom(maria: Page) -> None:
    maria.click("#consult-button")
    expect(maria.locator("#transfer-title")).to_have_text("Consult an agent first")
    # Agents only: a consult is with a person, not a queue.
    expect(maria.locator("#transfer-directory [data-queue]")).to_have_count(0)
    maria.locator('#transfer-directory [data-agent="a-tom"]').click()
    maria.click("#consult-submit")
    expect(maria.locator("#consult-status")).to_contain_text("Asking Tom Becker")


def test_a_consult_is_declined_returned_and_handed_over_on_the_desks(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    sup = open_as(browser, server, "super", lands_on="/supervisor")
    maria = open_as(browser, server, "maria", lands_on="/agent")
    start_ready(maria)
    server.arrive(queue="returns", caller=CUSTOMER_PHONE, contact_id="cs-1")
    maria.click("#accept-button")
    expect(maria.locator("#state-pill")).to_have_text("On contact")
    tom = open_as(browser, server, "tom", lands_on="/agent")
    start_ready(tom)

    # Declined: Maria is told, the caller still held with her.
    _ask_tom(maria)
    expect(maria.locator("#contact-what")).to_have_text("On hold")
    expect(maria.locator("#hold-button")).to_be_disabled()
    expect(tom.locator("#consult-layer")).to_be_visible()
    expect(tom.locator("#consult-who")).to_have_text("Maria Lopez")
    expect(tom.locator("#consult-caller")).to_have_text(CUSTOMER_PHONE)
    expect(sup.locator('#agent-grid tr[data-agent="a-tom"]')).to_have_attribute(
        "data-state", "consulting"
    )
    tom.click("#consult-decline")
    expect(tom.locator("#consult-layer")).to_be_hidden()
    expect(tom.locator("#state-pill")).to_have_text("Ready")
    expect(maria.locator(".toast").last).to_contain_text("declined")
    expect(maria.locator("#consult-bar")).to_be_hidden()
    expect(maria.locator("#hold-button")).to_contain_text("Resume")
    expect(maria.locator("#hold-button")).to_be_enabled()

    # Accepted, then Maria takes the caller back: Tom is ready again, the call resumed.
    _ask_tom(maria)
    tom.click("#consult-accept")
    expect(tom.locator("#consult-end")).to_be_visible()
    expect(maria.locator("#consult-status")).to_contain_text("Consulting Tom Becker")
    expect(maria.locator("#handover-button")).to_be_enabled()
    maria.click("#return-button")
    expect(tom.locator("#consult-layer")).to_be_hidden()
    expect(tom.locator("#state-pill")).to_have_text("Ready")
    expect(maria.locator("#contact-what")).to_contain_text("On contact")

    # Handed over: Tom has the contact and Maria's notes; Maria wraps up.
    maria.fill("#note-text", "Asked about a refund")
    expect(maria.locator("#save-state")).to_have_text("Saved")
    _ask_tom(maria)
    tom.click("#consult-accept")
    maria.click("#handover-button")
    expect(maria.locator("#state-pill")).to_have_text("Wrap-up")
    expect(tom.locator("#state-pill")).to_have_text("On contact")
    expect(tom.locator("#note-text")).to_have_value("Asked about a refund")
    expect(tom.locator("#caller-id")).to_have_text(CUSTOMER_PHONE)
    tom.screenshot(path=str(screenshots / "consult-desk-handed-over.png"))
    no_page_errors(maria, tom, sup)
