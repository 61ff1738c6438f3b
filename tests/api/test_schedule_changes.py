"""Changes after picking over real HTTP, on SQLite and PostgreSQL: trades, shifts given
back, time off with its cover impact, sick call-ins, the firm's rules, the audit, each
client company's scope, and two changes after one seat at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx

from tests.api.support import PASSWORD, Served
from tests.api.test_schedules import HOUR, contract, eight, now

Call = Callable[[httpx.Client], httpx.Response]


def publish(sup: httpx.Client, window: str, shifts: list[dict[str, object]], **kw: object) -> None:
    body = {"window": window, "closes_at": now() + HOUR, "shifts": shifts, **kw}
    r = sup.post("/api/schedules/windows", json=body)
    assert r.status_code == 200, r.text


def setup(app: Served, approval: str, *agents: str) -> httpx.Client:
    admin = app.login("admin")
    rules = {"approval": approval, "reminder_minutes": 10}
    r = admin.put("/api/schedules/rules", json=rules)
    assert r.status_code == 200, r.text
    for a in agents:
        assert admin.put(f"/api/schedules/contracts/{a}", json=contract()).status_code == 200
    # The seeded store has accounts for a000 and a001 only.
    made = admin.post(
        "/api/admin/users",
        json={"username": "a002", "password": PASSWORD, "role": "agent", "agent_id": "a002"},
    )
    assert made.status_code in (200, 201), made.text
    return admin


def holders(sup: httpx.Client, window: str) -> dict[str, str | None]:
    w = sup.get(f"/api/schedules/windows/{window}").json()
    return {s["shift"]["id"]: s["holder"] for s in w["slots"]}


def at_once(calls: list[tuple[httpx.Client, Call]]) -> list[httpx.Response]:
    """Each call on its own connection and thread, released together."""
    barrier = threading.Barrier(len(calls))
    answers: list[httpx.Response] = []

    def go(c: httpx.Client, call: Call) -> None:
        barrier.wait()
        answers.append(call(c))

    threads = [threading.Thread(target=go, args=pair) for pair in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return answers


def test_a_swap_a_give_back_and_time_off_go_through_the_rules_with_their_audit(
    served: Served,
) -> None:
    app = served
    admin = setup(app, "cover", "a000", "a001", "a002")
    sup = app.login("sup")
    a0, a1, a2 = app.login("a000"), app.login("a001"), app.login("a002")
    day = (now() // 86400 + 3) * 86400
    need = {"group": "help", "start": day, "interval_minutes": 30, "required": [2] * 48}
    shifts = [eight("m1", day + 8 * HOUR), eight("m2", day + 86400 + 8 * HOUR)]
    shifts.append(eight("m3", day + 2 * 86400 + 8 * HOUR))
    publish(admin, "cw", shifts, needs=[need])
    for c, s in ((a0, "m1"), (a1, "m2"), (a1, "m3")):
        assert c.post("/api/schedules/mine/picks", json={"shift": s}).status_code == 200

    # A swap leaves the cover as it was: under the cover rule it is made on acceptance.
    offer = a0.post(
        "/api/schedules/mine/trades",
        json={"shift": "m1", "partner": "a001", "partner_shift": "m2"},
    )
    assert offer.status_code == 200, offer.text
    trade = offer.json()["change"]
    assert offer.json()["status"] == "proposed"
    assert [c["id"] for c in a1.get("/api/schedules/mine/changes").json()] == [trade]
    done = a1.post(f"/api/schedules/mine/trades/{trade}/answer", json={"accept": True})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done"
    assert [e["type"] for e in done.json()["events"]] == ["ChangeAnswered", "ShiftsMoved"]
    assert holders(admin, "cw") == {"m1": "a001", "m2": "a000", "m3": "a001"}

    # Giving a shift back takes it out of the cover: it waits for a supervisor, who sees
    # the intervals it leaves short against the plan published with the shifts.
    back = a0.post("/api/schedules/mine/give-backs", json={"shift": "m2"})
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "pending"
    waiting = sup.get("/api/schedules/changes", params={"status": "pending"}).json()
    assert [c["id"] for c in waiting] == [back.json()["change"]]
    impact = waiting[0]["impact"][0]
    assert impact["group"] == "help"
    assert impact["interval_minutes"] == 30
    assert impact["scheduled"][0] == 1.0
    assert impact["without"][0] == 0.0
    assert impact["required"][0] is None  # m2 is on day 2; the plan covered day 1 only

    # A supervisor of the other client company neither sees nor decides acme's changes.
    globex = app.login("sup-globex")
    assert globex.get("/api/schedules/changes").json() == []
    ident = back.json()["change"]
    refused = globex.post(f"/api/schedules/changes/{ident}/decision", json={"approve": True})
    assert refused.status_code == 404
    assert globex.get("/api/schedules/gaps").json() == []

    ok = sup.post(f"/api/schedules/changes/{ident}/decision", json={"approve": True})
    assert ok.status_code == 200, ok.text
    assert [(g["shift"]["id"], g["why"]) for g in admin.get("/api/schedules/gaps").json()] == [
        ("m2", "give-back")
    ]
    assert a2.post("/api/schedules/mine/picks", json={"shift": "m2"}).status_code == 200
    assert admin.get("/api/schedules/gaps").json() == []

    # Time off on the day of m1 shows the plan's requirement beside the cover it costs.
    off = a1.post(
        "/api/schedules/mine/time-off",
        json={"start": day, "end": day + 86400, "reason": "moving house"},
    )
    assert off.status_code == 200, off.text
    seen = sup.get(f"/api/schedules/changes/{off.json()['change']}").json()
    assert seen["kind"] == "time-off"
    assert seen["status"] == "pending"
    assert seen["impact"][0]["required"][0] == 2
    assert seen["impact"][0]["scheduled"][0] == 1.0
    assert seen["impact"][0]["without"][0] == 0.0
    no = sup.post(
        f"/api/schedules/changes/{off.json()['change']}/decision",
        json={"approve": False, "note": "peak day"},
    )
    assert no.status_code == 200
    again = sup.post(
        f"/api/schedules/changes/{off.json()['change']}/decision", json={"approve": True}
    )
    assert again.status_code == 409
    assert "refused, not pending" in again.json()["message"]
    assert holders(admin, "cw")["m1"] == "a001"

    actions = {a["action"] for a in admin.get("/api/admin/audit").json()}
    assert {
        "schedules.rules",
        "schedule.trade.propose",
        "schedule.trade.answer",
        "schedule.give-back",
        "schedule.change.decide",
        "schedule.time-off",
    } <= actions


def test_a_sick_call_in_opens_a_gap_and_is_excused_in_adherence(served: Served) -> None:
    app = served
    admin = setup(app, "never", "a000")
    a0 = app.login("a000")
    began = now() - 10 * 60
    publish(admin, "sick", [eight("s-now", began)])
    assert a0.post("/api/schedules/mine/picks", json={"shift": "s-now"}).status_code == 200
    sup = app.login("sup")
    rows = {r["agent"]: r for r in sup.get("/api/schedules/adherence").json()}
    assert rows["a000"]["status"] == "late"
    r = a0.post("/api/schedules/mine/sick", json={"shift": "s-now", "note": "fever"})
    assert r.status_code == 200, r.text
    rows = {r["agent"]: r for r in sup.get("/api/schedules/adherence").json()}
    assert (rows["a000"]["status"], rows["a000"]["alert"]) == ("excused", False)
    assert [(g["shift"]["id"], g["why"]) for g in admin.get("/api/schedules/gaps").json()] == [
        ("s-now", "sick")
    ]
    twice = a0.post("/api/schedules/mine/sick", json={"shift": "s-now"})
    assert twice.status_code == 409
    assert "do not hold" in twice.json()["message"]


def test_bad_change_requests_are_refused_with_the_reason_and_change_nothing(
    served: Served,
) -> None:
    app = served
    admin = setup(app, "never", "a000", "a001")
    a0 = app.login("a000")
    publish(admin, "bad", [eight("b1", now() + 3 * 86400)])
    assert a0.post("/api/schedules/mine/picks", json={"shift": "b1"}).status_code == 200
    cases = [
        ("/api/schedules/mine/trades", {"shift": "b1", "partner": "a000"}, 422, "another agent"),
        ("/api/schedules/mine/trades", {"shift": "zz", "partner": "a001"}, 409, "does not hold"),
        ("/api/schedules/mine/trades", {"shift": "b1", "partner": "g000"}, 409, "no contract"),
        ("/api/schedules/mine/trades", {"shift": "b1", "partner": "../x"}, 422, "partner"),
        ("/api/schedules/mine/give-backs", {"shift": "b1", "extra": 1}, 422, "extra"),
        ("/api/schedules/mine/time-off", {"start": now() + 10, "end": now()}, 422, "later end"),
        ("/api/schedules/mine/time-off", {"start": now() - 90, "end": now() - 10}, 422, "future"),
        ("/api/schedules/mine/changes/nope/withdraw", {}, 404, "no change"),
        ("/api/schedules/mine/trades/nope/answer", {"accept": True}, 404, "no trade"),
    ]
    for path, body, status, says in cases:
        r = a0.post(path, json=body)
        assert r.status_code == status, (path, body, r.text)
        assert says in r.json()["message"], (path, r.json())
    bad_rules = admin.put("/api/schedules/rules", json={"approval": "sometimes"})
    assert bad_rules.status_code == 422
    assert admin.get("/api/schedules/rules").json()["approval"] == "never"
    assert holders(admin, "bad") == {"b1": "a000"}
    assert admin.get("/api/schedules/changes").json() == []


def test_two_changes_after_one_seat_at_once_get_one_winner_and_one_clear_refusal(
    served: Served,
) -> None:
    app = served
    admin = setup(app, "never", "a000", "a001", "a002")
    a0, a1, a2 = app.login("a000"), app.login("a001"), app.login("a002")
    first = now() + 3 * 86400
    seats = [eight(f"t{d}", first + d * 86400) for d in range(3)]
    publish(admin, "race", seats)
    for s in seats:
        assert a0.post("/api/schedules/mine/picks", json={"shift": s["id"]}).status_code == 200

    def accept(ident: str) -> Call:
        return lambda c: c.post(f"/api/schedules/mine/trades/{ident}/answer", json={"accept": True})

    # The same seat offered to two agents, who both accept at once.
    for seat in ("t0", "t1"):
        offers = [
            a0.post("/api/schedules/mine/trades", json={"shift": seat, "partner": p}).json()
            for p in ("a001", "a002")
        ]
        answers = at_once([(a1, accept(offers[0]["change"])), (a2, accept(offers[1]["change"]))])
        assert sorted(r.status_code for r in answers) == [200, 409]
        lost = next(r for r in answers if r.status_code == 409).json()
        assert lost["error"] == "refused"
        assert f"'a000' does not hold shift '{seat}'" in lost["message"]
        assert holders(admin, "race")[seat] in ("a001", "a002")

    # A trade accepted while the holder gives the seat back: one or the other.
    offer = a0.post("/api/schedules/mine/trades", json={"shift": "t2", "partner": "a001"}).json()
    answers = at_once(
        [
            (a1, accept(offer["change"])),
            (a0, lambda c: c.post("/api/schedules/mine/give-backs", json={"shift": "t2"})),
        ]
    )
    assert sorted(r.status_code for r in answers) == [200, 409]
    assert "does not hold shift 't2'" in next(r for r in answers if r.status_code == 409).text
    gaps = [g["shift"]["id"] for g in admin.get("/api/schedules/gaps").json()]
    assert (holders(admin, "race")["t2"] == "a001") == (gaps == [])


def test_by_seniority_the_junior_agent_waits_for_their_turn(served: Served) -> None:
    app = served
    admin = setup(app, "never")
    rules = {"approval": "never", "pick_order": "seniority", "turn_minutes": 30}
    assert admin.put("/api/schedules/rules", json=rules).json()["pick_order"] == "seniority"
    for agent, years in (("a000", 1), ("a001", 6)):
        body = contract(seniority=years)
        assert admin.put(f"/api/schedules/contracts/{agent}", json=body).status_code == 200
    publish(admin, "senior", [eight("q1", now() + 3 * 86400), eight("q2", now() + 4 * 86400)])
    junior = app.login("a000").post("/api/schedules/mine/picks", json={"shift": "q1"})
    assert junior.status_code == 409
    assert junior.json()["error"] == "not-your-turn"
    assert "seniority order" in junior.json()["message"]
    assert (
        app.login("a001").post("/api/schedules/mine/picks", json={"shift": "q1"}).status_code == 200
    )


def test_the_twin_runs_a_schedule_before_it_is_published_and_a_window_after(
    served_sqlite: Served,
) -> None:
    app = served_sqlite
    admin = setup(app, "never", "a000", "a001")
    sup = app.login("sup")
    day = (now() // 86400 + 3) * 86400
    shifts = [eight(f"tw{i}", day + 8 * HOUR) for i in range(4)]
    demand = {"group": "help", "start": day + 8 * HOUR, "calls": [30] * 16, "aht_s": 240}
    body = {"shifts": shifts, "assigned": {"a000": ["tw0"], "a001": ["tw1"]}, "demand": [demand]}
    r = sup.post("/api/schedules/twin", json=body)
    assert r.status_code == 200, r.text
    four = r.json()
    assert (four["agents"], four["unnamed"]) == (4, 2)
    (group,) = four["groups"]
    assert group["interval_minutes"] == 30
    assert len(group["service_level"]) == 16
    assert group["agents"][0] == 4.0
    assert 0 < group["day_service_level"] <= 1

    # The same shifts published, two of them picked: the window runs with its holders
    # (the two left open by stand-ins), and gives the same agents.
    publish(admin, "tw", shifts)
    for c, s in ((app.login("a000"), "tw0"), (app.login("a001"), "tw1")):
        assert c.post("/api/schedules/mine/picks", json={"shift": s}).status_code == 200
    window = sup.post("/api/schedules/twin", json={"window": "tw", "demand": [demand], "runs": 1})
    assert window.status_code == 200, window.text
    assert (window.json()["agents"], window.json()["unnamed"]) == (4, 2)
    # Half the agents on the same calls serve them worse.
    half = {"shifts": shifts[:2], "demand": [demand]}
    fewer = sup.post("/api/schedules/twin", json=half).json()["groups"][0]
    assert fewer["day_service_level"] < group["day_service_level"]

    for bad, says in (
        ({"demand": [demand]}, "give shifts"),
        ({**body, "window": "tw"}, "give shifts"),
        ({"shifts": shifts, "assigned": {"a000": ["nope"]}, "demand": [demand]}, "not given"),
        ({"shifts": shifts, "demand": [demand, demand]}, "once"),
        ({"window": "nope", "demand": [demand]}, "no window"),
        ({"shifts": shifts, "demand": [{**demand, "calls": [10_000] * 672}]}, "at most"),
    ):
        r = sup.post("/api/schedules/twin", json=bad)
        assert r.status_code in (404, 422), r.text
        assert says in r.json()["message"]
    outsider = app.login("sup-globex").post(
        "/api/schedules/twin", json={"window": "tw", "demand": [demand]}
    )
    assert outsider.status_code == 404
