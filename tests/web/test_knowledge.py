"""Procedures and bulletins in the browser, with hostile content everywhere it can go.

Every Markdown and bulletin field holds markup that would run script if it were ever
set as HTML unsanitized: script tags, javascript: links, onerror and onload handlers.
The pages must show it as harmless text or sanitized markup: no dialog opens and no
global the payloads set appears, on the agent desktop and on the editor page.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as, start_ready

pytestmark = pytest.mark.browser

HOSTILE = (
    "<script>window.__pwned = 1</script>\n\n"
    '<img src=x onerror="window.__pwned = 2">\n\n'
    "[Refund form](javascript:window.__pwned=3)\n\n"
    '![photo](x" onerror="window.__pwned=4)\n\n'
    '<svg onload=alert(5)></svg> <a href="javascript:alert(6)">raw link</a>\n\n'
    "**Hostile** refund procedure: ask for the order number."
)
HOSTILE_TITLE = '<img src=x onerror="alert(7)"> Hostile refund'


def _guard(page: Page) -> list[str]:
    """Records every dialog; the page starts with no __pwned global."""
    seen: list[str] = []

    def on_dialog(d: Dialog) -> None:
        seen.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return seen


def _harmless(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
    assert page.locator("script:not([src])").count() == 0
    assert page.locator("[onerror], [onload], a[href^='javascript']").count() == 0


@pytest.fixture(scope="module")
def seeded(server: WebServer) -> dict[str, int]:
    admin = server.api("admin")
    article = admin.post(
        "/api/knowledge/articles",
        json={"client_id": "acme", "title": HOSTILE_TITLE, "body": HOSTILE, "tags": ["refund"]},
    )
    assert article.status_code == 201, article.text
    other = admin.post(
        "/api/knowledge/articles",
        json={"client_id": "globex", "title": "Globex refund secrets", "body": "refund"},
    )
    assert other.status_code == 201, other.text
    bulletin = admin.post(
        "/api/knowledge/bulletins",
        json={
            "client_id": "acme",
            "title": '<script>alert("bulletin")</script> Refund limit',
            "body": HOSTILE,
            "question": '<img src=x onerror="alert(8)"> What is the limit?',
            "due_at": time.time() + 3600,  # noqa: TID251 -- the server's wall clock
            "mandatory": True,
        },
    )
    assert bulletin.status_code == 201, bulletin.text
    admin.close()
    return {"article": article.json()["id"], "bulletin": bulletin.json()["id"]}


def test_the_agent_searches_with_the_keyboard_and_hostile_content_stays_inert(
    browser: Browser, server: WebServer, seeded: dict[str, int], screenshots: Path
) -> None:
    page = open_as(browser, server, "maria", lands_on="/agent")
    dialogs = _guard(page)
    expect(page.locator("#state-pill")).to_have_text("Signed out")
    expect(page.locator("#start-button")).to_be_enabled()  # the desk's keys are wired
    page.keyboard.press("/")
    expect(page.locator("#kb-dialog")).to_be_visible()
    page.keyboard.type("refnd")  # misspelt
    hit = page.locator("#kb-results .kb-hit").first
    expect(hit).to_contain_text("Hostile refund")
    expect(page.locator("#kb-results")).not_to_contain_text("Globex")
    expect(page.locator("#kb-results mark").first).to_be_visible()
    hit.locator("button").click()
    body = page.locator("#kb-article .kb-body")
    expect(body).to_contain_text("Hostile refund procedure")
    expect(body.locator("strong")).to_have_text("Hostile")
    page.screenshot(path=str(screenshots / "knowledge-agent-search.png"))
    _harmless(page, dialogs)
    page.keyboard.press("Escape")
    expect(page.locator("#kb-dialog")).to_be_hidden()

    # The mandatory bulletin: read, refused without the answer, then acknowledged.
    item = page.locator(f"[data-bulletin='{seeded['bulletin']}']")
    expect(item).to_contain_text("Refund limit")
    item.locator("summary").click()
    expect(item.locator(".kb-body")).to_contain_text("Hostile refund procedure")
    item.locator(".bulletin-ack").click()
    expect(page.locator(".toast-error")).to_contain_text("check question")
    item.locator(".bulletin-answer").fill("200")
    item.locator(".bulletin-ack").click()
    expect(item).to_contain_text("Acknowledged")
    page.screenshot(path=str(screenshots / "knowledge-agent-bulletin.png"))
    _harmless(page, dialogs)

    # On a call: the notes being typed bring the client's procedures beside the script.
    start_ready(page)
    server.arrive(queue="returns", caller="+1 555 0199", contact_id="kb-suggest-1")
    page.click("#accept-button")
    expect(page.locator("#state-pill")).to_have_text("On contact")
    page.fill("#note-text", "Wants a refund, the order number is A-77")
    suggestions = page.locator("#kb-suggestions")
    expect(suggestions).to_contain_text("Hostile refund")
    expect(suggestions).not_to_contain_text("Globex")
    page.screenshot(path=str(screenshots / "knowledge-agent-suggestions.png"))
    _harmless(page, dialogs)
    page.click("#hangup-button")
    no_page_errors(page)


def test_the_editor_page_shows_hostile_articles_and_bulletins_inert(
    browser: Browser, server: WebServer, seeded: dict[str, int], screenshots: Path
) -> None:
    page = open_as(browser, server, "admin", lands_on="/supervisor")
    dialogs = _guard(page)
    page.goto("/knowledge")
    # Before a bulletin is picked, its panel says what it will show (not a bare table).
    expect(page.locator("#receipt-counts")).to_have_text(
        "Pick a bulletin to see who has read, acknowledged and answered it."
    )
    row = page.locator(f"#article-list [data-article='{seeded['article']}']")
    expect(row).to_contain_text("Hostile refund")
    row.locator("button").click()
    expect(page.locator("#article-preview")).to_contain_text("Hostile refund procedure")
    expect(page.locator("#article-versions li")).to_have_count(1)
    page.locator(f"#bulletin-list [data-bulletin='{seeded['bulletin']}'] button").click()
    expect(page.locator("#receipt-counts")).to_contain_text("agents")
    expect(page.locator("#receipt-rows")).to_contain_text("Maria Lopez")
    page.screenshot(path=str(screenshots / "knowledge-editor.png"), full_page=True)
    _harmless(page, dialogs)

    # An edit saves a new version and the preview follows.
    page.fill("#a-body", "Ask for the **order number** first.")
    page.fill("#a-note", "shorter")
    page.click("#save-article")
    expect(page.locator("#article-versions li")).to_have_count(2)
    expect(page.locator("#article-preview strong")).to_have_text("order number")
    _harmless(page, dialogs)
    no_page_errors(page)
