"""An agent who never touches the mouse: sign in, start, go ready, decline, answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.server import PASSWORD, WebServer
from tests.web.support import new_context, no_page_errors, watch

pytestmark = pytest.mark.browser


def tab_to(page: Page, selector: str, *, limit: int = 30) -> None:
    """Presses Tab until the element is focused (every control is reachable by Tab)."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_an_agent_answers_and_declines_with_the_keyboard_alone(
    browser: Browser, server: WebServer
) -> None:
    page = watch(new_context(browser, server).new_page())
    page.goto("/")
    expect(page.locator("#username")).to_be_focused()
    page.keyboard.type("tom")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/agent")
    pill = page.locator("#state-pill")
    expect(pill).to_have_text("Signed out")

    tab_to(page, "#start-button")
    # The focused control shows a visible focus ring.
    outline = page.locator("#start-button").evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(pill).to_have_text("Not ready")
    page.keyboard.press("r")
    expect(pill).to_have_text("Ready")

    # D declines (Escape does too), and the offer leaves the screen.
    server.arrive(queue="sales", caller="+1 555 0111", contact_id="kb-sales-1")
    expect(page.locator("#offer-layer")).to_be_visible()
    expect(page.locator("#accept-button")).to_be_focused()
    expect(page.locator("#offer-layer")).to_contain_text("Enter")
    page.keyboard.press("d")
    expect(page.locator("#offer-layer")).to_be_hidden()
    if pill.inner_text() != "Ready":
        page.keyboard.press("r")
    expect(pill).to_have_text("Ready")

    # Enter answers the next one.
    server.arrive(queue="returns", caller="+1 555 0112", contact_id="kb-returns-1")
    expect(page.locator("#offer-layer")).to_be_visible()
    expect(page.locator("#offer-caller")).to_have_text("+1 555 0112")
    page.keyboard.press("Enter")
    expect(pill).to_have_text("On contact")
    expect(page.locator("#contact-what")).to_contain_text("+1 555 0112")

    # H holds and resumes; the call controls and the notes are reachable by Tab.
    page.keyboard.press("h")
    expect(page.locator("#contact-what")).to_have_text("On hold")
    page.keyboard.press("h")
    expect(page.locator("#contact-what")).to_contain_text("On contact")
    tab_to(page, "#hangup-button")
    tab_to(page, "#note-text")
    page.keyboard.type("Typed without a mouse.")
    expect(page.locator("#save-state")).to_have_attribute("data-status", "saved")
    no_page_errors(page)
