"""The administration's numbers, center settings, audit log, agent search and the agents
import from CSV, in the browser."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser

BAD_CSV = (
    "id,name,skills,campaigns\n"
    "a-new,Nora New,returns:2,acme-returns\n"
    "a-bad,Ben Bad,claims:2,acme-returns\n"
    "a-new,Nora Again,returns:1,acme-returns\n"
)
GOOD_CSV = (
    "id,name,skills,campaigns\n"
    "a-new,Nora New,returns:2,acme-returns\n"
    "a-tom,Tom Becker,returns:2;sales:2,acme-returns;globex-sales\n"
)


def section(page: Page, title: str) -> None:
    page.locator("#sections").get_by_role("button", name=title, exact=True).click()
    expect(page.locator("#list-title")).to_have_text(title)


def admin_get(server: WebServer, path: str) -> httpx.Response:
    """What the server stored, read as the administrator."""
    c = server.api("admin")
    try:
        return c.get(path)
    finally:
        c.close()


def upload(page: Page, text: str) -> None:
    page.set_input_files(
        "#import-file",
        files=[{"name": "agents.csv", "mimeType": "text/csv", "buffer": text.encode()}],
    )
    page.click("#import-check")


def test_numbers_settings_and_the_audit_log_are_kept_in_the_pages(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin = open_as(browser, server, "admin", lands_on="/supervisor")
    admin.goto("/admin#numbers")
    expect(admin.locator("#list-title")).to_have_text("Phone numbers")
    editor = admin.locator("#editor")

    admin.click("#new-button")
    editor.get_by_label("Number", exact=True).fill("+15550100")
    editor.get_by_label("Callers go to").select_option("returns")
    editor.get_by_label("Label", exact=True).fill("Acme returns line")
    editor.get_by_role("button", name="Create").click()
    row = admin.locator('#list tr[data-id="+15550100"]')
    expect(row).to_contain_text("Returns (returns)")
    expect(row).to_contain_text("Acme returns line")

    row.click()
    expect(editor.get_by_label("Number", exact=True)).to_have_js_property("readOnly", True)
    editor.get_by_label("Callers go to").select_option("")
    editor.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("The menu")
    assert admin_get(server, "/api/admin/numbers").json() == [
        {"number": "+15550100", "queue_id": None, "label": "Acme returns line"}
    ]

    section(admin, "Center settings")
    grace = editor.get_by_label("Seconds a call is held", exact=False)
    grace.fill("75")
    shown = editor.get_by_label("Agents see when a supervisor listens in", exact=False)
    expect(shown).to_be_checked()  # the firm's default
    shown.uncheck()
    editor.get_by_role("button", name="Save").click()
    expect(admin.locator(".toast-ok").last).to_contain_text("saved")
    settings = admin_get(server, "/api/admin/settings").json()
    assert settings["connection_grace_s"] == 75
    assert settings["show_listen_in"] is False

    section(admin, "Phone numbers")
    admin.locator('#list tr[data-id="+15550100"]').click()
    admin.once("dialog", lambda d: d.accept())
    editor.get_by_role("button", name="Delete").click()
    expect(admin.locator('#list tr[data-id="+15550100"]')).to_have_count(0)

    section(admin, "Audit log")
    first = admin.locator("#list tbody tr").first
    expect(first).to_contain_text("number.delete")
    admin.fill("#audit-action", "number.")
    admin.fill("#audit-target", "+15550100")
    admin.locator("#audit-filters").get_by_role("button", name="Filter").click()
    rows = admin.locator("#list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("number.delete")
    expect(rows.nth(2)).to_contain_text("number.put")
    rows.nth(1).click()
    expect(editor.locator("pre").nth(0)).to_contain_text('"queue_id": "returns"')
    expect(editor.locator("pre").nth(1)).to_contain_text('"queue_id": null')
    expect(admin.locator("#audit-older")).to_be_disabled()
    admin.screenshot(path=str(screenshots / "admin-audit.png"))
    admin.fill("#audit-action", "settings.put")
    admin.fill("#audit-target", "")
    admin.locator("#audit-filters").get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("admin")
    no_page_errors(admin)


def test_agents_are_searched_and_imported_from_a_checked_csv_file(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin = open_as(browser, server, "admin", lands_on="/supervisor")
    admin.goto("/admin#agents")
    expect(admin.locator("#list-title")).to_have_text("Agents")
    rows = admin.locator("#list tbody tr")
    expect(rows).to_have_count(3)
    admin.fill("#list-search", "sales")
    expect(rows).to_have_count(2)
    admin.fill("#list-search", "globex gina")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-id", "a-gina")
    admin.fill("#list-search", "nobody-like-this")
    expect(admin.locator("#list")).to_contain_text("Nobody matches")
    admin.fill("#list-search", "")
    expect(rows).to_have_count(3)

    admin.click("#import-button")
    expect(admin.locator("#editor-title")).to_have_text("Import agents from CSV")
    upload(admin, BAD_CSV)
    report = admin.locator("#import-report")
    expect(report).to_contain_text("2 bad rows")
    problems = report.locator("tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("unknown skill 'claims'")
    expect(problems.nth(1)).to_contain_text("duplicate id 'a-new'")
    expect(admin.locator("#import-run")).to_be_disabled()
    admin.screenshot(path=str(screenshots / "admin-import.png"))
    assert admin_get(server, "/api/admin/agents/a-new").status_code == 404

    upload(admin, GOOD_CSV)
    expect(report).to_contain_text("1 new (a-new), 1 changed (a-tom)")
    admin.click("#import-run")
    expect(report).to_contain_text("Imported: 1 new, 1 changed.")
    expect(admin.locator('#list tr[data-id="a-new"]')).to_contain_text("returns 2")
    tom = admin_get(server, "/api/admin/agents/a-tom").json()
    assert tom["skills"] == {"returns": 2, "sales": 2}
    no_page_errors(admin)
