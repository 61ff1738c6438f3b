"""Adherence on the reports page in a real browser: the supervisor's table by agent has
its columns; the client company's portal shows none of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from hearthline.kernel.clock import ManualClock
from hearthline.kernel.ids import AgentId
from hearthline.routing import commands as cmd
from tests.web.server import WebServer, start_server
from tests.web.shifts import LUNCH, seat
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser

DAY = "2026-11-02"
HOUR, MIN = 3600.0, 60.0


def at(hh: int, mm: int = 0) -> float:
    return dt.datetime.fromisoformat(f"{DAY}T{hh:02d}:{mm:02d}+00:00").timestamp()


def ok(r: httpx.Response) -> None:
    assert r.status_code == 200, r.text


@pytest.fixture
def worked(tmp_path: Path) -> Iterator[WebServer]:
    """Maria's shift of the day, 09:00 to 17:00 with lunch at 13:00: in 12 minutes late."""
    clock = ManualClock(at(7))
    server = start_server(tmp_path / "hearthline.sqlite3", clock=clock)
    try:
        admin = server.api("admin")
        body = {"group": "returns", "shift_lengths_h": [8], "breaks": [LUNCH]}
        ok(admin.put("/api/schedules/contracts/a-maria", json=body))
        window = {"window": "day", "closes_at": at(8), "shifts": [seat("s-maria", at(9))]}
        ok(admin.post("/api/schedules/windows", json=window))
        maria = server.api("maria")
        ok(maria.post("/api/schedules/mine/picks", json={"shift": "s-maria"}))
        for when, path, payload in (
            (at(9, 12), "/api/agent/sign-in", {"ready": True}),
            (at(13), "/api/agent/not-ready", {"reason": "lunch"}),
            (at(13, 30), "/api/agent/ready", None),
            (at(17), "/api/agent/sign-out", None),
        ):
            clock.set(when)
            ok(maria.post(path, json=payload))
        for minute, command in (
            (1, cmd.SignIn(AgentId("a-tom"))),
            (2, cmd.SignOut(AgentId("a-tom"))),
        ):
            clock.set(at(17, minute))  # the log moves on past the shift: it is over
            server.writer.execute(command)
        admin.close()
        maria.close()
        yield server
    finally:
        server.stop()


def test_the_table_by_agent_has_adherence_and_the_client_portal_has_none(
    browser: Browser, worked: WebServer
) -> None:
    page = open_as(browser, worked, "super", lands_on="/supervisor")
    page.goto("/reports")
    expect(page.locator("#report-range")).not_to_be_empty()
    page.fill("#date", DAY)
    page.select_option("#group", "agent")
    page.click("#show")
    expect(page.locator("#report-range")).to_contain_text(DAY)
    heads = page.locator("#report-table thead th")
    expect(heads.get_by_text("Adherence", exact=True)).to_have_count(1)
    expect(page.locator('#report-table th[title="In adherence over scheduled."]')).to_have_text(
        "Adherence"
    )
    names = heads.all_text_contents()  # as written: the headings are upper-cased by style
    maria = page.locator("#report-table tbody tr", has_text="a-maria")
    cells = maria.locator("td").all_text_contents()
    shown = dict(zip(names, cells, strict=True))
    # 7 h 30 of planned work, 12 minutes of it lost to the late start.
    assert shown["Late starts"] == "1"
    assert shown["Adherence"].startswith("97")  # 438 / 450 min = 97.3 %
    no_page_errors(page)

    viewer = open_as(browser, worked, "acme-viewer", lands_on="/supervisor")
    viewer.goto("/reports")
    expect(viewer.locator("#report-range")).not_to_be_empty()
    viewer.fill("#date", DAY)
    viewer.click("#show")
    expect(viewer.locator("#report-range")).to_contain_text(DAY)
    expect(viewer.locator("#report-table tbody tr")).not_to_have_count(0)
    titles = viewer.locator("#report-table thead th").all_text_contents()
    assert "Offered" in titles
    assert not {"Adherence", "Scheduled", "Late starts", "Conformance"} & set(titles)
    no_page_errors(viewer)
