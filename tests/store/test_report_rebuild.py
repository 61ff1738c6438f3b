"""The report tables kept live by the writer equal those rebuilt from the log alone:
repeat contacts, outcomes and imported history included, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert

from hearthline.crm.commands import FinishNote
from hearthline.demo.sample import CAMPAIGN, QUEUE, agent_id
from hearthline.kernel.clock import ManualClock
from hearthline.kernel.ids import ContactId
from hearthline.reports.imported import CallImported, RecordCalls
from hearthline.reports.periods import Span
from hearthline.routing import commands as cmd
from hearthline.service.domains import CODEC
from hearthline.service.writer import Writer
from hearthline.store import menu_stats, read_models, report_days
from hearthline.store import tables as t
from hearthline.store.codec import dump_value
from hearthline.store.queries.reports import ReportScope, report
from hearthline.store.report_days import DayZone
from hearthline.voice.commands import AnswerCall, EndCall, RecordMenuVisit
from hearthline.wfm.adherence import Grace

A0 = agent_id(0)
OUTCOMES = ("return-processed", "prevented-exchange", "prevented-resale")


def _day_of_calls(writer: Writer, clock: ManualClock) -> None:
    writer.execute(cmd.SignIn(A0, ready=True))
    for i in range(9):
        k = ContactId(f"k{i}")
        writer.execute(cmd.ArriveContact(k, caller=f"+1{i % 3}", queue=QUEUE))
        clock.advance(4 + i)
        writer.execute(cmd.AcceptOffer(A0, k))
        clock.advance(120)
        writer.execute(cmd.EndContact(A0, k))
        writer.execute(FinishNote(k, A0, OUTCOMES[i % 3], fields=(("order_number", "o"),)))
        writer.execute(cmd.MakeReady(A0))
        clock.advance(500)
    gone = ContactId("gone")
    writer.execute(cmd.MakeNotReady(A0, "lunch"))
    writer.execute(cmd.ArriveContact(gone, caller="+19", queue=QUEUE))
    clock.advance(2)
    writer.execute(cmd.CallerHangUp(gone))
    past = clock.now() - 86400
    writer.execute(
        RecordCalls(
            tuple(
                CallImported(
                    past + 60 * i,
                    f"h{i}",
                    "acme",
                    CAMPAIGN,
                    QUEUE,
                    "+10",
                    "answered",
                    9.0,
                    talk_s=90.0,
                )
                for i in range(5)
            )
        )
    )


def _menu_walks(writer: Writer, clock: ManualClock) -> None:
    """Callers in two menus over three hours, so the live rows are pruned between them:
    walks across interval boundaries and snapshots, one (m3) in the menu for two hours
    (its first row must stay whole), one (m5) still there when the writer stops."""
    for n in range(6):
        call = f"m{n}"
        writer.execute(AnswerCall(call, f"km{n}", "acme", "+15550200" if n % 3 else "+15550300"))
        entered = clock.now()
        clock.advance(3 + n)
        writer.execute(RecordMenuVisit(call, "main", entered, f"option:{n % 2 + 1}", n % 2))
        for step in range(n % 3):  # deeper nodes, some of them across an interval boundary
            entered = clock.now()
            clock.advance(400 * step + 7)
            how = ("hangup", "zero-out")[step] if step == n % 3 - 1 else "option:1"
            writer.execute(RecordMenuVisit(call, f"n{step}", entered, how, invalids=step))
        if n not in (3, 5):
            writer.execute(EndCall(call, "caller"))
        clock.advance(1500)
    entered = clock.now()
    clock.advance(20)
    writer.execute(RecordMenuVisit("m3", "n0", entered, "hangup"))
    writer.execute(EndCall("m3", "caller"))


def _tables(engine: Engine) -> tuple[object, ...]:
    with engine.connect() as conn:
        return (
            read_models.queue_stats(conn),
            read_models.agent_stats(conn),
            read_models.outcome_stats(conn),
            read_models.hour_stats(conn),
            report_days.day_stats(conn),
            report_days.stored_zone(conn),
            menu_stats.menu_stats(conn),
        )


def _paris(engine: Engine) -> None:
    """The firm's zone, as the schedules' settings hold it when the center first starts."""
    row = {
        "id": 1,
        "time_zone": "Europe/Paris",
        "grace": dump_value(Grace, Grace()),
        "updated_at": 0,
    }
    with engine.begin() as conn:
        conn.execute(insert(t.schedule_settings), [row])


def test_live_report_tables_equal_a_rebuild_from_the_log(seeded: Engine) -> None:
    _paris(seeded)
    start = dt.datetime(2026, 3, 29, 0, 0, tzinfo=ZoneInfo("Europe/Paris")).timestamp()
    clock = ManualClock(start + 6 * 3600)
    writer = Writer(
        engine=seeded, clock=clock, rng=random.Random(1), snapshot_every=7, read_model_every_s=0
    )
    writer.start()
    _day_of_calls(writer, clock)
    _menu_walks(writer, clock)
    writer.stop()
    live = _tables(seeded)
    queues, _, outcomes, hours, days, zone, menus = live
    assert isinstance(menus, list)
    assert sum(r["calls"] for r in menus) == 6 and sum(r["visits"] for r in menus) == 13
    assert sum(r["hangups"] for r in menus) == 3 and sum(r["zero_outs"] for r in menus) == 2
    m3 = [r for r in menus if r["number"] == "+15550300" and r["exits"] == {"option:2": 1}]
    assert [r["call_s"] for r in m3] == [6 + 20]  # its two nodes, hours apart
    assert zone == DayZone("Europe/Paris", 0.0, 900.0)
    assert isinstance(days, list) and all(days)
    assert isinstance(queues, list) and isinstance(outcomes, list)
    # Each caller's first two of three calls; the history, brought in after them, counts none.
    assert sum(r["repeated"] for r in queues) == 6
    assert sum(r["abandoned_short"] for r in queues) == 1
    assert sum(r["offered"] for r in queues) == 15
    assert [(r["outcomes"], r["sales"], r["saves"]) for r in outcomes if r["outcomes"]] != []
    assert sum(r["saves"] for r in outcomes) == 6 and sum(r["sales"] for r in outcomes) == 3

    read_models.rebuild(seeded, CODEC)
    menu_stats.rebuild(seeded, CODEC)
    assert _tables(seeded) == live

    paris = ZoneInfo("Europe/Paris")
    days = Span.of(dt.date(2026, 3, 28), dt.date(2026, 3, 29), paris)
    rows = report(seeded, span=days, by=["day"], scope=ReportScope(clients=None, agents=None))
    by_day = {r.key["day"]: r.figures for r in rows}
    assert by_day["2026-03-28"]["offered"] == 5 and by_day["2026-03-28"]["handle_s"] == 90.0
    assert by_day["2026-03-29"]["offered"] == 10 and by_day["2026-03-29"]["outcomes"] == 9
    assert by_day["2026-03-29"]["save_rate"] == 6 / 9
    assert by_day["2026-03-29"]["occupancy"] is not None
    # Days are read from the hour tables, intervals from the interval tables: they agree.
    assert isinstance(hours, list) and all(hours)
    by_interval = report(seeded, span=days, by=["interval"], scope=ReportScope(None, None))
    for name in ("offered", "answered", "abandoned", "repeats", "outcomes", "saves"):
        assert sum(r.figures[name] or 0 for r in by_interval) == sum(
            f[name] for f in by_day.values()
        ), name
    busy = sum((r.figures["occupancy"] or 0) > 0 for r in by_interval)
    assert busy > 1
