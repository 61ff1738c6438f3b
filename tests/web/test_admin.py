"""Setting up a new client company from nothing through the administration pages, then
taking its first call."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, Route, expect

from tests.web.server import PASSWORD, WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser


def section(page: Page, title: str) -> None:
    page.locator("#sections").get_by_role("button", name=title, exact=True).click()
    expect(page.locator("#list-title")).to_have_text(title)


def create(page: Page, values: dict[str, str]) -> None:
    page.click("#new-button")
    for label, value in values.items():
        field = page.locator("#editor").get_by_label(label, exact=True)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def save(page: Page) -> None:
    # Wait for the server's answer itself: the toast of an earlier save may still show,
    # and the next form reads what this one stored.
    with page.expect_response(
        lambda r: "/api/admin/" in r.url and r.request.method in ("PUT", "POST")
    ) as answered:
        page.locator("#editor").get_by_role("button", name="Create").or_(
            page.locator("#editor").get_by_role("button", name="Save")
        ).click()
    assert answered.value.ok, answered.value.text()
    expect(page.locator(".toast-ok").last).to_contain_text("saved")


def test_an_administrator_sets_up_a_client_company_that_then_takes_calls(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin = open_as(browser, server, "admin", lands_on="/supervisor")
    admin.goto("/admin")
    expect(admin.locator("#list-title")).to_have_text("Client companies")

    create(admin, {"Id": "initech", "Name": "Initech"})
    save(admin)
    expect(admin.locator('#list tr[data-id="initech"]')).to_be_visible()

    section(admin, "Campaigns")
    create(admin, {"Id": "initech-support", "Name": "Support", "Client company": "initech"})
    save(admin)

    section(admin, "Skills")
    create(admin, {"Id": "support", "Name": "Software support"})
    save(admin)

    section(admin, "Queues")
    create(
        admin,
        {
            "Id": "support",
            "Name": "Support line",
            "Campaign": "initech-support",
            "Skill requirement": "support>=1",
            "Service-level target (s)": "30",
        },
    )
    save(admin)
    expect(admin.locator('#list tr[data-id="support"]')).to_contain_text("support>=1")

    section(admin, "Agents")
    create(admin, {"Id": "a-ivan", "Name": "Ivan Petrov"})
    editor = admin.locator("#editor")
    editor.get_by_role("button", name="+ Add a skill").click()
    editor.get_by_label("Skill", exact=True).fill("support")
    editor.get_by_label("Level", exact=True).fill("2")
    editor.get_by_label("Support", exact=False).check()
    save(admin)
    expect(admin.locator('#list tr[data-id="a-ivan"]')).to_contain_text("support 2")

    section(admin, "Outcomes and forms")
    admin.locator('#list tr[data-id="initech-support"]').click()
    editor.get_by_label("Form name").fill("Support call")
    editor.get_by_role("button", name="+ Add an outcome").click()
    editor.get_by_label("Id", exact=True).last.fill("solved")
    editor.get_by_label("Label", exact=True).last.fill("Solved on the call")
    editor.get_by_role("button", name="+ Add a field").click()
    editor.get_by_label("Name", exact=True).last.fill("ticket")
    editor.get_by_label("Label", exact=True).last.fill("Ticket number")
    editor.get_by_label("Req.").last.check()
    save(admin)

    section(admin, "Reason codes")
    editor.get_by_role("button", name="+ Add a reason").click()
    editor.get_by_label("Id", exact=True).last.fill("meeting")
    editor.get_by_label("Label", exact=True).last.fill("Team meeting")
    save(admin)

    section(admin, "Users")
    create(
        admin,
        {
            "Username": "ivan",
            "Display name": "Ivan Petrov",
            "Role": "agent",
            "Agent (agent users)": "a-ivan",
            "Password": PASSWORD,
        },
    )
    save(admin)
    expect(admin.locator('#list tr[data-id="ivan"]')).to_be_visible()

    section(admin, "Queues")
    admin.locator('#list tr[data-id="support"]').click()
    admin.evaluate("document.getElementById('toasts')?.replaceChildren()")
    admin.screenshot(path=str(screenshots / "admin.png"))

    # What the pages stored is what the API serves.
    api = server.api("admin")
    try:
        forms = api.get("/api/admin/campaigns/initech-support/forms").json()
        queue = api.get("/api/admin/queues/support").json()
        reasons = api.get("/api/reasons").json()
    finally:
        api.close()
    assert [d["id"] for d in forms["dispositions"]] == ["solved"]
    assert forms["fields"][0]["name"] == "ticket" and forms["fields"][0]["required"] is True
    assert queue["requirement"] == "support>=1" and queue["service_target_s"] == 30
    assert {"id": "meeting", "label": "Team meeting", "system": False} in reasons

    # The new agent signs in and takes the new line's first call, with its form.
    ivan = open_as(browser, server, "ivan", lands_on="/agent")
    ivan.click("#start-button")
    ivan.locator("#reason-select").select_option("meeting")
    ivan.click("#ready-button")
    expect(ivan.locator("#state-pill")).to_have_text("Ready")
    server.arrive(queue="support", caller="+1 555 0700", contact_id="initech-1")
    expect(ivan.locator("#offer-layer")).to_be_visible()
    ivan.keyboard.press("Enter")
    expect(ivan.locator("#state-pill")).to_have_text("On contact")
    expect(ivan.get_by_label("Ticket number")).to_be_visible()
    no_page_errors(admin, ivan)


def test_an_administrator_retires_an_agent_who_left(browser: Browser, server: WebServer) -> None:
    admin = open_as(browser, server, "admin", lands_on="/supervisor")
    admin.goto("/admin")
    section(admin, "Agents")
    create(admin, {"Id": "a-leaving", "Name": "Lena Leaving"})
    save(admin)
    row = admin.locator('#list tr[data-id="a-leaving"]')
    expect(row).to_be_visible()
    row.click()
    questions: list[str] = []

    def answer(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    admin.once("dialog", answer)
    admin.locator("#editor").get_by_role("button", name="Retire").click()
    expect(admin.locator(".toast-ok").last).to_contain_text("Retired.")
    expect(row).to_have_count(0)
    assert "history stays" in questions[0]
    # An agent who still has an account is refused, with the reason shown.
    section(admin, "Agents")
    admin.locator('#list tr[data-id="a-maria"]').click()
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.locator("#editor").get_by_role("button", name="Retire").click()
    expect(admin.locator(".toast-error").last).to_contain_text("maria")
    expect(admin.locator('#list tr[data-id="a-maria"]')).to_be_visible()
    no_page_errors(admin)


def test_a_form_begun_while_the_list_loads_is_kept(browser: Browser, server: WebServer) -> None:
    """New clicked before a section's list arrives: the late list must not blank the form
    being typed (the page used to replace it, and Create then found an empty username)."""
    admin = open_as(browser, server, "admin", lands_on="/supervisor")
    admin.goto("/admin")
    expect(admin.locator("#list-title")).to_have_text("Client companies")
    held: list[Route] = []
    holding = [True]

    def hold(route: Route) -> None:
        if holding[0]:
            held.append(route)
        else:
            route.continue_()

    admin.route("**/api/admin/users", hold)
    admin.locator("#sections").get_by_role("button", name="Users", exact=True).click()
    expect(admin.locator("#list")).to_contain_text("Loading")
    admin.click("#new-button")
    admin.locator("#editor").get_by_label("Username", exact=True).fill("late-list")
    while not held:
        admin.wait_for_timeout(50)
    holding[0] = False
    for route in held:
        route.continue_()
    expect(admin.locator('#list tr[data-id="admin"]')).to_be_visible()
    expect(admin.locator("#editor").get_by_label("Username", exact=True)).to_have_value("late-list")
    no_page_errors(admin)


def test_an_administrator_sets_a_campaigns_recording_policy(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin = open_as(browser, server, "admin", lands_on="/supervisor")
    admin.goto("/admin#campaigns")
    expect(admin.locator("#list-title")).to_have_text("Campaigns")
    row = admin.locator('#list tr[data-id="globex-sales"]')
    expect(row.locator("td").last).to_have_text("none")  # no policy: nothing recorded
    row.click()
    editor = admin.locator("#editor")
    mode = editor.get_by_label("Recording of calls")
    share = editor.get_by_label("Share recorded (percent)")
    expect(mode).to_have_value("none")
    mode.select_option("share")
    share.fill("150")
    editor.get_by_role("button", name="Save").click()
    # The API's own words, naming the field and its bound.
    expect(admin.locator("#editor-error")).to_contain_text("share_percent")
    expect(admin.locator("#editor-error")).to_contain_text("100")
    admin.screenshot(path=str(screenshots / "admin-recording-policy-refused.png"))
    share.fill("30")
    save(admin)
    expect(row.locator("td").last).to_have_text("30%")

    admin.reload()
    expect(row.locator("td").last).to_have_text("30%")
    row.click()
    expect(mode).to_have_value("share")
    expect(share).to_have_value("30")
    api = server.api("admin")
    try:
        stored = api.get("/api/admin/recording-policies").json()
        assert {"campaign_id": "globex-sales", "mode": "share", "share_percent": 30} in stored
        mode.select_option("all")
        save(admin)
        expect(row.locator("td").last).to_have_text("all")
        stored = api.get("/api/admin/recording-policies").json()
        assert {"campaign_id": "globex-sales", "mode": "all", "share_percent": 100} in stored
    finally:
        api.close()
    admin.screenshot(path=str(screenshots / "admin-recording-policy.png"))
    no_page_errors(admin)
