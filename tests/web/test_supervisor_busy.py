"""The supervisor console on a busy floor, at the laptop size docs/web.md names and on a
large screen: the agent grid and the waiting list each show many rows, and notices
never cover a control and leave once the help request is answered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from hearthline.kernel.ids import AgentId, ContactId
from hearthline.routing import commands as cmd
from tests.web.server import WebServer, start_server
from tests.web.support import no_page_errors, sign_in, watch

pytestmark = pytest.mark.browser

AGENTS = 48
WAITING = 30


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    # Nobody's browser sends heartbeats for the floor's agents: a long timeout keeps them
    # connected, as people at work are.
    served = start_server(
        tmp_path_factory.mktemp("busy") / "hearthline.sqlite3", heartbeat_timeout_s=3600
    )
    busy_floor(served)
    yield served
    served.stop()


def short_names(i: int) -> tuple[AgentId, str]:
    return AgentId(f"f{i:02d}"), f"Agent {i:02d}"


def busy_floor(
    server: WebServer, named: Callable[[int], tuple[AgentId, str]] = short_names
) -> None:
    """Dozens of agents in every state, and callers waiting on both lines; ``named``
    gives the i-th agent's id and name."""
    admin = server.api("admin")
    try:
        for i in range(AGENTS):
            line = ("acme-returns", "returns") if i % 2 else ("globex-sales", "sales")
            agent, name = named(i)
            body = {"name": name, "skills": {line[1]: 2}, "campaigns": [line[0]]}
            r = admin.put(f"/api/admin/agents/{agent}", json=body)
            assert r.status_code == 200, r.text
    finally:
        admin.close()
    w = server.writer
    for i in range(AGENTS):
        agent = named(i)[0]
        w.execute(cmd.SignIn(agent, ready=i % 6 != 0))
        if i % 6 == 0:
            w.execute(cmd.MakeNotReady(agent, "break" if i % 12 else "lunch"))
    for n in range(AGENTS + WAITING):
        queue = "sales" if n % 2 == 0 else "returns"
        server.arrive(queue=queue, caller=f"+1 555 {n:04d}", contact_id=f"busy-{n:03d}")
    # Those who were offered a call take it; a few of them finish it and wrap up.
    admin = server.api("admin")
    try:
        floor = admin.get("/api/supervisor/agents").json()
    finally:
        admin.close()
    for n, a in enumerate(f for f in floor if f["state"] == "reserved"):
        agent, contact = AgentId(a["id"]), ContactId(a["contact"])
        w.execute(cmd.AcceptOffer(agent, contact))
        if n % 5 == 0:
            w.execute(cmd.EndContact(agent, contact))


def visible_rows(page: Page, table: str) -> int:
    """Rows of ``table`` wholly inside its scrolling pane and the window."""
    count: int = page.evaluate(
        """(sel) => {
            const table = document.querySelector(sel);
            const pane = table.closest('.scroll').getBoundingClientRect();
            const bottom = Math.min(pane.bottom, window.innerHeight);
            return [...table.tBodies[0].rows].filter((r) => {
                const b = r.getBoundingClientRect();
                return b.height > 0 && b.top >= pane.top && b.bottom <= bottom + 0.5;
            }).length;
        }""",
        table,
    )
    return count


def covered(page: Page, controls: Locator) -> list[str]:
    """Controls whose middle point is covered by something else (a notice, say)."""
    hidden: list[str] = controls.evaluate_all(
        """(els) => els.filter((el) => {
            const b = el.getBoundingClientRect();
            const x = b.left + b.width / 2, y = b.top + b.height / 2;
            // Only what is on show: in the window, and inside its scrolling pane.
            const pane = el.closest('.scroll');
            const p = pane ? pane.getBoundingClientRect() : { top: 0, bottom: innerHeight };
            if (b.height === 0 || y <= Math.max(0, p.top) || y >= Math.min(innerHeight, p.bottom))
                return false;
            const top = document.elementFromPoint(x, y);
            return top !== null && top !== el && !el.contains(top);
        }).map((el) => el.outerHTML.slice(0, 80))"""
    )
    return hidden


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_the_console_shows_a_busy_floor_with_notices_off_the_controls(
    browser: Browser, server: WebServer, screenshots: Path, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url)
    context.set_default_timeout(15_000)
    page = watch(context.new_page())
    sign_in(page, "super", lands_on="/supervisor")
    page.wait_for_function(
        "([a, w]) => document.querySelectorAll('#agent-grid tbody tr').length >= a"
        " && document.querySelectorAll('#waiting tbody tr').length >= w",
        arg=[AGENTS, WAITING],
    )

    agents, waiting = visible_rows(page, "#agent-grid"), visible_rows(page, "#waiting")
    least = (12, 8) if height < 800 else (20, 12)
    assert agents >= least[0], f"{agents} agent rows visible at {width}x{height}"
    assert waiting >= least[1], f"{waiting} waiting callers visible at {width}x{height}"

    # A help request: the notice says so, covers no control, and leaves once answered.
    tom = server.api("tom")
    try:
        asked = tom.post("/api/agent/help", json={"text": f"Refund over the limit {width}?"})
        assert asked.status_code in (200, 201), asked.text
    finally:
        tom.close()
    notice = page.locator(".toast", has_text=f"Refund over the limit {width}?")
    expect(notice).to_be_visible()
    assert covered(page, page.locator("#console button, #console select, #console input")) == []
    page.screenshot(path=str(screenshots / f"supervisor-{width}.png"))

    request = page.locator("#inbox li", has_text=f"Refund over the limit {width}?")
    request.locator("input").fill("Go ahead, I approve it.")
    request.get_by_role("button", name="Send").click()
    expect(notice).to_have_count(0)
    no_page_errors(page)
    context.close()
