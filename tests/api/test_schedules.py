"""Schedules over real HTTP: contracts, generated shifts, a window of open shifts, picks
(two agents after the last seat at once), live adherence and timesheets with their
corrections, on SQLite and PostgreSQL; and the scope of each role."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import httpx
import pytest

from hearthline.api.reminders import ShiftReminders
from hearthline.service.state import LiveState
from hearthline.wfm.domain import LiveSchedules
from hearthline.wfm.timeline import Mark
from hearthline.wfm.timesheet import timesheet
from tests.api.support import Served, receive, reopen, serve

HOUR = 3600.0


def now() -> float:
    return time.time()  # noqa: TID251 -- the served core runs on the wall clock


def contract(group: str = "help", **kw: object) -> dict[str, object]:
    return {"group": group, "shift_lengths_h": [8], "max_week_h": 40, **kw}


def publish(sup: httpx.Client, window: str, shifts: list[dict[str, object]]) -> None:
    r = sup.post(
        "/api/schedules/windows",
        json={"window": window, "closes_at": now() + HOUR, "shifts": shifts},
    )
    assert r.status_code == 200, r.text
    assert [e["type"] for e in r.json()["events"]] == ["ShiftsPublished"]


def eight(ident: str, start: float, group: str = "help") -> dict[str, object]:
    return {"id": ident, "group": group, "start": start, "end": start + 8 * HOUR}


def race(agents: list[httpx.Client], shift: str) -> list[httpx.Response]:
    """The agents pick ``shift`` at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(agents))
    answers: list[httpx.Response] = []

    def take(c: httpx.Client) -> None:
        barrier.wait()
        answers.append(c.post("/api/schedules/mine/picks", json={"shift": shift}))

    threads = [threading.Thread(target=take, args=(c,)) for c in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return answers


def test_two_agents_after_each_last_seat_get_one_winner_and_one_clear_refusal(
    served: Served,
) -> None:
    sup = served.login("sup")
    names = ("a000", "a001")
    for agent in names:
        assert sup.put(f"/api/schedules/contracts/{agent}", json=contract()).status_code == 200
    first = (now() // 86400 + 3) * 86400 + 9 * HOUR  # 09:00 UTC: within one week
    seats = [eight(f"seat-{d}", first + d * 86400) for d in range(5)]
    publish(sup, "w5", seats)
    agents = [served.login(a) for a in names]
    for seat in seats:
        answers = race(agents, str(seat["id"]))
        assert sorted(r.status_code for r in answers) == [200, 409]
        lost = next(r for r in answers if r.status_code == 409).json()
        assert lost["error"] == "taken"
        assert "has been taken by another agent" in lost["message"]
    window = sup.get("/api/schedules/windows/w5").json()
    assert window["unfilled"] == []
    assert all(s["holder"] in names for s in window["slots"])
    winner = agents[names.index(window["slots"][0]["holder"])]
    again = winner.post("/api/schedules/mine/picks", json={"shift": "seat-0"})
    assert again.status_code == 409
    assert "by you" in again.json()["message"]
    held = [
        s["id"]
        for a in agents
        for day in range(0, 10, 7)
        for s in a.get(
            "/api/schedules/mine/week",
            params={
                "week": dt.datetime.fromtimestamp(first + day * 86400, tz=dt.UTC).date().isoformat()
            },
        ).json()["shifts"]
    ]
    assert sorted(set(held)) == sorted(str(s["id"]) for s in seats)
    assert len(held) == len(set(held))


def test_picks_outside_the_contract_unknown_shifts_and_bad_input_are_refused(
    served_sqlite: Served,
) -> None:
    app = served_sqlite
    sup, admin, a0 = app.login("sup"), app.login("admin"), app.login("a000")
    no_contract = a0.post("/api/schedules/mine/picks", json={"shift": "nope"})
    assert no_contract.status_code == 404
    sat = dt.datetime(2027, 1, 2, 9, tzinfo=dt.UTC).timestamp()  # a Saturday
    weekdays = [{"weekday": d, "start_min": 0, "end_min": 1440} for d in range(5)]
    assert (
        sup.put("/api/schedules/contracts/a000", json=contract(windows=weekdays)).status_code == 200
    )
    publish(
        sup,
        "w2",
        [eight("sat", sat), {**eight("six", sat + 86400 * 2), "end": sat + 86400 * 2 + 6 * HOUR}],
    )
    r = a0.post("/api/schedules/mine/picks", json={"shift": "sat"})
    assert r.status_code == 409
    assert "outside the agent's available hours" in r.json()["message"]
    r = a0.post("/api/schedules/mine/picks", json={"shift": "six"})
    assert r.status_code == 409
    assert "contract allows 8 h" in r.json()["message"]
    bad = [
        sup.put("/api/schedules/contracts/a000", json=contract(min_week_h=50)),
        sup.put("/api/schedules/contracts/nobody", json=contract()),
        admin.put("/api/schedules/settings", json={"time_zone": "Mars/Olympus"}),
        sup.post(
            "/api/schedules/windows",
            json={"window": "w2", "closes_at": now() + 60, "shifts": [eight("x", sat)]},
        ),
        sup.post(
            "/api/schedules/windows",
            json={"window": "w3", "closes_at": now() - 60, "shifts": [eight("y", sat)]},
        ),
        sup.post(
            "/api/schedules/windows",
            json={
                "window": "w4",
                "closes_at": now() + 60,
                "shifts": [{**eight("z", sat), "end": sat - 1}],
            },
        ),
        sup.post(
            "/api/schedules/generate",
            json={"start": sat, "needs": [{"group": "help", "required": [1]}], "lengths_h": [4.25]},
        ),
        sup.get("/api/schedules/windows/none"),
    ]
    assert [r.status_code for r in bad] == [422, 404, 422, 422, 422, 422, 422, 404]
    for r in bad:
        assert r.json()["message"]
    # Nothing refused was stored: the contract and the window are as they were.
    held = sup.get("/api/schedules/contracts").json()
    assert [(c["agent"], c["min_week_h"]) for c in held] == [("a000", 0.0)]
    assert [w["id"] for w in sup.get("/api/schedules/windows").json()] == ["w2"]


def test_generated_shifts_cover_the_need_and_publish_for_picking(served_sqlite: Served) -> None:
    sup = served_sqlite.login("sup")
    for agent in ("a000", "a001", "a002"):
        body = contract(
            shift_lengths_h=[4, 8],
            breaks=[{"min_shift_h": 6, "length_min": 30, "paid": False, "reason": "lunch"}],
        )
        assert sup.put(f"/api/schedules/contracts/{agent}", json=body).status_code == 200
    start = dt.datetime(2027, 1, 4, 8, tzinfo=dt.UTC).timestamp()
    required = [1, 2, 2, 2, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1]
    r = sup.post(
        "/api/schedules/generate",
        json={
            "start": start,
            "needs": [{"group": "help", "required": required}],
            "lengths_h": [4, 8],
            "breaks": [{"min_shift_h": 6, "length_min": 30, "paid": False, "reason": "lunch"}],
        },
    )
    assert r.status_code == 200, r.text
    out = r.json()
    group = out["groups"][0]
    assert group["status"] == "Optimal"
    assert out["under_cover"] == group["under_cover"] >= out["lp_under_cover"]
    # The solver's own bound lies between the LP's and the schedule's under-cover.
    assert out["lp_under_cover"] <= group["mip_bound"] == out["mip_bound"] <= out["under_cover"]
    assert all(c >= 0 for c in group["cover"]) and len(group["cover"]) == len(required)
    # Three agents at most one shift a day: the cover never needs more shifts than that.
    assert 1 <= len(out["shifts"]) <= 3
    proposed = [ident for held in out["proposal"].values() for ident in held]
    assert sorted(proposed + out["unassigned"]) == sorted(s["id"] for s in out["shifts"])
    publish(sup, "gen", out["shifts"])
    picked = served_sqlite.login("a000").post(
        "/api/schedules/mine/picks", json={"shift": out["shifts"][0]["id"]}
    )
    assert picked.status_code == 200, picked.text


def test_adherence_is_live_and_a_timesheet_correction_is_audited(served: Served) -> None:
    app = served
    sup, admin = app.login("sup"), app.login("admin")
    a0, a1 = app.login("a000"), app.login("a001")
    for agent in ("a000", "a001"):
        assert sup.put(f"/api/schedules/contracts/{agent}", json=contract()).status_code == 200
    began = now() - 10 * 60
    publish(sup, "today", [eight("s-a0", began), eight("s-a1", began)])
    assert a0.post("/api/schedules/mine/picks", json={"shift": "s-a0"}).status_code == 200
    assert a1.post("/api/schedules/mine/picks", json={"shift": "s-a1"}).status_code == 200
    assert a0.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
    rows = {r["agent"]: r for r in sup.get("/api/schedules/adherence").json()}
    assert rows["a000"]["status"] == "adhering" and not rows["a000"]["alert"]
    assert rows["a000"]["late_s"] > 9 * 60  # signed in ten minutes into the shift
    assert rows["a001"]["status"] == "late" and rows["a001"]["alert"]
    assert rows["a002"]["status"] == "off"
    # A supervisor of the other client company sees none of acme's agents.
    assert [r["agent"] for r in app.login("sup-globex").get("/api/schedules/adherence").json()] == [
        "g000"
    ]

    assert a0.post("/api/agent/not-ready", json={"reason": "lunch"}).status_code == 200
    assert a0.post("/api/agent/sign-out").status_code == 200
    today = dt.datetime.fromtimestamp(now(), tz=dt.UTC).date()
    sheet = a0.get("/api/schedules/mine/timesheet", params={"day": today.isoformat()}).json()
    assert 0 < sheet["on_clock_s"] < 60
    assert set(sheet["breaks_s"]) == {"lunch"}
    assert sheet["paid_s"] == sheet["on_clock_s"] - sheet["unpaid_s"]
    # Up to an hour of today that is over already (the day's own time counts up to now):
    # less when the test runs soon after midnight UTC.
    day_start = dt.datetime.combine(today, dt.time(0), tzinfo=dt.UTC).timestamp()
    start = max(day_start, now() - 2 * HOUR)
    end = min(start + HOUR, now() - 30)
    fixed = sup.post(
        "/api/schedules/timesheets/a000/corrections",
        json={
            "day": today.isoformat(),
            "start": start,
            "end": end,
            "state": "working",
            "reason": "signed in on paper",
        },
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["on_clock_s"] > end - start
    assert fixed.json()["corrections"][0]["by"] == "sup"
    audit = admin.get("/api/admin/audit").json()
    assert any(a["action"] == "timesheet.correct" and a["target"].startswith("a000") for a in audit)
    assert any(a["action"] == "contract.put" for a in audit)
    outside = sup.post(
        "/api/schedules/timesheets/a000/corrections",
        json={
            "day": today.isoformat(),
            "start": start - 86400,
            "end": start,
            "state": "working",
            "reason": "x",
        },
    )
    assert outside.status_code == 422
    assert (
        app.login("sup-globex")
        .post(
            "/api/schedules/timesheets/a000/corrections",
            json={
                "day": today.isoformat(),
                "start": start,
                "end": start + 60,
                "state": "working",
                "reason": "x",
            },
        )
        .status_code
        == 404
    )
    assert (
        len(
            sup.get(
                "/api/schedules/timesheets", params={"day": today.isoformat(), "agent": "a000"}
            ).json()[0]["corrections"]
        )
        == 1
    )


def test_picks_adherence_and_timesheets_are_the_same_after_a_restart(sqlite_url: str) -> None:
    first = serve(sqlite_url)
    try:
        sup, a0 = first.login("sup"), first.login("a000")
        assert sup.put("/api/schedules/contracts/a000", json=contract()).status_code == 200
        began = now() - 10 * 60
        publish(sup, "before", [eight("kept", began)])
        assert a0.post("/api/schedules/mine/picks", json={"shift": "kept"}).status_code == 200
        assert a0.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
        assert a0.post("/api/agent/not-ready", json={"reason": "break"}).status_code == 200
        before = _live_marks(first)
    finally:
        first.stop()
    second = reopen(sqlite_url, first.channel_token)
    try:
        after = _live_marks(second)
        # The log up to the restart reads the same; the restart adds its excused mark.
        assert after[: len(before)] == before
        assert after[-1].excused
        assert after[-1].reason == "system-restart"
        sup = second.login("sup")
        rows = {r["agent"]: r for r in sup.get("/api/schedules/adherence").json()}
        assert rows["a000"]["status"] == "excused"
        assert rows["a000"]["shift"] == "kept"
        # The timesheet read from the log agrees with the live projection.
        day = dt.datetime.fromtimestamp(now(), tz=dt.UTC).date()
        sheet = sup.get(
            "/api/schedules/timesheets", params={"day": day.isoformat(), "agent": "a000"}
        )
        live = timesheet("a000", after, day, tz=ZoneInfo("UTC"), until=now())
        got = sheet.json()[0]
        assert got["on_clock_s"] == pytest.approx(live.on_clock_s, abs=5)
        assert got["system_s"] == pytest.approx(live.system_s, abs=5)
        assert got["breaks_s"] == pytest.approx(live.breaks_s, abs=1e-6)
    finally:
        second.stop()


def _live_marks(app: Served) -> list[Mark]:
    def read(state: LiveState) -> list[Mark]:
        return list(state.part(LiveSchedules).board.timelines.marks.get("a000", []))

    return app.writer.query(read)


def test_a_shift_reminder_is_pushed_once_to_its_agent_only(served: Served) -> None:
    sup, a0, a1 = served.login("sup"), served.login("a000"), served.login("a001")
    for agent in ("a000", "a001"):
        assert sup.put(f"/api/schedules/contracts/{agent}", json=contract()).status_code == 200
    soon, later = now() + 5 * 60, now() + 3 * HOUR  # the default reminder: 15 minutes
    publish(sup, "next", [eight("s-soon", soon), eight("s-later", later)])
    picked = a0.post("/api/schedules/mine/picks", json={"shift": "s-soon"})
    assert picked.status_code == 200, picked.text
    assert a1.post("/api/schedules/mine/picks", json={"shift": "s-later"}).status_code == 200
    ctx = served.app.state.app_context
    reminders = ShiftReminders(ctx)

    def tick() -> int:
        assert ctx.hub.loop is not None
        return asyncio.run_coroutine_threadsafe(reminders.tick(), ctx.hub.loop).result(10)

    with served.stream(a0) as mine, served.stream(a1) as theirs:
        receive(mine)
        receive(theirs)
        assert tick() == 1
        message = receive(mine)
        while message.get("type") != "shift-reminder":
            message = receive(mine)
        assert message["shift"]["id"] == "s-soon" and message["shift"]["start"] == soon
        assert message["time_zone"] == "UTC"
        assert tick() == 0  # once

        def drain_theirs() -> None:  # a001's shift is hours away: nothing for them
            while True:
                assert receive(theirs, 1.0).get("type") != "shift-reminder"

        with pytest.raises(TimeoutError):
            drain_theirs()
