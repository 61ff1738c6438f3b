"""Adherence in the reports over HTTP, on SQLite and PostgreSQL: a night across the
change to summer time with a late start, a day with a dropped connection and a lunch
that ran long, against figures worked out by hand; the same as the live adherence of
the schedules; each role's scope; the table kept live equal to one rebuilt from the log."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from hearthline.api.app import create_app
from hearthline.api.settings import ServerSettings
from hearthline.kernel.clock import ManualClock
from hearthline.kernel.ids import AgentId
from hearthline.routing import commands as cmd
from hearthline.service.domains import CODEC
from hearthline.service.writer import Writer
from hearthline.store import read_models
from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade
from tests.api.support import FAST_HASH, Served, seed_world
from tests.api.test_report_figures import postgres_database
from tests.serving import free_port, serve_in_thread

PARIS = ZoneInfo("Europe/Paris")
HOUR, MIN = 3600.0, 60.0


def at(day: int, hh: int, mm: int = 0) -> float:
    return dt.datetime(2026, 3, day, hh, mm, tzinfo=PARIS).timestamp()


def serve_at(url: str, clock: ManualClock, *, token: str | None = None) -> Served:
    """The app on a seeded store, its writer on ``clock``: the day is played by hand.
    Given the ``token`` of a first run, the store is not seeded again (a restart)."""
    if token is None:
        engine = create_store_engine(url)
        upgrade(engine)
        token = seed_world(engine)
        engine.dispose()
    writer = Writer(
        engine=create_store_engine(url),
        clock=clock,
        rng=random.Random(3),
        read_model_every_s=0.0,
        own_engine=True,
    )
    writer.start()
    port = free_port()
    app = create_app(writer, ServerSettings(host="127.0.0.1", port=port, **FAST_HASH))
    server, thread = serve_in_thread(app, port=port, writer=writer)
    return Served(f"http://127.0.0.1:{port}", writer, app, token, server, thread)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hearthline.sqlite3'}"
        return
    with postgres_database() as url:
        yield url


def ok(r: httpx.Response) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def figures(c: httpx.Client, **params: str) -> dict[str, dict[str, Any]]:
    body = ok(
        c.get("/api/reports/figures", params={"start": "2026-03-28", "end": "2026-03-29"} | params)
    )
    return {"/".join(row["key"].values()): row["figures"] for row in body["rows"]}


def test_adherence_per_agent_and_day_as_worked_out_by_hand(store_url: str) -> None:
    clock = ManualClock(at(28, 20))
    app = serve_at(store_url, clock)
    try:
        late = _play_the_two_days(app, clock)
        # The log moves on past a001's shift (another agent signs in and out): a shift
        # is over once all of the log up to its end is in.
        clock.set(at(29, 17, 1))
        app.writer.execute(cmd.SignIn(AgentId("g000"), ready=False))
        clock.set(at(29, 17, 2))
        app.writer.execute(cmd.SignOut(AgentId("g000")))
        sup = app.login("sup")
        _wait_for_rows(sup)
        by_day = figures(sup, group="agent,day")
        # a000's night, 22:00 on the 28th to 07:00 on the 29th (8 real hours: the clocks
        # go forward at 02:00), signed in at 22:20.
        assert _adherence(by_day["a000/2026-03-28"]) == {
            "scheduled_s": 2 * HOUR,
            "adhering_s": 100 * MIN,
            "excused_s": 0.0,
            "worked_s": 100 * MIN,
            "late_starts": 1,
            "late_s": 20 * MIN,
            "early_leaves": 0,
            "early_s": 0.0,
            "absences": 0,
        }
        assert by_day["a000/2026-03-28"]["adherence"] == pytest.approx(100 / 120)
        assert _adherence(by_day["a000/2026-03-29"]) == {
            "scheduled_s": 6 * HOUR,
            "adhering_s": 6 * HOUR,
            "excused_s": 0.0,
            "worked_s": 6 * HOUR,
            "late_starts": 0,
            "late_s": 0.0,
            "early_leaves": 0,
            "early_s": 0.0,
            "absences": 0,
        }
        # a001's day, 09:00 to 17:00 with lunch planned 12:00-12:30: the connection lost
        # 10:00-10:40 (kept, and apart), lunch back at 12:50 (20 min lost), out at 16:30.
        a001 = by_day["a001/2026-03-29"]
        assert _adherence(a001) == {
            "scheduled_s": 7.5 * HOUR,
            "adhering_s": 7.5 * HOUR - 20 * MIN - 30 * MIN,
            "excused_s": 40 * MIN,
            "worked_s": 8 * HOUR - 50 * MIN - 30 * MIN,
            "late_starts": 0,
            "late_s": 0.0,
            "early_leaves": 1,
            "early_s": 30 * MIN,
            "absences": 0,
        }
        assert a001["adherence"] == pytest.approx(400 / 450)
        assert a001["conformance"] == pytest.approx(400 / 450)
        assert "a001/2026-03-28" not in by_day
        # The live adherence of the schedules says the same, for each shift once over.
        whole = figures(sup, group="agent")
        assert whole["a000"]["adherence"] == pytest.approx(late["a000"]["adherence"])
        assert whole["a000"]["late_s"] == late["a000"]["late_s"]
        now = {r["agent"]: r for r in ok(sup.get("/api/schedules/adherence"))}
        assert now["a001"]["shift"] == "d1"
        assert now["a001"]["adherence"] == pytest.approx(a001["adherence"])
        totals = figures(sup)[""]
        assert totals["scheduled_s"] == 15.5 * HOUR
        assert totals["late_starts"] == 1 and totals["early_leaves"] == 1
        _scopes(app)
    finally:
        app.stop()
    engine = create_store_engine(store_url)
    try:
        with engine.connect() as conn:
            live = read_models.adherence_days(conn)
        assert len(live) == 3
        read_models.rebuild(engine, CODEC)
        with engine.connect() as conn:
            assert read_models.adherence_days(conn) == live
    finally:
        engine.dispose()


def _adherence(f: dict[str, Any]) -> dict[str, Any]:
    names = (
        "scheduled_s",
        "adhering_s",
        "excused_s",
        "worked_s",
        "late_starts",
        "late_s",
        "early_leaves",
        "early_s",
        "absences",
    )
    return {n: f[n] for n in names}


def _play_the_two_days(app: Served, clock: ManualClock) -> dict[str, dict[str, Any]]:
    """The two days; returns the live adherence just after the night (shown for an hour
    after a shift ends)."""
    admin = app.login("admin")
    ok(admin.put("/api/schedules/settings", json={"time_zone": "Europe/Paris"}))
    for agent in ("a000", "a001"):
        # Available around the clock, nights into the next day included.
        every = [{"weekday": d, "start_min": 0, "end_min": 2880} for d in range(7)]
        body = {"group": "help", "shift_lengths_h": [8], "max_week_h": 40, "windows": every}
        if agent == "a001":  # an unpaid half-hour lunch in an 8-hour day
            body["breaks"] = [
                {"min_shift_h": 8, "length_min": 30, "paid": False, "reason": "lunch"}
            ]
        ok(admin.put(f"/api/schedules/contracts/{agent}", json=body))
    night = {"id": "n1", "group": "help", "start": at(28, 22), "end": at(28, 22) + 8 * HOUR}
    assert night["end"] == at(29, 7)
    lunch = {"start": at(29, 12), "end": at(29, 12, 30), "paid": False, "reason": "lunch"}
    day = {"id": "d1", "group": "help", "start": at(29, 9), "end": at(29, 17), "breaks": [lunch]}
    window = {"window": "w", "closes_at": at(28, 21), "shifts": [night, day]}
    ok(admin.post("/api/schedules/windows", json=window))
    a0, a1 = app.login("a000"), app.login("a001")
    ok(a0.post("/api/schedules/mine/picks", json={"shift": "n1"}))
    ok(a1.post("/api/schedules/mine/picks", json={"shift": "d1"}))

    clock.set(at(28, 22, 20))
    ok(a0.post("/api/agent/sign-in", json={"ready": True}))
    clock.set(at(29, 7))
    a0 = app.login("a000")  # a session lasts 12 hours
    ok(a0.post("/api/agent/sign-out"))
    clock.set(at(29, 7, 30))
    night = {r["agent"]: r for r in ok(app.login("sup").get("/api/schedules/adherence"))}

    clock.set(at(29, 8, 58))
    a1 = app.login("a001")
    ok(a1.post("/api/agent/sign-in", json={"ready": True}))
    clock.set(at(29, 10))
    app.writer.execute(cmd.ReportConnectionLost(AgentId("a001")))  # as the presence does
    clock.set(at(29, 10, 40))
    app.writer.execute(cmd.ReportReconnected(AgentId("a001")))
    ok(a1.post("/api/agent/ready"))
    clock.set(at(29, 12))
    ok(a1.post("/api/agent/not-ready", json={"reason": "lunch"}))
    clock.set(at(29, 12, 50))
    ok(a1.post("/api/agent/ready"))
    clock.set(at(29, 16, 30))
    ok(a1.post("/api/agent/sign-out"))
    return night


def _wait_for_rows(sup: httpx.Client) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if figures(sup, group="agent").get("a001", {}).get("scheduled_s"):
            return
        time.sleep(0.05)
    raise AssertionError("the adherence rows were never written")


def _scopes(app: Served) -> None:
    mine = figures(app.login("a000"), group="agent")
    assert set(mine) == {"a000"}
    assert mine["a000"]["scheduled_s"] == 8 * HOUR
    # A supervisor of acme sees the agents who work for it; of the other client, none.
    acme = figures(app.login("sup-acme"), group="agent")
    assert (acme["a000"]["scheduled_s"], acme["a001"]["scheduled_s"]) == (8 * HOUR, 7.5 * HOUR)
    assert "a000" not in figures(app.login("sup-globex"), group="agent")
    # Adherence is the firm's own: a client company's viewer sees none of it.
    viewer = app.login("acme-viewer")
    assert all(
        f["adherence"] is None and f["scheduled_s"] is None for f in figures(viewer).values()
    )
    assert viewer.get("/api/reports/figures", params={"group": "agent"}).status_code == 403
    csv = app.login("sup").get(
        "/api/reports/export.csv",
        params={"start": "2026-03-28", "end": "2026-03-29", "group": "agent,day"},
    )
    assert csv.status_code == 200
    assert "# adherence (Adherence, ratio): In adherence over scheduled." in csv.text


def test_a_restart_in_a_shift_is_excused_and_the_rows_are_those_of_a_rebuild(
    store_url: str,
) -> None:
    clock = ManualClock(at(29, 7))
    first = serve_at(store_url, clock)
    try:
        admin = first.login("admin")
        ok(admin.put("/api/schedules/settings", json={"time_zone": "Europe/Paris"}))
        lunch = {"min_shift_h": 8, "length_min": 30, "paid": False, "reason": "lunch"}
        body = {"group": "help", "shift_lengths_h": [8], "breaks": [lunch]}
        ok(admin.put("/api/schedules/contracts/a001", json=body))
        planned = {"start": at(29, 12), "end": at(29, 12, 30), "paid": False, "reason": "lunch"}
        day = {"id": "d", "group": "help", "start": at(29, 9), "end": at(29, 17)}
        window = {"window": "w", "closes_at": at(29, 8), "shifts": [day | {"breaks": [planned]}]}
        ok(admin.post("/api/schedules/windows", json=window))
        a1 = first.login("a001")
        ok(a1.post("/api/schedules/mine/picks", json={"shift": "d"}))
        clock.set(at(29, 9))
        ok(a1.post("/api/agent/sign-in", json={"ready": True}))
        clock.set(at(29, 11))
        first.writer.execute(cmd.SignIn(AgentId("g000"), ready=False))  # the log's last word
    finally:
        first.stop()
    # Down from 11:00 to 11:20: the restart excuses a001 from 11:00 until ready at 11:25.
    clock.set(at(29, 11, 20))
    second = serve_at(store_url, clock, token=first.channel_token)
    try:
        a1 = second.login("a001")
        clock.set(at(29, 11, 25))
        second.writer.execute(cmd.ReportReconnected(AgentId("a001")))  # her page is back
        ok(a1.post("/api/agent/ready"))
        for when, path, payload in (
            (at(29, 12), "/api/agent/not-ready", {"reason": "lunch"}),
            (at(29, 12, 30), "/api/agent/ready", None),
            (at(29, 17), "/api/agent/sign-out", None),
        ):
            clock.set(when)
            ok(a1.post(path, json=payload))
        for minute, command in (
            (1, cmd.SignOut(AgentId("g000"))),
            (2, cmd.SignIn(AgentId("g000"))),
        ):
            clock.set(at(29, 17, minute))
            second.writer.execute(command)
        sup = second.login("sup")
        _wait_for_rows(sup)
        row = figures(sup, group="agent")["a001"]
        assert (row["scheduled_s"], row["adhering_s"]) == (7.5 * HOUR, 7.5 * HOUR)
        assert row["excused_s"] == 25 * MIN
        assert row["adherence"] == 1.0
    finally:
        second.stop()
    engine = create_store_engine(store_url)
    try:
        with engine.connect() as conn:
            live = read_models.adherence_days(conn)
        read_models.rebuild(engine, CODEC)
        with engine.connect() as conn:
            assert read_models.adherence_days(conn) == live
    finally:
        engine.dispose()
