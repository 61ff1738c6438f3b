"""A caller who keys their account number in the menu arrives with the customer attached:
the agent's desk names them while the call rings and once it is accepted, though their
phone number is one the records do not know."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import insert

from hearthline.kernel.clock import WallClock
from hearthline.store import tables
from hearthline.store.queries import customers as customers_q
from hearthline.telephony.menu_calls import MenuPlan
from hearthline.voice.menus import Flow, Node
from tests.web.menu_calls import walk_menu
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as, start_ready

pytestmark = pytest.mark.browser

NUMBER = "+15550400"
ACCOUNT = "80417"
FLOW = Flow(
    start="account",
    operator="returns",
    nodes=(
        Node("account", "collect", prompt="account", min_digits=5, max_digits=5, next="known"),
        Node("known", "queue", queue="returns"),
    ),
)


def call_through_the_menu(server: WebServer, call: str, caller: str, keys: str) -> str:
    plan = MenuPlan(FLOW, "acme", prompts={"account": "/p/account.wav"})
    return walk_menu(server, plan, number=NUMBER, call=call, caller=caller, keys=keys)


def test_the_desk_names_the_customer_the_menu_identified_ringing_and_accepted(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    with server.writer.engine.begin() as conn:
        conn.execute(
            insert(tables.customers).values(
                id=ACCOUNT, client_id="acme", name="Priya Natarajan", phone="+441632960999",
                email="priya@example.org", created_at=WallClock().now(),
            )
        )  # fmt: skip
    page = open_as(browser, server, "maria", lands_on="/agent")
    expect(page.locator("#state-pill")).to_have_text("Signed out")
    start_ready(page)

    # The caller's number is no customer's: only the account number identifies them.
    contact = call_through_the_menu(server, "menu-web-1", "+15557770123", ACCOUNT)

    expect(page.locator("#offer-layer")).to_be_visible()
    expect(page.locator("#offer-customer")).to_have_text("Priya Natarajan")
    page.screenshot(path=str(screenshots / "agent-ringing-menu-identified.png"))
    page.click("#accept-button")
    expect(page.locator("#state-pill")).to_have_text("On contact")
    expect(page.locator("#customer-name")).to_have_text("Priya Natarajan")
    # Linked, so the customer's history will list this call.
    with server.writer.engine.connect() as conn:
        assert customers_q.linked_customer(conn, contact) == ACCOUNT
    no_page_errors(page)


def test_an_unknown_account_number_leaves_the_caller_unidentified(
    browser: Browser, server: WebServer
) -> None:
    page = open_as(browser, server, "tom", lands_on="/agent")
    expect(page.locator("#state-pill")).to_have_text("Signed out")
    page.click("#start-button")
    page.click("#ready-button")
    expect(page.locator("#state-pill")).to_have_text("Ready")
    # Twice a number nobody has (the node's retries), then the operator queue, unidentified.
    call_through_the_menu(server, "menu-web-2", "+15557770124", "99999" * 3)
    expect(page.locator("#offer-layer")).to_be_visible()
    expect(page.locator("#offer-customer")).to_have_text("New caller")
    no_page_errors(page)
