"""Notes and the customer linked by hand survive a crashed tab; the newest revision wins
when copies meet."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from hearthline.crm.commands import DraftNote
from hearthline.kernel.ids import AgentId, ContactId, QueueId
from hearthline.routing import commands as cmd
from tests.web.server import WebServer
from tests.web.support import latest_draft, new_context, no_page_errors, open_as, watch

pytestmark = pytest.mark.browser


def test_notes_typed_offline_in_a_tab_that_then_crashed_reach_the_server_from_a_new_tab(
    browser: Browser, server: WebServer
) -> None:
    # Without the page's service worker: requests that pass through one escape the
    # browser's offline emulation and request blocking, and this test needs both to hold.
    # (Reloading offline through the service worker is test_agent_day's.)
    agent = open_as(browser, server, "gina", lands_on="/agent", service_workers="block")
    agent.click("#start-button")
    agent.click("#ready-button")
    expect(agent.locator("#state-pill")).to_have_text("Ready")
    contact = server.arrive(queue="sales", caller="+1 555 0800", contact_id="crash-1")
    expect(agent.locator("#offer-layer")).to_be_visible()
    agent.keyboard.press("a")
    expect(agent.locator("#state-pill")).to_have_text("On contact")
    agent.select_option("#field-product", "premium")
    agent.fill("#note-text", "Interested in premium.")
    expect(agent.locator("#save-state")).to_have_attribute("data-status", "saved")

    context = agent.context
    # While the tab lives offline and dies, no save reaches the server: a dead tab sends
    # nothing, and the block makes sure of it.
    blocked = {"notes": True}
    context.route(
        "**/api/agent/contacts/*/notes",
        lambda route: route.abort() if blocked["notes"] else route.continue_(),
    )
    context.set_offline(True)
    expect(agent.locator("#conn")).to_have_text("Offline")
    typed = "Interested in premium. Call back Friday about the annual price."
    agent.fill("#note-text", typed)
    expect(agent.locator("#save-state")).to_have_attribute("data-status", "local")
    # The tab dies while the line is down: its page is torn down and runs nothing more.
    # (Closing the page instead would first end its offline emulation, and the page would
    # see the line come back and send what it kept.)
    agent.goto("about:blank")
    again = watch(context.new_page())
    draft = latest_draft(server, contact)
    assert draft is not None and draft["text"] == "Interested in premium."

    context.set_offline(False)
    blocked["notes"] = False
    again.goto("/agent")
    expect(again.locator("#note-text")).to_have_value(typed)
    expect(again.locator("#field-product")).to_have_value("premium")
    expect(again.locator("#save-state")).to_have_attribute("data-status", "saved")
    draft = latest_draft(server, contact)
    assert draft is not None and draft["text"] == typed
    no_page_errors(again)


def test_a_customer_linked_by_hand_is_shown_again_in_a_new_tab(
    browser: Browser, server: WebServer
) -> None:
    agent = open_as(browser, server, "tom", lands_on="/agent")
    agent.click("#start-button")
    agent.click("#ready-button")
    expect(agent.locator("#state-pill")).to_have_text("Ready")
    server.arrive(queue="sales", caller="+1 555 0900", contact_id="link-1")
    agent.click("#accept-button")
    expect(agent.locator("#state-pill")).to_have_text("On contact")
    expect(agent.locator("#customer")).to_contain_text("New caller")
    # A new caller: the tools to find or create the customer are open already.
    # Known by name only (he called from a friend's phone): no caller-id match later.
    agent.fill("#new-name", "Walter Novak")
    agent.fill("#new-phone", "")
    agent.click("#customer-create button[type=submit]")
    expect(agent.locator("#customer-name")).to_have_text("Walter Novak")

    # The tab dies; a new one (nothing kept in the tab's own storage) asks the server.
    agent.goto("about:blank")
    again = watch(agent.context.new_page())
    again.goto("/agent")
    expect(again.locator("#customer-name")).to_have_text("Walter Novak")
    expect(again.locator("#customer")).not_to_contain_text("New caller")
    no_page_errors(again)


def test_the_newest_revision_wins_when_the_local_and_server_drafts_meet(
    browser: Browser, server: WebServer
) -> None:
    page = new_context(browser, server).new_page()
    page.goto("/")
    outcome = page.evaluate(
        """async () => {
          const { merge } = await import("/static/js/drafts.js");
          const local = { revision: 5, text: "local", fields: { a: "1" }, sentRevision: 3 };
          const older = { revision: 4, text: "server", fields: [["a", "0"]] };
          const newer = { revision: 7, text: "server", fields: [["a", "2"]] };
          return {
            localNewer: merge(local, older),
            serverNewer: merge(local, newer),
            serverOnly: merge(null, newer),
            localOnly: merge(local, null),
          };
        }"""
    )
    assert outcome["localNewer"]["record"]["text"] == "local"
    assert outcome["localNewer"]["resend"] is True
    assert outcome["localNewer"]["record"]["sentRevision"] == 4
    assert outcome["serverNewer"]["record"]["text"] == "server"
    assert outcome["serverNewer"]["record"]["fields"] == {"a": "2"}
    assert outcome["serverNewer"]["resend"] is False
    assert outcome["serverOnly"]["record"]["revision"] == 7
    assert outcome["localOnly"]["resend"] is True


def _storage(page: Page) -> dict[str, Any]:
    """What the browser holds for the site: its storage keys and IndexedDB databases."""
    held: dict[str, Any] = page.evaluate(
        """async () => ({
            local: Object.keys(localStorage).sort(),
            session: Object.keys(sessionStorage).sort(),
            databases: (await indexedDB.databases()).map((d) => d.name).sort(),
        })"""
    )
    return held


def test_signing_out_sends_unsent_notes_first_and_asks_before_discarding_the_rest(
    browser: Browser, server: WebServer
) -> None:
    # Maria, whom no other test of this module signs in: she had one call, whose notes
    # the server holds at revision 1.
    contact, maria = ContactId("signout-1"), AgentId("a-maria")
    w = server.writer
    w.execute(cmd.SignIn(maria, ready=True))
    w.execute(cmd.ArriveContact(contact, caller="+1 555 0700", queue=QueueId("returns")))
    w.execute(cmd.AcceptOffer(maria, contact))
    w.execute(DraftNote(contact, maria, 1, "Parcel late.", ()))
    w.execute(cmd.EndContact(maria, contact))
    w.execute(cmd.FinishWrapUp(maria))
    w.execute(cmd.SignOut(maria))
    # Without the service worker, so that offline means offline (see the first test).
    agent = open_as(browser, server, "maria", lands_on="/agent", service_workers="block")
    expect(agent.locator("#state-pill")).to_have_text("Signed out")
    expect(agent.locator("#kb-offline")).to_contain_text("synced", timeout=15_000)
    agent.wait_for_function("() => localStorage.getItem('hl.desk') !== null")
    # One note the server acknowledged, one it never got (typed while the line was down),
    # and one of a contact she never had, which the server will refuse.
    agent.evaluate(
        """() => {
        const now = Date.now();
        const keep = (key, record) => localStorage.setItem(key, JSON.stringify(record));
        keep('hl.draft.a-maria.saved-1',
             {revision: 2, sentRevision: 2, text: 'card ends 4242', savedAt: now});
        keep('hl.draft.a-maria.signout-1', {revision: 2, sentRevision: 1,
             text: 'Parcel late; wants a refund to the card.', fields: {}, savedAt: now});
        keep('hl.draft.a-maria.stranger-1',
             {revision: 1, sentRevision: 0, text: 'not hers', fields: {}, savedAt: now});
    }"""
    )
    before = _storage(agent)
    assert "hearthline-procedures" in before["databases"] and "hl.csrf" in before["session"]

    # The server cannot be reached: nothing can be sent, so she is asked; Cancel keeps all.
    agent.context.set_offline(True)
    agent.click("#signout")
    dialog = agent.locator("#signout-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text("Sign out and discard 2 unsent notes?")
    expect(dialog.locator("#signout-unsent li")).to_have_text(
        ["Contact signout-1", "Contact stranger-1"]
    )
    dialog.locator("#signout-cancel").click()
    expect(dialog).to_have_count(0)
    assert agent.url.endswith("/agent")
    assert _storage(agent) == before
    draft = latest_draft(server, contact)
    assert draft is not None and draft["text"] == "Parcel late."

    # Back online: the note the server can take goes first; only the refused one is left
    # to discard, and once she agrees nothing of hers stays in the browser.
    agent.context.set_offline(False)
    agent.click("#signout")
    expect(dialog.locator("h2")).to_have_text("Sign out and discard 1 unsent note?")
    expect(dialog.locator("#signout-unsent li")).to_have_text(["Contact stranger-1"])
    draft = latest_draft(server, contact)
    assert draft is not None and draft["text"] == "Parcel late; wants a refund to the card."
    dialog.locator("#signout-discard").click()
    # The sign-in page; polled, not awaited as one navigation: the closing stream may
    # send the page there a second time (to "/?next=/agent"), aborting the first.
    expect(agent).to_have_url(re.compile(r"/(\?.*)?$"))
    expect(agent.locator("#signin-button")).to_be_enabled()
    after = _storage(agent)
    assert [k for k in after["local"] if k.startswith("hl.")] == [], after
    assert [k for k in after["session"] if k.startswith("hl.")] == [], after
    assert "hearthline-procedures" not in after["databases"], after
    no_page_errors(agent)
