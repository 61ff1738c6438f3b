"""The supervisor's hand on the floor: forcing states, moving callers, signing agents out;
help requests that arrive while the console is offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser


def test_a_supervisor_forces_states_moves_callers_and_signs_agents_out(
    browser: Browser, server: WebServer
) -> None:
    sup = open_as(browser, server, "super", lands_on="/supervisor")
    agent = open_as(browser, server, "gina", lands_on="/agent")
    agent.click("#start-button")
    pill = agent.locator("#state-pill")
    expect(pill).to_have_text("Not ready")
    row = sup.locator('#agent-grid tr[data-agent="a-gina"]')
    expect(row).to_have_attribute("data-state", "not-ready")

    # Force ready, then a break: the agent's page follows.
    row.locator("select").select_option("ready")
    row.get_by_role("button", name="Apply").click()
    expect(pill).to_have_text("Ready")
    row.locator("select").select_option("nr:lunch")
    row.get_by_role("button", name="Apply").click()
    expect(pill).to_have_text("Not ready")
    expect(agent.locator("#state-reason")).to_have_text("Lunch")
    expect(row.locator(".reason")).to_have_text("Lunch")

    # A waiting caller is raised in priority and moved to another queue.
    server.arrive(queue="sales", caller="+1 555 0601", contact_id="act-1")
    waiting = sup.locator('#waiting tr[data-contact="act-1"]')
    expect(waiting.locator(".prio")).to_have_text("0")
    waiting.locator("select").select_option("up")
    waiting.get_by_role("button", name="Apply").click()
    expect(waiting.locator(".prio")).to_have_text("10")
    waiting.locator("select").select_option("mv:returns")
    waiting.get_by_role("button", name="Apply").click()
    expect(waiting.locator(".queue")).to_have_text("Returns")

    # "Go to agent" from a help request lands on the agent's row.
    agent.click("#help-button")
    agent.fill("#help-text", "Printer on fire")
    agent.click("#help-send")
    request = sup.locator("#inbox li").filter(has_text="Printer on fire")
    request.get_by_role("button", name="Go to agent").click()
    expect(row.locator("select")).to_be_focused()

    # Signing the agent out.
    sup.once("dialog", lambda dialog: dialog.accept())
    row.locator("select").select_option("signout")
    row.get_by_role("button", name="Apply").click()
    expect(pill).to_have_text("Signed out")
    expect(row).to_have_count(0)
    no_page_errors(sup, agent)


def test_help_asked_while_the_console_was_offline_is_in_the_inbox_when_it_is_back(
    browser: Browser, server: WebServer
) -> None:
    sup = open_as(browser, server, "super", lands_on="/supervisor")
    expect(sup.locator("#conn")).to_have_text("Live")
    tom = server.api("tom")
    try:
        assert tom.post("/api/agent/sign-in", json={"ready": False}).status_code == 200
        sup.context.set_offline(True)
        expect(sup.locator("#conn")).not_to_have_text("Live")
        asked = tom.post("/api/agent/help", json={"text": "Caller wants the warranty terms"})
    finally:
        tom.close()
    assert asked.status_code == 201
    request = sup.locator("#inbox li").filter(has_text="warranty terms")
    sup.wait_for_timeout(1000)
    expect(request).to_have_count(0)  # nothing reaches a console that is offline
    sup.context.set_offline(False)
    expect(request).to_be_visible()
    listed = sup.locator('#inbox li[data-help]:not([data-help="none"])').count()
    expect(sup.locator("#help-count")).to_have_text(str(listed))
    no_page_errors(sup)
