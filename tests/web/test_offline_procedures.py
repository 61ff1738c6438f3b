"""Procedures when the system has issues, and call guides followed during a call.

The desk keeps the agent's procedures in IndexedDB; with the network gone (and after a
reload while offline) the search still finds and opens them, under a mark with the time
they were synced. Only the agent's own clients' procedures are kept: Maria (Acme) never
holds Globex's, Tom (Acme and Globex) holds both. A call guide is followed with its
answer buttons and Back; a reload finds the call on the same step, from the log.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.server import WebServer
from tests.web.support import contact_detail, no_page_errors, open_as

pytestmark = pytest.mark.browser

HOSTILE_STEP = '<img src=x onerror="window.__pwned = 1"> Is the parcel **damaged**?'
GUIDE: dict[str, Any] = {
    "steps": [
        {
            "id": "greet",
            "text": HOSTILE_STEP,
            "answers": [
                {"label": "Damaged", "next": "photo"},
                {"label": "Not damaged", "next": "exchange"},
            ],
        },
        {
            "id": "photo",
            "text": "Ask for a **photo** of the damage.",
            "answers": [{"label": "Photo sent", "next": "refund"}],
        },
        {"id": "exchange", "text": "Offer an exchange first.", "answers": []},
        {"id": "refund", "text": "Refund the order in full.", "answers": []},
    ]
}


@pytest.fixture(scope="module")
def seeded(server: WebServer) -> None:
    admin = server.api("admin")
    for client, title, body in (
        ("acme", "Damaged parcel refund", "Ask for a photo, then **refund** the order."),
        ("acme", "Exchange a wrong size", "Offer the next size up; keep the box."),
        ("globex", "Globex premium pricing", "Premium costs 30 a month; never discount it."),
    ):
        r = admin.post(
            "/api/knowledge/articles", json={"client_id": client, "title": title, "body": body}
        )
        assert r.status_code == 201, r.text
    admin.close()


def _kept_titles(page: Page) -> list[str]:
    titles: list[str] = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("hearthline-procedures", 1);
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const req = open.result.transaction("sets").objectStore("sets").getAll();
              req.onsuccess = () => resolve(req.result.flatMap((s) => s.items.map((i) => i.title)));
            };
          })"""
    )
    return sorted(titles)


def _search(page: Page, typed: str) -> None:
    dialog = page.locator("#kb-dialog")
    if not dialog.is_visible():
        page.keyboard.press("/")
    expect(dialog).to_be_visible()
    page.fill("#kb-q", typed)


def test_procedures_stay_searchable_and_readable_offline_and_only_the_agents_own(
    browser: Browser, server: WebServer, seeded: None, screenshots: Path
) -> None:
    maria = open_as(browser, server, "maria", lands_on="/agent")
    expect(maria.locator("#kb-offline")).to_contain_text("synced", timeout=15_000)
    kept = _kept_titles(maria)
    assert "Damaged parcel refund" in kept and "Call guide: Returns" in kept
    assert not any("Globex" in t or "Sales" in t for t in kept)
    tom = open_as(browser, server, "tom", lands_on="/agent")
    expect(tom.locator("#kb-offline")).to_contain_text("synced", timeout=15_000)
    assert {"Damaged parcel refund", "Globex premium pricing", "Call guide: Sales"} <= set(
        _kept_titles(tom)
    )

    # The network goes: the search answers from the browser, under the offline mark.
    maria.wait_for_function("navigator.serviceWorker.controller !== null")
    maria.context.set_offline(True)
    _search(maria, "refnd damagd")  # misspelt, as agents type
    hit = maria.locator("#kb-results .kb-hit").first
    expect(hit).to_contain_text("Damaged parcel refund")
    expect(maria.locator("#kb-offline")).to_contain_text("Offline — procedures as of")
    expect(maria.locator("#kb-results mark").first).to_be_visible()
    hit.locator("button").click()
    body = maria.locator("#kb-article .kb-body")
    expect(body.locator("strong")).to_have_text("refund")
    expect(maria.locator("#kb-article .kb-kept")).to_contain_text("Kept copy")
    maria.screenshot(path=str(screenshots / "knowledge-offline-search.png"))
    _search(maria, "premium")
    expect(maria.locator("#kb-results")).to_contain_text("Nothing found")

    # A reload while still offline: the page comes from the service worker and the
    # procedures from IndexedDB, the call guide among them.
    maria.reload()
    expect(maria.locator("#conn")).to_have_text("Offline")
    _search(maria, "exchange")
    guide = maria.locator("#kb-results .kb-hit").filter(has_text="Call guide: Returns")
    expect(guide).to_be_visible()
    guide.locator("button").click()
    expect(maria.locator("#kb-article")).to_contain_text("Offer an exchange first")
    expect(maria.locator("#kb-offline")).to_contain_text("Offline — procedures as of")
    maria.screenshot(path=str(screenshots / "knowledge-offline-after-reload.png"))

    # The shared agent, offline, finds each of their clients' procedures.
    tom.context.set_offline(True)
    _search(tom, "premium pricng")
    expect(tom.locator("#kb-results .kb-hit").first).to_contain_text("Globex premium pricing")
    tom.context.set_offline(False)
    tom.keyboard.press("Escape")

    # The network is up but the server is not: the same answer from the browser.
    tom.route("**/api/**", lambda route: route.abort("connectionrefused"))
    _search(tom, "refund damaged")
    expect(tom.locator("#kb-results .kb-hit").first).to_contain_text("Damaged parcel refund")
    expect(tom.locator("#kb-offline")).to_contain_text("Offline — procedures as of")
    tom.screenshot(path=str(screenshots / "knowledge-server-down-search.png"))
    tom.unroute("**/api/**")
    maria.context.set_offline(False)
    no_page_errors(maria, tom)
    maria.context.close()
    tom.context.close()


def test_the_agent_follows_the_call_guide_and_a_reload_finds_the_same_step(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin = server.api("admin")
    saved = admin.put("/api/admin/campaigns/acme-returns/guide", json=GUIDE)
    assert saved.status_code == 200, saved.text
    admin.close()
    page = open_as(browser, server, "maria", lands_on="/agent")
    page.click("#start-button")
    page.click("#ready-button")
    expect(page.locator("#state-pill")).to_have_text("Ready")
    contact = server.arrive(queue="returns", caller="+1 555 0142", contact_id="web-guide-1")
    page.click("#accept-button")
    expect(page.locator("#state-pill")).to_have_text("On contact")

    guide = page.locator("#guide")
    expect(guide).to_have_attribute("data-step", "greet")
    expect(guide.locator(".guide-text strong")).to_have_text("damaged")
    expect(page.locator("#script")).to_be_hidden()
    guide.get_by_role("button", name="Damaged", exact=True).click()
    expect(guide).to_have_attribute("data-step", "photo")
    guide.get_by_role("button", name="Back").click()
    expect(guide).to_have_attribute("data-step", "greet")
    guide.get_by_role("button", name="Damaged", exact=True).click()
    guide.get_by_role("button", name="Photo sent").click()
    expect(guide).to_have_attribute("data-step", "refund")
    expect(guide).to_contain_text("End of the guide")
    expect(page.locator("#guide-status")).to_have_text("Saved")
    page.screenshot(path=str(screenshots / "agent-call-guide.png"))

    # The tab is reloaded (as after a crash): the call is on the same step, same path.
    page.reload()
    expect(guide).to_have_attribute("data-step", "refund")
    expect(page.locator("#guide-path li")).to_have_text(["Damaged", "Photo sent"])
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("#guide [onerror]").count() == 0

    # The contact's history holds the path taken, as the supervisor reads it.
    events = [e for e in contact_detail(server, contact)["events"] if e["type"] == "GuidePathSaved"]
    assert events[-1]["step"] == "refund"
    assert events[-1]["path"] == [["greet", "Damaged"], ["photo", "Photo sent"]]

    # Offline, even after a reload, the guide is there and takes answers; they reach the
    # server when the network returns.
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#conn")).to_have_text("Offline")
    expect(guide).to_have_attribute("data-step", "refund")
    guide.get_by_role("button", name="Back").click()
    expect(guide).to_have_attribute("data-step", "photo")
    expect(page.locator("#guide-status")).to_contain_text("Saved in this browser")
    page.screenshot(path=str(screenshots / "agent-call-guide-offline.png"))
    page.context.set_offline(False)
    expect(page.locator("#guide-status")).to_have_text("Saved", timeout=15_000)
    events = [e for e in contact_detail(server, contact)["events"] if e["type"] == "GuidePathSaved"]
    assert events[-1]["step"] == "photo" and events[-1]["path"] == [["greet", "Damaged"]]
    no_page_errors(page)
    page.context.close()


def test_an_administrator_edits_a_call_guide_and_a_bad_branch_is_refused_naming_the_step(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    page = open_as(browser, server, "admin", lands_on="/supervisor")
    page.goto("/admin")
    page.locator("#sections").get_by_role("button", name="Call guides", exact=True).click()
    expect(page.locator("#list-title")).to_have_text("Call guides")
    page.locator('#list tr[data-id="globex-sales"]').click()
    editor = page.locator("#editor")
    # No guide yet: the plain script, as one step to start from.
    expect(editor.get_by_label("What to say or do (Markdown)", exact=True)).to_have_value(
        "Introduce the premium plan before the basic one."
    )
    editor.get_by_label("Answers: label -> step | …", exact=True).fill(
        "Wants premium -> premium | Wants basic -> basic"
    )
    editor.get_by_role("button", name="+ Add a step").click()
    editor.get_by_label("Step", exact=True).last.fill("premium")
    editor.get_by_label("What to say or do (Markdown)", exact=True).last.fill("Sell **premium**.")
    with page.expect_response(
        lambda r: r.url.endswith("/guide") and r.request.method == "PUT"
    ) as refused:
        editor.get_by_role("button", name="Save").click()
    assert refused.value.status == 422
    expect(page.locator(".toast-error, #editor .error").last).to_contain_text("'basic'")
    page.screenshot(path=str(screenshots / "admin-call-guide-refused.png"))

    editor.get_by_role("button", name="+ Add a step").click()
    editor.get_by_label("Step", exact=True).last.fill("basic")
    editor.get_by_label("What to say or do (Markdown)", exact=True).last.fill("Offer basic.")
    with page.expect_response(
        lambda r: r.url.endswith("/guide") and r.request.method == "PUT"
    ) as saved:
        editor.get_by_role("button", name="Save").click()
    assert saved.value.ok, saved.value.text()
    expect(page.locator('#list tr[data-id="globex-sales"]')).to_contain_text("1")
    admin = server.api("admin")
    guide = admin.get("/api/admin/campaigns/globex-sales/guide").json()
    admin.close()
    assert [s["id"] for s in guide["steps"]] == ["script", "premium", "basic"]
    assert guide["steps"][0]["answers"] == [
        {"label": "Wants premium", "next": "premium"},
        {"label": "Wants basic", "next": "basic"},
    ]
    no_page_errors(page)
    page.context.close()


def test_signing_out_deletes_the_kept_procedures_and_everything_else_of_the_agent(
    browser: Browser, server: WebServer, seeded: None
) -> None:
    # Gina, whom no other test of this module signs in; a browser others may use next.
    gina = open_as(browser, server, "gina", lands_on="/agent")
    expect(gina.locator("#kb-offline")).to_contain_text("synced", timeout=15_000)
    assert "Globex premium pricing" in _kept_titles(gina)
    gina.click("#signout")
    # The sign-in page; polled, not awaited as one navigation: the closing stream may
    # send the page there a second time (to "/?next=/agent"), aborting the first.
    expect(gina).to_have_url(re.compile(r"/(\?.*)?$"))
    expect(gina.locator("#signin-button")).to_be_enabled()
    held = gina.evaluate(
        """async () => ({
            local: Object.keys(localStorage).filter((k) => k.startsWith("hl.")),
            session: Object.keys(sessionStorage).filter((k) => k.startsWith("hl.")),
            databases: (await indexedDB.databases()).map((d) => d.name),
        })"""
    )
    assert held == {"local": [], "session": [], "databases": []}, held
    no_page_errors(gina)
