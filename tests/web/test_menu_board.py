"""The supervisor console's line per menu: callers in it now, and today's callers,
hang-ups in it, zero-outs and mean time in it, as the menus' board endpoint gives them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Response, expect

from hearthline.service.actions import menus as actions
from hearthline.telephony.menu_calls import MenuPlan
from hearthline.voice.menus import flow_from_dict
from tests.web.menu_calls import walk_menu
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as

pytestmark = pytest.mark.browser

NUMBER = "+15550500"
FLOW: dict[str, Any] = {
    "start": "main",
    "operator": "returns",
    "nodes": [
        {"id": "main", "kind": "menu", "prompt": "greeting", "timeout_s": 30.0,
         "options": {"1": "returns"}},
        {"id": "returns", "kind": "queue", "queue": "returns"},
    ],
}  # fmt: skip


@dataclass(frozen=True)
class Admin:
    user_id: int = 1
    username: str = "admin"


def test_the_console_shows_a_line_per_menu_matching_the_board_endpoint(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    at = time.time()  # noqa: TID251 -- the audit record's time, as the server's clock gives
    actions.put_flow(server.writer.engine, Admin(), at=at, number=NUMBER, client="acme", flow=FLOW)
    plan = MenuPlan(flow_from_dict(FLOW), "acme", prompts={"greeting": "/p/greeting.wav"})
    walk = {"server": server, "plan": plan, "number": NUMBER}
    walk_menu(**walk, call="board-1", caller="+15557770201", keys="0")  # a person at once
    walk_menu(**walk, call="board-2", caller="+15557770202", hang_up=True)  # gave up in it
    walk_menu(**walk, call="board-3", caller="+15557770203")  # still listening
    walk_menu(**walk, call="board-4", caller="+15557770204", keys="1")  # chose, queued

    api = server.api("super")
    try:
        board = api.get("/api/supervisor/menus/board").json()
    finally:
        api.close()
    [line] = [x for x in board if x["number"] == NUMBER]
    assert {k: line[k] for k in ("in_menu", "callers", "hangups", "zero_outs")} == {
        "in_menu": 1,
        "callers": 3,  # the one still in the menu has left no node yet
        "hangups": 1,
        "zero_outs": 1,
    }
    assert 0.0 <= line["mean_s"] < 5.0

    boards: list[dict[str, Any]] = []

    def seen(response: Response) -> None:
        if "/api/supervisor/menus/board" in response.url and response.ok:
            boards.append(next(x for x in response.json() if x["number"] == NUMBER))

    page = open_as(browser, server, "super", lands_on="/supervisor")
    page.on("response", seen)
    page.reload()
    row = page.locator(f'#menu-lines tr[data-number="{NUMBER}"]')
    expect(row).to_be_visible()
    expect(row.locator(".in-menu")).to_have_text("1")
    expect(row.locator(".hangups")).to_have_text("1")
    expect(row.locator(".zero-outs")).to_have_text("1")
    expect(row.locator(".callers")).to_have_text("3")
    shown = boards[-1]  # what the page drew is what the endpoint said
    expect(row.locator(".mean")).to_have_text(f"{shown['mean_s']:.1f} s")
    assert {k: shown[k] for k in ("in_menu", "callers", "hangups", "zero_outs")} == {
        k: line[k] for k in ("in_menu", "callers", "hangups", "zero_outs")
    }
    expect(row.locator("th")).to_contain_text("Acme Retail")
    page.screenshot(path=str(screenshots / "supervisor-menu-line.png"))

    # A client viewer's console has no menu lines (the board is the staff's).
    viewer = open_as(browser, server, "acme-viewer", lands_on="/supervisor")
    expect(viewer.locator("#wallboard")).to_be_visible()
    expect(viewer.locator("#menu-lines")).to_be_hidden()
    no_page_errors(page, viewer)
