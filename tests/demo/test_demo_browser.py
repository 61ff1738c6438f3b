"""The demo in a real browser: the wallboard is alive within seconds, and a person takes
a call beside the simulated agents."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import VIEWPORT
from tests.demo.conftest import PASSWORD, Demo


def _page_as(browser: Browser, demo: Demo, username: str, lands_on: str) -> Page:
    page = browser.new_context(viewport=VIEWPORT, base_url=demo.url).new_page()
    page.set_default_timeout(30_000)
    page.goto("/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#signin-button")
    page.wait_for_url(f"**{lands_on}")
    return page


@pytest.mark.browser
def test_a_person_takes_a_call_in_the_demo_while_the_wallboard_runs(
    browser: Browser, start_demo: Callable[..., Demo], screenshots: Path
) -> None:
    demo = start_demo(60)
    sup = _page_as(browser, demo, "supervisor", "/supervisor")
    busy = sup.locator('#agent-grid tr[data-state="on-contact"]')
    expect(busy.nth(4)).to_be_attached()  # five simulated agents on calls, live
    # Simulated agents go by people's names on the consoles, their ids beneath.
    expect(sup.locator('#agent-grid tr[data-agent="sales-early-0001"]')).to_contain_text(
        "Ava Adeyemi"
    )
    for queue in ("sales", "returns", "help"):
        expect(sup.locator(f'.tile[data-queue="{queue}"]')).to_be_visible()

    you = _page_as(browser, demo, "you", "/agent")
    pill = you.locator("#state-pill")
    # The demo's writer is busy with a simulated floor at 60 times: an answer to a person
    # may take seconds on a loaded machine (expect's own default is 5 s).
    slow = 30_000
    you.click("#start-button")
    expect(pill).to_have_text("Not ready", timeout=slow)
    you.keyboard.press("r")  # Ready, by keyboard
    expect(pill).to_have_text("Ready", timeout=slow)
    expect(sup.locator('#agent-grid tr[data-agent="you"]')).to_have_attribute(
        "data-state", "available", timeout=slow
    )
    # A simulated caller rings; the person answers from the keyboard.
    expect(you.locator("#offer-layer")).to_be_visible(timeout=60_000)
    expect(you.locator("#offer-caller")).to_have_text(re.compile(r"^\+44"))
    you.keyboard.press("Enter")
    expect(pill).to_have_text("On contact", timeout=slow)
    expect(sup.locator('#agent-grid tr[data-agent="you"]')).to_have_attribute(
        "data-state", "on-contact", timeout=slow
    )
    you.fill("#note-text", "Caller asks about delivery times.")
    expect(you.locator("#save-state")).to_have_attribute("data-status", "saved")
    you.screenshot(path=str(screenshots / "demo-agent.png"))
    sup.screenshot(path=str(screenshots / "demo-supervisor.png"))

    out = demo.stop()
    assert demo.proc.returncode == 0, out
