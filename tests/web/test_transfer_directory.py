"""The transfer directory on the agent desktop, and an agent's past help on the
supervisor console."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.web.server import CUSTOMER_PHONE, WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser


def test_an_agent_picks_a_free_colleague_of_the_same_client_from_the_directory(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    sup = open_as(browser, server, "super", lands_on="/supervisor")
    agent = open_as(browser, server, "maria", lands_on="/agent")
    agent.click("#start-button")
    agent.click("#ready-button")
    expect(agent.locator("#state-pill")).to_have_text("Ready")
    server.arrive(queue="returns", caller=CUSTOMER_PHONE, contact_id="tr-1")
    agent.click("#accept-button")
    expect(agent.locator("#state-pill")).to_have_text("On contact")

    # Help asked and answered stays on record for the supervisor.
    agent.click("#help-button")
    agent.fill("#help-text", "May I waive the restocking fee?")
    agent.click("#help-send")
    item = sup.locator("#inbox li").filter(has_text="restocking fee")
    item.locator("input").fill("Yes, this once.")
    item.locator("button[type=submit]").click()
    expect(item).to_have_count(0)
    row = sup.locator('#agent-grid tr[data-agent="a-maria"]')
    row.locator("select").select_option("help")
    row.get_by_role("button", name="Apply").click()
    history = sup.locator("#help-history")
    expect(history).to_be_visible()
    entry = history.locator("li").filter(has_text="restocking fee")
    expect(entry).to_contain_text("Yes, this once.")
    expect(entry).to_contain_text("contact tr-1")
    sup.screenshot(path=str(screenshots / "supervisor-help-history.png"))
    history.get_by_role("button", name="Close").click()

    tom = server.api("tom")
    try:
        assert tom.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
    finally:
        tom.close()
    agent.click("#transfer-button")
    directory = agent.locator("#transfer-directory")
    expect(directory.locator('[data-agent="a-tom"]')).to_contain_text("free")
    # Only Acme's people and queues: Gina works for Globex, Sales is Globex's queue.
    expect(directory.locator('[data-agent="a-gina"]')).to_have_count(0)
    expect(directory.locator('[data-queue="sales"]')).to_have_count(0)
    expect(directory.locator('[data-queue="returns"]')).to_contain_text("0 waiting")
    expect(agent.locator("#transfer-directory-note")).to_contain_text("1 of 1 agents free")
    agent.fill("#transfer-search", "nobody")
    expect(directory.locator("button")).to_have_count(0)
    agent.fill("#transfer-search", "sales")
    expect(directory.locator("button")).to_have_count(1)
    directory.locator('[data-agent="a-tom"]').click()
    expect(agent.locator("#transfer-agent")).to_have_value("a-tom")
    expect(directory.locator('[data-agent="a-tom"]')).to_have_attribute("aria-pressed", "true")
    agent.screenshot(path=str(screenshots / "agent-transfer.png"))
    agent.locator("#transfer-form").get_by_role("button", name="Transfer", exact=True).click()
    expect(agent.locator(".toast-ok").last).to_contain_text("Transferred")
    expect(sup.locator('#agent-grid tr[data-agent="a-tom"]')).to_have_attribute(
        "data-state", "reserved"
    )
    no_page_errors(agent, sup)
