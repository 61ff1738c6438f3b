"""The day tables give the figures the hours and intervals give, over the days the clocks
change, when a repeat contact or history changes a past day, and when the firm's zone
changes: on SQLite and PostgreSQL, and for any contacts (Hypothesis)."""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert

from hearthline.crm.commands import FinishNote
from hearthline.demo.sample import CAMPAIGN, CLIENT, QUEUE, agent_id
from hearthline.kernel.clock import ManualClock
from hearthline.kernel.ids import ContactId
from hearthline.reports.domain import LiveReports
from hearthline.reports.imported import CallImported, RecordCalls
from hearthline.reports.periods import Span
from hearthline.reports.stats import StatsProjection
from hearthline.routing import commands as cmd
from hearthline.service.domains import CODEC
from hearthline.service.writer import Writer
from hearthline.store import read_models, report_days
from hearthline.store import tables as t
from hearthline.store.codec import dump_value
from hearthline.store.queries.reports import ReportRow, ReportScope, report
from hearthline.wfm.adherence import Grace
from hearthline.wfm.events import SchedulingConfigured

PARIS = ZoneInfo("Europe/Paris")
EVERYONE = ReportScope(clients=None, agents=None)
GROUPINGS: tuple[tuple[str, ...], ...] = (
    (),
    ("day",),
    ("agent",),
    ("client",),
    ("campaign",),
    ("queue",),
    ("agent", "day"),
    ("campaign", "day"),
)
STATS_TABLES = (
    t.queue_interval_stats,
    t.agent_interval_stats,
    t.agent_outcome_stats,
    t.agent_not_ready_stats,
    t.queue_hour_stats,
    t.agent_hour_stats,
    t.agent_outcome_hour_stats,
    t.queue_day_stats,
    t.agent_day_stats,
    t.agent_outcome_day_stats,
    t.report_day_zone,
    t.read_model_checkpoints,
)


def _paris(engine: Engine) -> None:
    row = {
        "id": 1,
        "time_zone": "Europe/Paris",
        "grace": dump_value(Grace, Grace()),
        "updated_at": 0,
    }
    with engine.begin() as conn:
        conn.execute(insert(t.schedule_settings), [row])


def _reports(engine: Engine, span: Span) -> dict[tuple[str, ...], list[ReportRow]]:
    return {by: report(engine, span=span, by=by, scope=EVERYONE) for by in GROUPINGS}


def _without_days(engine: Engine, span: Span) -> dict[tuple[str, ...], list[ReportRow]]:
    """The same reports read from the hours and intervals alone."""
    with engine.begin() as conn:
        conn.execute(delete(t.report_day_zone))
    return _reports(engine, span)


def _same(got: Sequence[ReportRow], want: Sequence[ReportRow]) -> None:
    assert [r.key for r in got] == [r.key for r in want]
    for a, b in zip(got, want, strict=True):
        for name, value in b.figures.items():
            other = a.figures[name]
            if value is None or other is None:
                assert other == value, (a.key, name)
            else:
                assert math.isclose(other, value, rel_tol=1e-9, abs_tol=1e-9), (a.key, name)


def _call(writer: Writer, clock: ManualClock, k: str, caller: str, i: int) -> None:
    a = agent_id(i % 2)
    writer.execute(cmd.ArriveContact(ContactId(k), caller=caller, queue=QUEUE))
    clock.advance(3 + i % 7)
    writer.execute(cmd.AcceptOffer(a, ContactId(k)))
    clock.advance(200 + 10 * i)
    writer.execute(cmd.EndContact(a, ContactId(k)))
    writer.execute(FinishNote(ContactId(k), a, "return-processed", fields=(("order_number", "o"),)))
    writer.execute(cmd.MakeReady(a))


def test_days_across_the_change_of_the_clocks_equal_the_hours(seeded: Engine) -> None:
    _paris(seeded)
    first = dt.datetime(2026, 3, 27, 21, 0, tzinfo=PARIS).timestamp()
    clock = ManualClock(first)
    writer = Writer(
        engine=seeded, clock=clock, rng=random.Random(3), snapshot_every=25, read_model_every_s=0
    )
    writer.start()
    for a in (agent_id(0), agent_id(1)):
        writer.execute(cmd.SignIn(a, ready=True))
    # Calls every 110 minutes for three days, across midnights and the night the clocks
    # go forward; three callers, so repeats land on the day before.
    for i in range(40):
        _call(writer, clock, f"k{i}", f"+3{i % 3}", i)
        clock.set(first + 6600 * (i + 1))
    # History brought in for the first day, after the rest.
    writer.execute(
        RecordCalls(
            tuple(
                CallImported(
                    first + 1800 + 60 * i,
                    f"h{i}",
                    CLIENT,
                    CAMPAIGN,
                    QUEUE,
                    "+39",
                    "answered",
                    9.0,
                    agent=agent_id(0),
                    talk_s=90.0,
                    disposition="x",
                    sale=True,
                )
                for i in range(4)
            )
        )
    )
    writer.stop()
    span = Span.of(dt.date(2026, 3, 27), dt.date(2026, 3, 30), PARIS)
    with seeded.connect() as conn:
        zone = report_days.stored_zone(conn)
        days = report_days.day_stats(conn)
    assert zone is not None and (zone.time_zone, zone.since) == ("Europe/Paris", 0.0)
    # The 29th is 23 hours long: its day row starts at its local midnight.
    starts = {r["interval_start"] for r in days[0]}
    assert dt.datetime(2026, 3, 29, tzinfo=PARIS).timestamp() in starts
    assert dt.datetime(2026, 3, 30, tzinfo=PARIS).timestamp() in starts
    got = _reports(seeded, span)
    assert sum(r.figures["repeats"] or 0 for r in got[("day",)]) > 10
    assert got[("day",)][0].figures["sales"] == 4
    want = _without_days(seeded, span)
    for by in GROUPINGS:
        _same(got[by], want[by])


def _write(engine: Engine, stats: StatsProjection, last: int) -> None:
    """What the service does with each snapshot: the rows changed and the rows to add,
    then the rows written leave memory (pruned to the newest hour)."""
    queues, agents = stats.take_changed()
    outcomes = stats.take_changed_outcomes()
    added = stats.take_added()
    stats.prune(keep_s=0)
    with engine.begin() as conn:
        read_models.write_changed(
            conn,
            queues,
            agents,
            last_event_id=last,
            interval_s=stats.interval_s,
            outcome_rows=outcomes,
            days=stats.days,
            added=added,
        )


def _clear(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in STATS_TABLES:
            conn.execute(delete(table))


# Four days of October around the night the clocks go back (the 25th has 25 hours).
OCT = dt.datetime(2026, 10, 23, tzinfo=PARIS).timestamp()
calls = st.lists(
    st.tuples(
        st.floats(0, 4 * 86400 - 1),  # when, from the 23rd's midnight
        st.integers(0, 3),  # who calls (few: repeats)
        st.booleans(),  # answered
        st.floats(0, 120),  # wait
        st.integers(0, 2),  # agent, campaign
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=15,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    calls=calls,
    flushes=st.lists(st.integers(0, 40), max_size=4),
    change_at=st.one_of(st.none(), st.integers(0, 40)),
)
def test_days_equal_the_hours_for_any_contacts(
    seeded: Engine,
    calls: list[tuple[float, int, bool, float, int]],
    flushes: list[int],
    change_at: int | None,
) -> None:
    """Contacts in any order, written in any number of flushes (each pruning what it
    wrote, so a contact of an earlier hour is added to the stored rows), the firm's zone
    set at the start or changed from UTC in the middle: the days read equal the hours
    read, and every contact is counted once."""
    _clear(seeded)
    stats = StatsProjection()
    if change_at is None:
        stats.apply(SchedulingConfigured(OCT, "Europe/Paris", Grace()))
    for i, (at, who, answered, wait, which) in enumerate(calls):
        if i == change_at:
            stats.apply(SchedulingConfigured(OCT + at, "Europe/Paris", Grace()))
        stats.apply(
            CallImported(
                OCT + at,
                f"c{i}",
                CLIENT,
                CAMPAIGN if which else "acme-other",
                QUEUE,
                f"+4{who}",
                "answered" if answered else "abandoned",
                wait,
                agent=agent_id(which) if answered else None,
                talk_s=100.0 + wait if answered else 0.0,
                disposition="d" if answered else None,
                save=answered and which == 2,
            )
        )
        if i in flushes:
            _write(seeded, stats, i + 1)
    _write(seeded, stats, len(calls) + 1)
    span = Span.of(dt.date(2026, 10, 22), dt.date(2026, 10, 27), PARIS)
    with seeded.connect() as conn:
        zone = report_days.stored_zone(conn)
    changed = change_at is None or change_at < len(calls)
    assert zone is not None and zone.time_zone == ("Europe/Paris" if changed else "UTC")
    if change_at is None:
        assert zone.since == 0.0
    got = _reports(seeded, span)
    want = _without_days(seeded, span)
    for by in GROUPINGS:
        _same(got[by], want[by])
    total = got[()][0].figures
    assert total["offered"] == len(calls)


@pytest.mark.parametrize("zone_name", ["UTC", "Asia/Kolkata"])
def test_other_zones_are_read_from_hours_or_intervals(seeded: Engine, zone_name: str) -> None:
    """A range in a zone the days are not counted in reads the hours (or, for a zone
    whose midnight is not on the hour, the intervals): the same totals."""
    _clear(seeded)
    stats = StatsProjection()
    stats.apply(SchedulingConfigured(OCT, "Europe/Paris", Grace()))
    for i in range(30):
        stats.apply(
            CallImported(OCT + 7000 * i, f"c{i}", CLIENT, CAMPAIGN, QUEUE, "+1", "answered", 5.0)
        )
    _write(seeded, stats, 31)
    tz = ZoneInfo(zone_name)
    span = Span.of(dt.date(2026, 10, 22), dt.date(2026, 10, 26), tz)
    rows = report(seeded, span=span, by=("day",), scope=EVERYONE)
    assert sum(r.figures["offered"] or 0 for r in rows) == 30


def test_figures_hold_after_pruning_and_a_restart_from_the_snapshot(seeded: Engine) -> None:
    """Three days of contacts: the live statistics keep only the last hours (the tables
    hold the rest, snapshots stay small); a restart from the snapshot, then history
    brought in for the first day (pruned long ago), leaves every figure equal to a
    rebuild from the log."""
    _paris(seeded)
    first = dt.datetime(2026, 3, 27, 21, 0, tzinfo=PARIS).timestamp()
    clock = ManualClock(first)
    writer = Writer(
        engine=seeded, clock=clock, rng=random.Random(5), snapshot_every=20, read_model_every_s=0
    )
    writer.start()
    for a in (agent_id(0), agent_id(1)):
        writer.execute(cmd.SignIn(a, ready=True))
    for i in range(36):
        _call(writer, clock, f"k{i}", f"+3{i % 3}", i)
        clock.set(first + 7200 * (i + 1))
    writer.stop()
    stats = writer.part(LiveReports).stats
    queues, agents, outcomes = stats.sizes()
    # Three days are 288 intervals an agent; what is left is the last hours' (the repeat
    # window keeps the queue rows its callers' answered contacts lie in).
    assert agents <= 2 * 8 and outcomes <= 2 * 8, (queues, agents, outcomes)
    span = Span.of(dt.date(2026, 3, 27), dt.date(2026, 3, 30), PARIS)
    before = _reports(seeded, span)

    again = Writer(
        engine=seeded, clock=clock, rng=random.Random(6), snapshot_every=20, read_model_every_s=0
    )
    recovered = again.start()
    assert recovered.snapshot_event_id is not None
    history = tuple(
        CallImported(
            first + 600 + 60 * i,
            f"h{i}",
            CLIENT,
            CAMPAIGN,
            QUEUE,
            f"+5{i}",
            "answered",
            12.0,
            agent=agent_id(1),
            talk_s=60.0,
            disposition="x",
            save=True,
        )
        for i in range(3)
    )
    again.execute(RecordCalls(history))
    # History in the pruned past reaches the tables at the next flush (with a snapshot
    # of its own), not only when the writer stops.
    deadline = time.monotonic() + 10
    while _reports(seeded, span)[()][0].figures["offered"] != before[()][0].figures["offered"] + 3:
        assert time.monotonic() < deadline, "history never reached the reports while running"
        time.sleep(0.05)
    again.stop()
    after = _reports(seeded, span)
    assert after[()][0].figures["offered"] == before[()][0].figures["offered"] + 3
    assert after[("day",)][0].figures["saves"] == 3

    live = _stored(seeded)
    read_models.rebuild(seeded, CODEC)
    assert _stored(seeded) == live
    for by in GROUPINGS:
        _same(after[by], _reports(seeded, span)[by])
    _same(after[("day",)], _without_days(seeded, span)[("day",)])


def _stored(engine: Engine) -> tuple[object, ...]:
    with engine.connect() as conn:
        return (
            read_models.queue_stats(conn),
            read_models.agent_stats(conn),
            read_models.outcome_stats(conn),
            read_models.hour_stats(conn),
            report_days.day_stats(conn),
        )
