"""Pay and billing in a real browser: the administrator reads a period's payroll, downloads
it, closes it; a correction made afterwards shows as an adjustment in the next period on
the agent's own page; a client's viewer reads their own billing statement only."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Dialog, expect

from hearthline.kernel.ids import AgentId, ContactId
from hearthline.routing import commands as cmd
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser
ZONE = ZoneInfo("Europe/Paris")


def _worked(server: WebServer, day: str, start: int, end: int) -> None:
    admin = server.api("admin")
    try:

        def at(hour: int) -> float:
            return datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=ZONE).timestamp()

        r = admin.post(
            "/api/schedules/timesheets/a-maria/corrections",
            json={
                "day": day,
                "start": at(start),
                "end": at(end),
                "state": "working",
                "reason": "worked on site",
            },
        )
        assert r.status_code == 200, r.text
    finally:
        admin.close()


def _setup(server: WebServer) -> None:
    admin = server.api("admin")
    try:
        for path, body in (
            ("/api/schedules/settings", {"time_zone": "Europe/Paris"}),
            ("/api/admin/pay/settings", {"currency": "EUR", "cadence": "monthly"}),
            ("/api/admin/pay/rules/a-maria/2026-01-01", {"hourly_rate": "12.00"}),
            ("/api/admin/billing/rate-cards/acme", {"monthly_minimum": "500"}),
            ("/api/admin/pay/bonus-rules/acme-returns", {"per_save": "3"}),
        ):
            r = admin.put(path, json=body)
            assert r.status_code == 200, r.text
    finally:
        admin.close()


def test_payroll_is_closed_in_the_browser_and_a_late_correction_reaches_the_agent(
    browser: Browser, server: WebServer, screenshots: Path, tmp_path: Path
) -> None:
    _setup(server)
    _worked(server, "2026-09-10", 9, 13)  # 4 h at 12.00

    page = open_as(browser, server, "admin", lands_on="/supervisor")
    page.click("#pay-link")
    page.wait_for_url("**/pay")
    page.fill("#payroll-day", "2026-09-10")
    page.dispatch_event("#payroll-day", "change")
    maria = page.locator('#payroll-rows tr[data-agent="a-maria"] td')
    expect(maria.nth(5)).to_have_text("48.00 EUR")
    expect(maria.nth(1)).to_have_text("4.00")
    expect(page.locator("#payroll-period")).to_contain_text("2026-09-01 to 2026-09-30 · open")
    page.screenshot(path=str(screenshots / "pay-payroll.png"))

    with page.expect_download() as download:
        page.click("#payroll-csv")
    saved = tmp_path / "payroll.csv"
    download.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0].startswith("period_start,period_end,agent,line")
    assert "2026-09-01,2026-09-30,a-maria,regular,2026-01-01,4.00,48.00,EUR,2026-09-10" in lines

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-button")
    expect(page.locator("#payroll-period")).to_contain_text("closed")
    expect(page.locator("#close-button")).to_be_disabled()
    expect(page.locator("#closed-list")).to_contain_text("2026-09-01 to 2026-09-30 by admin")

    # Closing out of turn is refused with the reason on the page.
    page.fill("#payroll-day", "2026-11-05")
    page.dispatch_event("#payroll-day", "change")
    expect(page.locator("#close-button")).to_be_enabled()

    def accept(dialog: Dialog) -> None:
        dialog.accept()

    page.once("dialog", accept)
    page.click("#close-button")
    expect(page.locator("#payroll-error")).to_contain_text("close that one first")

    # After the closing, the agent stayed an hour longer that day: paid in October.
    _worked(server, "2026-09-10", 13, 14)
    agent = open_as(browser, server, "maria", lands_on="/agent")
    agent.click("#pay-link")
    agent.wait_for_url("**/pay")
    # Today: the exchange Maria saved this morning (the seeded call) earns its bonus,
    # the line naming the contact.
    bonus = agent.locator("#my-table tr.bonus-line td")
    expect(bonus.nth(0)).to_have_text("save bonus (acme-returns)")
    expect(bonus.nth(3)).to_have_text("past-0001")
    expect(bonus.nth(4)).to_have_text("3.00 EUR")
    agent.screenshot(path=str(screenshots / "pay-mine-today.png"))
    agent.fill("#my-day", "2026-10-05")
    agent.dispatch_event("#my-day", "change")
    adjustment = agent.locator("#my-table tr.adjustment-line td")
    expect(adjustment.nth(0)).to_have_text("adjustment: regular")
    expect(adjustment.nth(3)).to_have_text("2026-09-01 to 2026-09-30")
    expect(agent.locator("#my-total")).to_have_text("12.00 EUR")
    agent.screenshot(path=str(screenshots / "pay-mine-adjustment.png"))
    # September itself is as it was paid, each line naming its days.
    agent.fill("#my-day", "2026-09-20")
    agent.dispatch_event("#my-day", "change")
    expect(agent.locator("#my-period")).to_contain_text("closed: as paid")
    time_line = agent.locator("#my-table tr.time-line td")
    expect(time_line.nth(2)).to_have_text("4.00 h")
    expect(time_line.nth(3)).to_have_text("2026-09-10")
    expect(agent.locator("#my-total")).to_have_text("48.00 EUR")

    # The billing statement: a month with no work tops up to the minimum.
    page.select_option("#bill-client", "acme")
    page.fill("#bill-month", "2026-09")
    page.dispatch_event("#bill-month", "change")
    expect(page.locator("#bill-total")).to_have_text("500.00 EUR")
    page.screenshot(path=str(screenshots / "pay-billing-admin.png"))
    no_page_errors(page, agent)


def test_a_client_viewer_reads_only_their_own_statement_and_supervisors_no_money(
    browser: Browser, server: WebServer, screenshots: Path, tmp_path: Path
) -> None:
    _setup(server)
    viewer = open_as(browser, server, "acme-viewer", lands_on="/supervisor")
    viewer.click("#pay-link")
    viewer.wait_for_url("**/pay")
    expect(viewer.locator("#payroll")).to_be_hidden()
    expect(viewer.locator("#bill-client")).to_be_disabled()
    viewer.fill("#bill-month", "2026-08")
    viewer.dispatch_event("#bill-month", "change")
    expect(viewer.locator("#bill-summary")).to_contain_text("acme · 2026-08")
    expect(viewer.locator("#bill-total")).to_have_text("500.00 EUR")
    with viewer.expect_download() as download:
        viewer.click("#bill-csv")
    saved = tmp_path / "statement.csv"
    download.value.save_as(saved)
    last = saved.read_text().splitlines()[-1].split(",")
    assert "total" in last and "500.00" in last
    viewer.screenshot(path=str(screenshots / "pay-billing-viewer.png"))
    # Another client's statement is not theirs, whatever the page is asked.
    r = viewer.request.get("/api/billing/globex/statement?month=2026-08")
    assert r.status == 404

    supervisor = open_as(browser, server, "super", lands_on="/supervisor")
    expect(supervisor.locator("#pay-link")).to_be_hidden()
    supervisor.goto("/pay")
    supervisor.wait_for_url("**/supervisor")
    no_page_errors(viewer, supervisor)


def test_a_statement_line_counts_its_contacts_and_names_them_on_demand(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    """A month's line stands on many contacts: the cell counts them, not a wall of ids."""
    admin = server.api("admin")
    try:
        r = admin.put("/api/admin/billing/rate-cards/acme", json={"per_handled_call": "1.50"})
        assert r.status_code == 200, r.text
        body = {"name": "Billie Handler", "skills": {"returns": 2}, "campaigns": ["acme-returns"]}
        r = admin.put("/api/admin/agents/a-billie", json=body)
        assert r.status_code == 200, r.text
    finally:
        admin.close()
    agent = AgentId("a-billie")
    server.writer.execute(cmd.SignIn(agent, ready=True))
    handled = []
    for n in range(6):
        contact = ContactId(
            server.arrive(queue="returns", caller=f"+1 555 77{n:02d}", contact_id=f"bill-{n:02d}")
        )
        server.writer.execute(cmd.AcceptOffer(agent, contact))
        server.writer.execute(cmd.EndContact(agent, contact))
        server.writer.execute(cmd.FinishWrapUp(agent))
        handled.append(contact)

    page = open_as(browser, server, "admin", lands_on="/supervisor")
    page.goto("/pay")
    page.select_option("#bill-client", "acme")
    calls = page.locator("#bill-table tbody tr", has_text="handled call").locator("td.contacts")
    summary = calls.locator("summary")
    expect(summary).to_have_text(re.compile(r"^\d+ contacts$"))
    ids = calls.locator(".ids")
    expect(ids).to_be_hidden()
    summary.click()
    expect(ids).to_be_visible()
    for contact in handled:
        expect(ids).to_contain_text(contact)
    page.screenshot(path=str(screenshots / "pay-billing-contacts.png"))
    no_page_errors(page)
