"""Menu figures over HTTP, on SQLite and PostgreSQL: a few walks through menus recorded
through the real writer on a set clock, each figure worked out by hand; each role sees
its own menus, and the exports carry the figures with their definitions."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from hearthline.kernel.clock import ManualClock, WallClock
from hearthline.reports.menus import MENU_FIGURE_NAMES
from hearthline.service.writer import Writer
from hearthline.voice.commands import AnswerCall, EndCall, RecordMenuVisit
from tests.api.support import Served, serve
from tests.api.test_report_figures import postgres_database

ACME, GLOBEX = "+15550200", "+15550300"
# Today, 09:00 UTC (the firm's zone): near the wall clock, so sessions are as usual.
T0 = WallClock().now() // 86400 * 86400 + 9 * 3600
DAY1 = time.strftime("%Y-%m-%d", time.gmtime(T0))
DAY2 = time.strftime("%Y-%m-%d", time.gmtime(T0 + 86400))

# (call, client, number, start, [(node, seconds, how, timeouts, invalids)])
WALKS = (
    ("c1", "acme", ACME, T0, [("main", 8, "option:1", 1, 0), ("returns", 0, "queue", 0, 0)]),
    ("c2", "acme", ACME, T0 + 100, [("main", 12, "zero-out", 0, 2)]),
    ("c3", "acme", ACME, T0 + 200,
     [("main", 5, "option:2", 0, 0), ("account", 30, "hangup", 2, 0)]),
    ("c4", "globex", GLOBEX, T0 + 300, [("main", 4, "hangup", 0, 0)]),
    ("c5", "acme", ACME, T0 + 86400,
     [("main", 6, "option:1", 0, 0), ("returns", 0, "queue", 0, 0)]),
)  # fmt: skip


def _walk(writer: Writer, clock: ManualClock) -> None:
    for call, client, number, start, nodes in WALKS:
        clock.set(start)
        writer.execute(AnswerCall(call, f"k-{call}", client, number))
        for node, seconds, how, timeouts, invalids in nodes:
            entered = clock.now()
            clock.advance(seconds)
            writer.execute(RecordMenuVisit(call, node, entered, how, timeouts, invalids))
        writer.execute(EndCall(call, "caller"))
    clock.set(T0 + 86400 + 600)


def _menus(c: httpx.Client, **params: str) -> dict[str, Any]:
    r = c.get("/api/reports/menus", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _two_days(c: httpx.Client, group: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _menus(c, start=DAY1, end=DAY2, group=group)["rows"]
    return rows


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def walked(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    clock = ManualClock(T0)
    if request.param == "sqlite":
        app = serve(f"sqlite:///{tmp_path_factory.mktemp('db') / 'menus.sqlite3'}", clock=clock)
        yield from _with_walks(app, clock)
        return
    with postgres_database() as url:
        yield from _with_walks(serve(url, clock=clock), clock)


def _with_walks(app: Served, clock: ManualClock) -> Iterator[Served]:
    try:
        _walk(app.writer, clock)
        admin = app.login("admin")
        deadline = time.monotonic() + 30
        # The read models are written every 0.2 s of the writer's clock: wait for the
        # last stay (c5's at "returns") to be stored.
        while time.monotonic() < deadline:
            if _two_days(admin, "")[0]["figures"]["node_visits"] == 8:
                break
            time.sleep(0.1)
        yield app
    finally:
        app.stop()


def test_the_figures_of_the_walks_are_those_worked_out_by_hand(walked: Served) -> None:
    admin = walked.login("admin")
    by_client = {r["key"]["client"]: r for r in _two_days(admin, "client")}
    acme = by_client["acme"]["figures"]
    # Four calls: walks of 8, 12, 35 and 6 seconds; seven stays in nodes.
    assert acme["menu_calls"] == 4 and acme["menu_time_s"] == pytest.approx(61 / 4)
    assert acme["node_visits"] == 7 and acme["node_time_s"] == pytest.approx(61 / 7)
    assert (acme["menu_hangups"], acme["zero_outs"]) == (1, 1)
    assert (acme["menu_timeouts"], acme["invalid_keys"]) == (3, 2)
    globex = by_client["globex"]["figures"]
    assert (globex["menu_calls"], globex["menu_hangups"], globex["menu_time_s"]) == (1, 1, 4)

    days = {r["key"]["day"]: r["figures"] for r in _two_days(admin, "day")}
    assert days[DAY1]["menu_calls"] == 4 and days[DAY2]["menu_calls"] == 1
    assert days[DAY1]["menu_time_s"] == pytest.approx((8 + 12 + 35 + 4) / 4)

    nodes = {(r["key"]["menu"], r["key"]["node"]): r for r in _two_days(admin, "node")}
    assert set(nodes) == {(ACME, "main"), (ACME, "returns"), (ACME, "account"), (GLOBEX, "main")}
    main = nodes[(ACME, "main")]
    assert main["exits"] == {"option:1": 2, "option:2": 1, "zero-out": 1}
    assert main["figures"]["node_visits"] == 4
    assert main["figures"]["node_time_s"] == pytest.approx((8 + 12 + 5 + 6) / 4)
    account = nodes[(ACME, "account")]
    assert account["exits"] == {"hangup": 1} and account["figures"]["menu_timeouts"] == 2
    assert account["figures"]["menu_calls"] == 0  # no walk began there
    assert account["figures"]["menu_time_s"] is None
    assert nodes[(ACME, "returns")]["exits"] == {"queue": 2}

    intervals = _menus(admin, date=DAY1, period="day", group="interval")["rows"]
    assert [r["interval_start"] for r in intervals] == [T0]
    assert intervals[0]["key"]["interval"].startswith(f"{DAY1}T09:00")
    # One day's menu for one client, its first day only.
    [totals] = _menus(admin, date=DAY2, period="day")["rows"]
    assert totals["figures"]["menu_calls"] == 1 and totals["figures"]["node_visits"] == 2
    assert totals["exits"] == {}  # a way is a node's own: given by node only


def test_each_role_sees_its_own_menus_only(walked: Served) -> None:
    def menus(user: str) -> set[str]:
        return {r["key"]["menu"] for r in _two_days(walked.login(user), "menu")}

    assert menus("admin") == {ACME, GLOBEX}
    assert menus("acme-viewer") == {ACME}
    assert menus("globex-viewer") == {GLOBEX}
    assert menus("sup-acme") == {ACME}
    viewer = _two_days(walked.login("acme-viewer"), "client")
    assert [r["key"]["client"] for r in viewer] == ["acme"]
    agent = walked.login("a000").get("/api/reports/menus", params={"group": "node"})
    assert agent.status_code == 403
    export = walked.login("globex-viewer").get("/api/reports/menus/export.csv")
    assert export.status_code == 200 and "acme" not in export.text and ACME not in export.text


@pytest.mark.parametrize(
    ("group", "says"),
    [
        ("queue", "no queue or campaign until the menu routes them"),
        ("campaign,day", "no queue or campaign"),
        ("colour", "unknown grouping"),
        ("day,interval", "not both"),
    ],
)
def test_groupings_a_menu_has_not_are_refused_with_the_reason(
    walked: Served, group: str, says: str
) -> None:
    r = walked.login("admin").get("/api/reports/menus", params={"group": group})
    assert r.status_code == 422 and says in r.json()["message"], r.text


def test_the_exports_carry_the_definitions_and_a_column_per_exit(walked: Served) -> None:
    admin = walked.login("admin")
    params = {"start": DAY1, "end": DAY2, "group": "node"}
    page = {(r["key"]["menu"], r["key"]["node"]): r for r in _menus(admin, **params)["rows"]}
    r = admin.get("/api/reports/menus/export.csv", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    comments = [line for line in r.text.splitlines() if line.startswith("#")]
    assert comments[0] == f"# Hearthline menu report, {DAY1} to {DAY2} (UTC), grouped by menu, node"
    assert any(line.startswith("# menu_time_s (Mean time in menu, seconds): ") for line in comments)
    assert any("never by campaign or queue" in line for line in comments)
    rows = list(csv.reader(line for line in r.text.splitlines() if not line.startswith("#")))
    exits = ["exit:hangup", "exit:option:1", "exit:option:2", "exit:queue", "exit:zero-out"]
    assert rows[0] == ["menu", "node", *MENU_FIGURE_NAMES, *exits]
    assert len(rows) == 1 + len(page)
    for row in rows[1:]:
        shown = page[(row[0], row[1])]
        for name, cell in zip(MENU_FIGURE_NAMES, row[2:], strict=False):
            value = shown["figures"][name]
            assert (cell == "") if value is None else float(cell) == pytest.approx(value), name
        assert {w[5:]: int(c) for w, c in zip(exits, row[-5:], strict=True) if c != "0"} == (
            shown["exits"]
        )

    x = admin.get("/api/reports/menus/export.xlsx", params=params)
    assert x.status_code == 200
    book = load_workbook(io.BytesIO(x.content), read_only=True)
    assert book.sheetnames == ["Definitions", "Menus"]
    sheet = [list(row) for row in book["Menus"].iter_rows(values_only=True)]
    assert sheet[0] == rows[0]
    main = next(row for row in sheet if row[:2] == [ACME, "main"])
    assert main[2 + MENU_FIGURE_NAMES.index("node_visits")] == 4
    assert main[len(rows[0]) - 5 + exits.index("exit:option:1")] == 2
    names = [row[1] for row in book["Definitions"].iter_rows(min_row=4, values_only=True)]
    assert names == [*MENU_FIGURE_NAMES, "exit:<way>"]
