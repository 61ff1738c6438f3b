"""Changes after picking on the agent page: the reminder before the next shift, a shift
offered to a colleague and accepted, a shift given back (waiting for a supervisor under
the cover rule) and time off asked for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
from playwright.sync_api import Browser, expect

from tests.web.server import WebServer
from tests.web.shifts import LUNCH
from tests.web.shifts import now as _now
from tests.web.shifts import seat as _seat
from tests.web.support import new_context, no_page_errors, open_as, sign_in, watch


def _setup(admin: httpx.Client, maria: httpx.Client) -> None:
    rules = {"approval": "cover", "reminder_minutes": 15}
    assert admin.put("/api/schedules/rules", json=rules).status_code == 200
    for agent in ("a-maria", "a-tom"):
        body = {"group": "returns", "shift_lengths_h": [8], "breaks": [LUNCH]}
        assert admin.put(f"/api/schedules/contracts/{agent}", json=body).status_code == 200
    soon = _now() + 10 * 60
    window = {
        "window": "changes",
        "closes_at": _now() + 3600,
        "shifts": [_seat("soon", soon), _seat("later", soon + 2 * 86400)],
    }
    assert admin.post("/api/schedules/windows", json=window).status_code == 200
    for seat in ("soon", "later"):
        assert maria.post("/api/schedules/mine/picks", json={"shift": seat}).status_code == 200


def test_an_agent_is_reminded_offers_a_shift_gives_one_back_and_asks_for_time_off(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin, api = server.api("admin"), server.api("maria")
    try:
        _setup(admin, api)
    finally:
        admin.close()
        api.close()
    maria = open_as(browser, server, "maria", lands_on="/agent")
    reminder = maria.locator("#shift-reminder")
    expect(reminder).to_be_visible()
    expect(reminder).to_contain_text("Your shift starts at")
    expect(reminder).to_contain_text("min)")

    # Maria offers her later shift to Tom, who accepts it on his page.
    later = maria.locator('#my-shifts li[data-shift="later"]')
    later.locator("select").select_option("a-tom")
    later.locator('button[data-act="offer"]').click()
    expect(maria.locator(".toast").last).to_contain_text("Offered")
    expect(maria.locator("#my-changes li").first).to_contain_text("Offering")
    expect(maria.locator("#my-changes li").first).to_contain_text("waiting for an answer")
    tom = open_as(browser, server, "tom", lands_on="/agent")
    offered = tom.locator('#my-changes li[data-status="proposed"]')
    expect(offered).to_contain_text("a-maria offers you")
    offered.locator('button[data-act="accept"]').click()
    expect(tom.locator('#my-shifts li[data-shift="later"]')).to_be_visible()
    expect(tom.locator('#my-changes li[data-status="done"]')).to_have_count(1)
    tom.screenshot(path=str(screenshots / "schedules-trade-accepted.png"))

    # Tom gives it back: that takes it out of the cover, so a supervisor decides.
    tom.locator('#my-shifts li[data-shift="later"] button[data-act="give-back"]').click()
    expect(tom.locator(".toast").last).to_contain_text("Waiting for a supervisor")
    expect(tom.locator('#my-changes li[data-status="pending"]')).to_contain_text("Giving back")

    # Maria asks for two days off next week.
    first = dt.datetime.fromtimestamp(_now(), tz=dt.UTC).date() + dt.timedelta(days=7)
    maria.reload()
    maria.locator("#off-from").fill(first.isoformat())
    maria.locator("#off-to").fill((first + dt.timedelta(days=1)).isoformat())
    maria.locator("#off-reason").fill("moving house")
    maria.locator("#time-off button").click()
    expect(maria.locator(".toast").last).to_contain_text("Waiting for a supervisor")
    pending = maria.locator('#my-changes li[data-status="pending"]')
    expect(pending).to_contain_text("Time off")
    expect(pending).to_contain_text("moving house")
    expect(maria.locator("#shift-reminder")).to_be_visible()
    maria.screenshot(path=str(screenshots / "schedules-agent-changes.png"))
    no_page_errors(maria, tom)


# Timers of 2 s (the adherence re-read) are never started: only the stream can update it.
NO_POLL = """
const every = window.setInterval;
window.setInterval = (fn, ms, ...rest) => (ms === 2000 ? 0 : every(fn, ms, ...rest));
"""


def test_an_agent_signing_in_shows_in_the_consoles_adherence_from_the_stream(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin, tom_api = server.api("admin"), server.api("tom")
    try:
        body = {"group": "returns", "shift_lengths_h": [8], "breaks": [LUNCH]}
        assert admin.put("/api/schedules/contracts/a-tom", json=body).status_code == 200
        began = _now() - 10 * 60
        window = {"window": "stream", "closes_at": _now() + 3600, "shifts": [_seat("now", began)]}
        assert admin.post("/api/schedules/windows", json=window).status_code == 200
        assert tom_api.post("/api/schedules/mine/picks", json={"shift": "now"}).status_code == 200
        context = new_context(browser, server)
        context.add_init_script(NO_POLL)
        console = watch(context.new_page())
        sign_in(console, "super", lands_on="/supervisor")
        # Signed out, Tom is not in the grid; the alert says he is late.
        expect(console.locator("#alerts")).to_contain_text("Tom Becker: late for the shift")
        assert tom_api.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
        tom_row = console.locator('#agent-grid tr[data-agent="a-tom"]')
        expect(tom_row.locator(".adherence")).to_contain_text("On schedule")
        expect(console.locator("#alerts")).not_to_contain_text("Tom Becker: late")
        console.screenshot(path=str(screenshots / "schedules-adherence-from-stream.png"))
        no_page_errors(console)
    finally:
        admin.close()
        tom_api.close()


def test_a_supervisor_sees_a_change_waiting_with_its_cover_impact_and_approves_it(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    admin, maria_api = server.api("admin"), server.api("maria")
    try:
        assert admin.put("/api/schedules/rules", json={"approval": "cover"}).status_code == 200
        body = {"group": "returns", "shift_lengths_h": [8], "breaks": [LUNCH]}
        assert admin.put("/api/schedules/contracts/a-maria", json=body).status_code == 200
        began = (_now() // 86400 + 5) * 86400 + 8 * 3600
        need = {"group": "returns", "start": began, "required": [1] * 16}
        window = {
            "window": "impact",
            "closes_at": _now() + 3600,
            "shifts": [_seat("given", began)],
            "needs": [need],
        }
        assert admin.post("/api/schedules/windows", json=window).status_code == 200
        assert (
            maria_api.post("/api/schedules/mine/picks", json={"shift": "given"}).status_code == 200
        )
        back = maria_api.post("/api/schedules/mine/give-backs", json={"shift": "given"})
        assert back.json()["status"] == "pending"
    finally:
        admin.close()
        maria_api.close()
    page = open_as(browser, server, "super", lands_on="/supervisor")
    page.goto("/planning")
    item = page.locator(f'#changes-list li[data-change="{back.json()["change"]}"]')
    expect(item).to_contain_text("a-maria gives back")
    # The shift's 16 half hours, every one below the requirement without it.
    expect(item.locator(".impact")).to_contain_text("returns: 16 of 16 intervals below")
    page.locator("#changes").screenshot(path=str(screenshots / "schedules-change-impact.png"))
    item.locator('button[data-act="approve"]').click()
    expect(page.locator(".toast").last).to_contain_text("Approved")
    expect(item).to_have_count(0)
    no_page_errors(page)
