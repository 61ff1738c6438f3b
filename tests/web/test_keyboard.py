"""An agent who never touches the mouse: sign in, start, go ready, decline, answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import APIResponse, Browser, Page, Route, expect

from tests.web.server import PASSWORD, WebServer
from tests.web.support import new_context, no_page_errors, open_as, watch

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


def test_an_offer_that_rings_while_a_desk_read_is_on_its_way_keeps_ringing(
    browser: Browser, server: WebServer
) -> None:
    page = open_as(browser, server, "maria", lands_on="/agent")
    page.click("#start-button")
    expect(page.locator("#state-pill")).to_have_text("Not ready")
    # The next read of the desk is answered as the server saw it, but only delivered
    # after the offer has rung: a read older than the offer it arrives after.
    held: list[tuple[Route, APIResponse]] = []

    def hold(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.route("**/api/agent/desk", hold)
    page.click("#ready-button")
    while not held:
        page.wait_for_timeout(20)
    server.arrive(queue="returns", caller="+44 20 7946 0555", contact_id="late-read-1")
    expect(page.locator("#offer-layer")).to_be_visible()
    route, stale = held[0]
    route.fulfill(response=stale)
    page.wait_for_timeout(400)
    expect(page.locator("#offer-layer")).to_be_visible()  # still ringing, never silenced
    page.keyboard.press("a")
    expect(page.locator("#state-pill")).to_have_text("On contact")
    no_page_errors(page)
