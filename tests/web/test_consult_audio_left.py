"""A consult whose end the agent page never heard of: a server restart ends every consult
in the core, and the next server has no consult audio to send the page its
``voice-consult-end``. The desk then shows no consult, and the page's consult audio (its
published microphone, the call's microphone silenced, its speaker muted) ends with it.

The server here runs without voice, so no ``voice-consult-end`` ever comes: the page's
consult audio is joined by hand, as a ``voice-consult`` message would have joined it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.web.server import CUSTOMER_PHONE, WebServer
from tests.web.support import no_page_errors, open_as, start_ready

pytestmark = pytest.mark.browser


def test_the_consult_audio_ends_when_the_desk_shows_the_consult_over(
    browser: Browser, server: WebServer
) -> None:
    maria = open_as(browser, server, "maria", lands_on="/agent")
    start_ready(maria)
    server.arrive(queue="returns", caller=CUSTOMER_PHONE, contact_id="cl-1")
    maria.click("#accept-button")
    expect(maria.locator("#state-pill")).to_have_text("On contact")
    tom = open_as(browser, server, "tom", lands_on="/agent")
    start_ready(tom)
    maria.click("#consult-button")
    maria.locator('#transfer-directory [data-agent="a-tom"]').click()
    maria.click("#consult-submit")
    tom.click("#consult-accept")
    expect(maria.locator("#consult-status")).to_contain_text("Consulting Tom Becker")

    # Joined to the consult's audio; a desk read while the consult goes on keeps it.
    maria.evaluate("window.hearthlineConsult.contact = 'cl-1'")
    with maria.expect_response("**/api/agent/desk"):
        maria.evaluate("window.dispatchEvent(new Event('online'))")  # the desk read again
    maria.wait_for_timeout(300)  # rendered
    assert maria.evaluate("window.hearthlineConsult.contact") == "cl-1"

    # Over, and no voice-consult-end: the desk's word is enough.
    tom.click("#consult-end")
    expect(maria.locator("#consult-bar")).to_be_hidden()
    maria.wait_for_function("() => window.hearthlineConsult.contact === null", timeout=5000)
    no_page_errors(maria, tom)
