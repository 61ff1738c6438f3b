"""The sign-in page asks a supervisor with two-factor sign-in for the code."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, expect

from hearthline.kernel.clock import WallClock
from tests.web.server import PASSWORD, WebServer
from tests.web.support import new_context, no_page_errors, watch

pytestmark = pytest.mark.browser


def test_the_sign_in_page_asks_for_the_code_and_signs_in_with_it(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    me = server.api("super")
    try:
        secret = me.post("/api/auth/two-factor", json={"password": PASSWORD}).json()["secret"]
        totp = pyotp.TOTP(secret)
        assert me.post("/api/auth/two-factor/confirm", json={"code": totp.now()}).is_success
    finally:
        me.close()
    page = watch(new_context(browser, server).new_page())
    page.goto("/")
    expect(page.locator("#code")).to_be_hidden()
    page.fill("#username", "super")
    page.fill("#password", PASSWORD)
    page.click("#signin-button")
    expect(page.locator("#code")).to_be_visible()
    expect(page.locator("#code")).to_be_focused()
    expect(page.locator("#signin-error")).to_have_text("")
    page.fill("#code", "000000" if totp.now() != "000000" else "111111")
    page.click("#signin-button")
    expect(page.locator("#signin-error")).to_contain_text("code is wrong")
    page.screenshot(path=str(screenshots / "sign-in-two-factor.png"))
    # The next step's code: this step's was spent confirming the enrolment.
    page.fill("#code", totp.at(WallClock().now() + totp.interval))
    page.click("#signin-button")
    page.wait_for_url("**/supervisor")
    no_page_errors(page)


def test_a_firm_that_requires_it_has_the_administrator_enrol_at_sign_in(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin = server.api("admin")
    try:
        required = admin.put("/api/admin/settings", json={"require_two_factor": True})
        assert required.status_code == 200, required.text
    finally:
        admin.close()
    page = watch(new_context(browser, server).new_page())
    page.goto("/")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("#signin-button")
    expect(page.locator("#enrol")).to_be_visible()
    expect(page.locator("#enrol-secret")).not_to_be_empty()
    secret = page.locator("#enrol-secret").inner_text().replace(" ", "")
    page.fill("#enrol-code", pyotp.TOTP(secret).now())
    page.click("#enrol-button")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.screenshot(path=str(screenshots / "sign-in-two-factor-enrol.png"))
    page.click("#enrol-done")
    page.wait_for_url("**/supervisor")
    expect(page.locator("#agents-panel")).to_be_visible()
    no_page_errors(page)
