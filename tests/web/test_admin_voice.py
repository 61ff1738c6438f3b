"""What callers hear, managed in the pages: an administrator uploads, plays, speaks,
replaces and deletes prompts (a bad WAV and a prompt a menu plays refused with the
server's reason), sees the menu tree's prompts as play links and a missing one marked,
and sets a campaign's opening hours as a week form (hours ending before they start or
overlapping refused as the server says); a supervisor switches announcements on and off
in the console. Each is read back through the API."""

from __future__ import annotations

import base64
import io
import re
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser

NUMBER = "+15550600"


def _wav(seconds: float) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setparams((1, 2, 8000, 0, "NONE", "not compressed"))
        w.writeframes(b"\x00\x10" * int(8000 * seconds))
    return out.getvalue()


def _file(name: str, data: bytes) -> dict[str, object]:
    return {"name": name, "mimeType": "audio/wav", "buffer": data}


@contextmanager
def _api(server: WebServer, username: str) -> Iterator[httpx.Client]:
    c = server.api(username)
    try:
        yield c
    finally:
        c.close()


def _prompts(server: WebServer) -> dict[str, float]:
    with _api(server, "admin") as c:
        return {p["name"]: p["seconds"] for p in c.get("/api/admin/prompts").json()}


def _plays(page: Page, click: object, path: str) -> None:
    """The click fetches the prompt's WAV and the page's player plays it."""
    with page.expect_response(lambda r: path in r.url) as got:
        click()  # type: ignore[operator]
    assert got.value.status == 200 and got.value.headers["content-type"] == "audio/wav"
    player = page.locator("#prompt-player")
    expect(player).to_have_attribute("data-url", re.compile(re.escape(path)))


def test_prompts_menu_links_and_opening_hours_in_the_administration_pages(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin = open_as(browser, server, "admin", lands_on="/supervisor")
    admin.on("dialog", lambda d: d.accept())
    admin.goto("/admin#prompts")
    expect(admin.locator("#list-title")).to_have_text("Prompts")
    expect(admin.locator("#default-prompts")).to_contain_text("menu-closed")
    editor = admin.locator("#editor")

    # Upload: a file that is no WAV is refused with the server's reason; a good one is kept.
    admin.click("#new-button")
    editor.get_by_label("Client company", exact=True).select_option("acme")
    editor.get_by_label("Name", exact=True).fill("welcome")
    admin.set_input_files("#prompt-file", _file("welcome.wav", b"ID3\x03" + b"\x00" * 400))
    editor.get_by_role("button", name="Create").click()
    expect(admin.locator("#editor-error")).to_contain_text("a prompt is a WAV file (RIFF/WAVE)")
    admin.screenshot(path=str(screenshots / "admin-prompt-refused.png"))
    admin.set_input_files("#prompt-file", _file("welcome.wav", _wav(0.5)))
    editor.get_by_role("button", name="Create").click()
    row = admin.locator('#list tr[data-id="acme/welcome"]')
    expect(row).to_contain_text("0.5 s")
    assert _prompts(server) == {"welcome": 0.5}
    _plays(admin, lambda: row.get_by_role("button", name="Play welcome").click(), "/wav")

    # Spoken from a text, then replaced by an upload, then deleted.
    admin.click("#new-button")
    editor.get_by_label("Client company", exact=True).select_option("acme")
    editor.get_by_label("Name", exact=True).fill("spare")
    admin.fill("#prompt-text", "Thank you for calling Acme Retail.")
    editor.get_by_role("button", name="Create").click()
    expect(admin.locator('#list tr[data-id="acme/spare"]')).to_be_visible()
    assert _prompts(server)["spare"] > 1.0
    admin.locator('#list tr[data-id="acme/spare"]').click()
    expect(editor.locator("audio")).to_have_count(1)
    admin.set_input_files("#prompt-file", _file("spare.wav", _wav(0.3)))
    editor.get_by_role("button", name="Save").click()
    expect(admin.locator('#list tr[data-id="acme/spare"]')).to_contain_text("0.3 s")
    assert _prompts(server)["spare"] == 0.3
    admin.locator('#list tr[data-id="acme/spare"]').click()
    editor.get_by_role("button", name="Delete").click()
    expect(admin.locator('#list tr[data-id="acme/spare"]')).to_have_count(0)
    assert "spare" not in _prompts(server)
    admin.screenshot(path=str(screenshots / "admin-prompts.png"))

    # A menu that plays it, with opening hours and a closed node.
    flow = {
        "client_id": "acme", "start": "main", "operator": "returns", "hours": "acme-returns",
        "closed": "after",
        "nodes": [
            {"id": "main", "kind": "menu", "prompt": "welcome", "options": {"1": "returns"}},
            {"id": "returns", "kind": "queue", "queue": "returns"},
            {"id": "after", "kind": "menu", "prompt": "menu-closed", "options": {"1": "cb"}},
            {"id": "cb", "kind": "callback", "queue": "returns"},
        ],
    }  # fmt: skip
    with _api(server, "admin") as c:
        put = c.put(f"/api/admin/menus/{NUMBER}", json=flow)
        assert put.status_code == 200, put.text
    admin.reload()  # the prompts are read with the page
    expect(admin.locator("#list-title")).to_have_text("Prompts")
    admin.locator('#list tr[data-id="acme/welcome"]').click()
    editor.get_by_role("button", name="Delete").click()
    expect(admin.locator("#editor-error")).to_contain_text(
        f"prompt 'welcome' is in use: the menu of {NUMBER} (node 'main')"
    )
    assert "welcome" in _prompts(server)

    # The tree: prompts are play links (the client's upload, a built-in one); a missing
    # one is marked on its node.
    admin.click('#sections button[data-section="menus"]')
    admin.locator(f'#list tr[data-id="{NUMBER}"]').click()
    tree = admin.locator("#menu-tree")
    main, after = tree.locator('li[data-node="main"]'), tree.locator('li[data-node="after"]')
    _plays(admin, main.locator("> .prompt-link").click, "/prompts/acme/welcome/wav")
    _plays(admin, after.locator("> .prompt-link").click, "/default-prompts/menu-closed/wav")
    area = editor.get_by_label("Menu JSON")
    area.fill(area.input_value().replace('"menu-closed"', '"ghost"'))
    expect(after).to_have_class("missing-prompt")
    expect(after.locator("> .prompt-missing")).to_have_text("no prompt “ghost”")
    admin.screenshot(path=str(screenshots / "admin-menu-prompts.png"))

    # Opening hours: a week form; the server's refusals shown; the closed behaviour told.
    admin.click('#sections button[data-section="hours"]')
    admin.locator('#list tr[data-id="acme-returns"]').click()
    told = admin.locator("#hours-menus")
    expect(told).to_contain_text(f"{NUMBER}: while closed, callers start at “after”")
    expect(told).to_contain_text("1 → cb")
    editor.get_by_role("button", name="Add Monday hours").click()
    editor.get_by_label("Monday closes").fill("07:00")
    editor.get_by_role("button", name="Save").click()
    expect(admin.locator("#editor-error")).to_have_text("mon: 08:00-07:00 closes before it opens")
    editor.get_by_label("Monday closes").fill("12:00")
    editor.get_by_role("button", name="Add Monday hours").click()
    editor.get_by_label("Monday opens").nth(1).fill("11:30")
    editor.get_by_role("button", name="Save").click()
    expect(admin.locator("#editor-error")).to_have_text("mon: 08:00-12:00 overlaps 11:30-18:00")
    editor.get_by_label("Monday opens").nth(1).fill("13:00")
    editor.get_by_role("button", name="Add Saturday hours").click()
    editor.get_by_label("Saturday closes").fill("00:00")  # midnight at the day's end
    editor.get_by_role("button", name="Add a holiday").click()
    editor.get_by_label("Date").fill("2026-12-25")
    admin.screenshot(path=str(screenshots / "admin-hours.png"))
    editor.get_by_role("button", name="Save").click()
    listed = admin.locator('#list tr[data-id="acme-returns"]')
    expect(listed).to_contain_text("Mon 08:00\u201312:00, 13:00\u201318:00")
    with _api(server, "admin") as c:
        hours = c.get("/api/admin/hours/acme-returns").json()
    assert hours["spans"] == [
        {"day": "mon", "opens": "08:00", "closes": "12:00"},
        {"day": "mon", "opens": "13:00", "closes": "18:00"},
        {"day": "sat", "opens": "08:00", "closes": "24:00"},
    ]
    assert hours["holidays"] == ["2026-12-25"]
    listed.click()
    expect(editor.get_by_label("Saturday closes")).to_have_value("00:00")
    no_page_errors(admin)


def test_a_supervisor_switches_announcements_on_and_off_in_the_console(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    with _api(server, "admin") as c:
        body = {"wav_base64": base64.b64encode(_wav(0.4)).decode()}
        assert c.put("/api/admin/prompts/acme/outage", json=body).status_code == 200
    sup = open_as(browser, server, "super", lands_on="/supervisor")
    button = sup.locator("#announce-button")
    expect(button).to_have_text("Announcements: none on")
    button.click()
    dialog = sup.locator("#announcements")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Client company").select_option("acme")
    dialog.get_by_label("Callers of").select_option("returns")
    dialog.get_by_role("button", name="Switch on").click()
    expect(sup.locator("#announce-error")).to_have_text("Type the message callers should hear.")
    dialog.get_by_label("Message").fill("We know about the outage in your area.")
    dialog.get_by_role("button", name="Switch on").click()
    expect(dialog.locator("li.on")).to_contain_text("We know about the outage in your area.")
    expect(button).to_have_text("Announcements: 1 on")

    dialog.get_by_label("Callers of").select_option("")
    dialog.get_by_label("Message").fill("Recorded outage notice")
    dialog.get_by_label("Play an uploaded prompt instead").select_option("outage")
    dialog.get_by_role("button", name="Switch on").click()
    expect(dialog.locator("li.on")).to_have_count(2)
    expect(button).to_have_text("Announcements: 2 on")
    sup.screenshot(path=str(screenshots / "supervisor-announcements.png"))

    first = dialog.locator("li", has_text="We know about the outage")
    first.get_by_role("button", name="Switch off").click()
    expect(first).to_have_class("off")
    expect(button).to_have_text("Announcements: 1 on")
    with _api(server, "super") as c:
        rows = {a["text"]: a for a in c.get("/api/supervisor/announcements").json()}
    assert rows["We know about the outage in your area."]["active"] is False
    assert rows["We know about the outage in your area."]["queue_id"] == "returns"
    assert rows["Recorded outage notice"]["active"] is True
    assert rows["Recorded outage notice"]["prompt"] == "outage"
    assert rows["Recorded outage notice"]["queue_id"] is None
    with _api(server, "admin") as c:
        audit = c.get("/api/admin/audit", params={"action": "announcement."}).json()
    assert sorted((a["action"], a["username"]) for a in audit) == [
        ("announcement.add", "super"),
        ("announcement.add", "super"),
        ("announcement.off", "super"),
    ]
    no_page_errors(sup)
