"""An agent's contact from ring to outcome, with the supervisor watching every step.

The agent signs in, goes ready, gets a contact from the channel ingress, accepts it,
writes notes, loses the network and reloads the page while offline (the notes are still
there), comes back (the notes reach the server), and wraps up with an outcome; the
supervisor's wallboard and agent grid follow along live in a second browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.server import CUSTOMER_PHONE, WebServer
from tests.web.support import contact_detail, latest_draft, new_context, no_page_errors, open_as

pytestmark = pytest.mark.browser


def grid_row(sup: Page, agent: str) -> object:
    return sup.locator(f'#agent-grid tr[data-agent="{agent}"]')


def test_an_agents_contact_survives_going_offline_and_the_supervisor_sees_each_step(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    signin = new_context(browser, server).new_page()
    signin.goto("/")
    expect(signin.locator("#signin-button")).to_be_visible()
    signin.screenshot(path=str(screenshots / "signin.png"))

    sup = open_as(browser, server, "super", lands_on="/supervisor")
    agent = open_as(browser, server, "maria", lands_on="/agent")
    pill = agent.locator("#state-pill")
    expect(pill).to_have_text("Signed out")

    agent.click("#start-button")
    expect(pill).to_have_text("Not ready")
    expect(grid_row(sup, "a-maria")).to_have_attribute("data-state", "not-ready")
    agent.click("#ready-button")
    expect(pill).to_have_text("Ready")
    expect(grid_row(sup, "a-maria")).to_have_attribute("data-state", "available")
    expect(agent.locator("#conn")).to_have_text("Connected")
    agent.screenshot(path=str(screenshots / "agent-ready.png"))

    # A caller known to Acme rings in through the channel ingress.
    contact = server.arrive(queue="returns", caller=CUSTOMER_PHONE, contact_id="web-0001")
    expect(agent.locator("#offer-layer")).to_be_visible()
    expect(agent.locator("#offer-caller")).to_have_text(CUSTOMER_PHONE)
    expect(agent.locator("#offer-campaign")).to_have_text("Returns")
    expect(agent.locator("#offer-customer")).to_have_text("Eleanor Rigby")
    expect(agent.locator("#offer-left")).to_have_text(re.compile(r"^\d+$"))
    expect(agent.locator("#accept-button")).to_be_focused()
    expect(grid_row(sup, "a-maria")).to_have_attribute("data-state", "reserved")
    expect(sup.locator('.tile[data-queue="returns"]')).to_have_attribute("data-waiting", "1")
    agent.screenshot(path=str(screenshots / "agent-ringing.png"))

    agent.click("#accept-button")
    expect(pill).to_have_text("On contact")
    expect(agent.locator("#offer-layer")).to_be_hidden()
    expect(agent.locator("#customer-name")).to_have_text("Eleanor Rigby")
    expect(agent.locator("#history")).to_contain_text("exchanged for a larger size")
    expect(agent.locator("#script")).to_contain_text("Thank you for calling Acme Retail")
    row = grid_row(sup, "a-maria")
    expect(row).to_have_attribute("data-state", "on-contact")
    expect(row.locator(".contact")).to_contain_text(CUSTOMER_PHONE)
    expect(sup.locator('.tile[data-queue="returns"]')).to_have_attribute("data-waiting", "0")

    # Notes and the form save as they are typed.
    agent.fill("#field-order_number", "A-2002")
    agent.fill("#note-text", "Shoes do not fit.")
    expect(agent.locator("#save-state")).to_have_attribute("data-status", "saved")
    draft = latest_draft(server, contact)
    assert draft is not None and draft["text"] == "Shoes do not fit."
    assert ["order_number", "A-2002"] in draft["fields"]

    # Another client's caller waits (nobody works Globex's sales yet) and Maria asks
    # for help: the supervisor sees both, and answers.
    server.arrive(queue="sales", caller="+1 555 0100", contact_id="web-sales-1")
    agent.click("#help-button")
    agent.fill("#help-text", "Customer asks for a refund to a gift card. Allowed?")
    agent.click("#help-send")
    inbox = sup.locator("#inbox li").filter(has_text="gift card")
    expect(inbox).to_be_visible()
    expect(sup.locator('#waiting tr[data-contact="web-sales-1"]')).to_be_visible()
    sup.screenshot(path=str(screenshots / "supervisor.png"))
    inbox.locator("input").fill("Yes, up to 200.")
    inbox.locator("button[type=submit]").click()
    expect(agent.locator(".toast").filter(has_text="Yes, up to 200.")).to_be_visible()
    expect(sup.locator("#inbox li").filter(has_text="gift card")).to_have_count(0)
    agent.screenshot(path=str(screenshots / "agent-connected.png"))

    # The network drops: the page says so, and notes are kept in the browser.
    agent.wait_for_function("navigator.serviceWorker.controller !== null")
    agent.context.set_offline(True)
    expect(agent.locator("#conn")).to_have_text("Offline")
    expect(agent.locator("#banner")).to_be_visible()
    offline_text = "Shoes do not fit. Wants the next size up; keeps the box."
    agent.fill("#note-text", offline_text)
    expect(agent.locator("#save-state")).to_have_attribute("data-status", "local")
    # The server stops hearing the agent: the supervisor is told.
    expect(grid_row(sup, "a-maria")).to_have_attribute("data-state", "lost", timeout=15_000)
    expect(sup.locator("#alerts")).to_contain_text("connection lost")

    # The page reloads while still offline: the draft is there.
    agent.reload()
    expect(agent.locator("#note-text")).to_have_value(offline_text)
    expect(agent.locator("#field-order_number")).to_have_value("A-2002")
    expect(agent.locator("#conn")).to_have_text("Offline")
    agent.screenshot(path=str(screenshots / "agent-offline.png"))

    # Back online: the draft reaches the server, and the floor sees the agent again.
    agent.context.set_offline(False)
    expect(agent.locator("#conn")).to_have_text("Connected", timeout=15_000)
    expect(agent.locator("#save-state")).to_have_attribute("data-status", "saved")
    draft = latest_draft(server, contact)
    assert draft is not None and draft["text"] == offline_text
    expect(grid_row(sup, "a-maria")).to_have_attribute("data-state", "on-contact")

    # Wrap-up: the outcome is required, then the contact is finished.
    agent.click("#hangup-button")
    expect(pill).to_have_text("Wrap-up")
    expect(agent.locator("#wrap-timer")).to_contain_text("Wrap-up ends in")
    expect(grid_row(sup, "a-maria")).to_have_attribute("data-state", "wrap-up")
    agent.click("#finish-button")
    expect(agent.locator("#wrapup-error")).to_contain_text("choose an outcome")
    agent.get_by_label("Return prevented by exchange").check()
    agent.screenshot(path=str(screenshots / "agent-wrap-up.png"))
    agent.click("#finish-button")
    expect(pill).to_have_text("Ready")
    expect(agent.locator("#idle")).to_be_visible()
    detail = contact_detail(server, contact)
    assert detail["disposition"] == "prevented-exchange"
    assert detail["note"] == offline_text
    expect(grid_row(sup, "a-maria")).to_have_attribute("data-state", "available")
    # The day's figures follow the read model: the past call and this one.
    returns = sup.locator('.tile[data-queue="returns"]')
    expect(returns.locator(".fig-answered .v")).to_have_text("2")
    expect(agent.locator("#myday")).to_have_attribute("data-handled", "2")
    no_page_errors(agent, sup)
