"""Short abandons, repeat contacts, outcomes and imported calls in the projection; days
in a time zone that changes its clocks; the figures derived from the sums."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.crm.events import DispositionRecorded, OutcomeCorrected
from hearthline.kernel.ids import CampaignId, ClientId, ContactId, QueueId
from hearthline.reports.figures import AGENT_SUMS, OUTCOME_SUMS, QUEUE_SUMS, derive
from hearthline.reports.imported import CallImported, HistoryError, bank_call, check_call
from hearthline.reports.periods import Period, PeriodError, Span, period_dates
from hearthline.reports.stats import StatsProjection
from hearthline.routing import AgentProfile, CampaignConfig, ManualClock, QueueConfig, Router
from hearthline.routing import commands as cmd
from hearthline.routing.config import RoutingConfig

Q, A = QueueId("q1"), "a1"
PARIS = ZoneInfo("Europe/Paris")


def _center(
    *, short_s: float = 5.0, window_s: float = 86400.0
) -> tuple[StatsProjection, ManualClock, Router]:
    clock = ManualClock(0.0)
    router = Router(clock=clock, rng=random.Random(1))
    stats = StatsProjection(interval_s=900, short_abandon_s=short_s, repeat_window_s=window_s)
    config = RoutingConfig(
        campaigns=(CampaignConfig(CampaignId("c1"), ClientId("acme")),),
        queues=(QueueConfig(Q, CampaignId("c1"), service_target_s=20),),
        agents=(AgentProfile.of(A, campaigns=["c1"]),),
    )
    stats.apply_all(router.configure(config))
    return stats, clock, router


def _run(stats: StatsProjection, router: Router, command: cmd.Command) -> None:
    stats.apply_all(router.handle(command))


def _call(stats: StatsProjection, clock: ManualClock, router: Router, k: str, caller: str) -> None:
    _run(stats, router, cmd.ArriveContact(ContactId(k), caller=caller, queue=Q))
    clock.advance(3)
    _run(stats, router, cmd.AcceptOffer(A, ContactId(k)))
    clock.advance(60)
    _run(stats, router, cmd.EndContact(A, ContactId(k)))
    _run(stats, router, cmd.FinishWrapUp(A))


def test_short_abandons_are_counted_apart_by_the_threshold() -> None:
    stats, clock, router = _center(short_s=5.0)
    for k, wait in (("k1", 4.0), ("k2", 5.0), ("k3", 30.0)):
        _run(stats, router, cmd.ArriveContact(ContactId(k), caller="+1", queue=Q))
        clock.advance(wait)
        _run(stats, router, cmd.CallerHangUp(ContactId(k)))
    row = stats.queue_row(Q, 0.0)
    assert row is not None
    assert (row.offered, row.abandoned, row.abandoned_short) == (3, 3, 2)
    f = derive({n: float(getattr(row, n)) for n in QUEUE_SUMS}, None, None)
    assert f["short_abandoned"] == 2 and f["abandon_rate"] == 1.0


def test_a_customer_calling_again_within_the_window_marks_the_first_call_a_repeat() -> None:
    stats, clock, router = _center(window_s=3600.0)
    _run(stats, router, cmd.SignIn(A, ready=True))
    _call(stats, clock, router, "k1", "+1")  # back within the hour: a repeat
    clock.advance(600)
    _call(stats, clock, router, "k2", "+1")  # back after two hours: resolved
    _call(stats, clock, router, "k3", "+2")  # never back
    clock.advance(7200)
    _call(stats, clock, router, "k4", "+1")
    rows = stats.queue_rows()
    assert sum(r.repeated for r in rows) == 1
    first = stats.queue_row(Q, 0.0)
    assert first is not None and first.repeated == 1 and first.answered == 3
    f = derive({n: float(getattr(first, n)) for n in QUEUE_SUMS}, None, None)
    assert f["fcr"] == pytest.approx(2 / 3)


def test_outcomes_count_per_agent_and_campaign_with_the_campaigns_client() -> None:
    stats, _, _ = _center()
    for at, sale, save in ((10.0, True, False), (20.0, False, True), (1000.0, False, False)):
        stats.apply(DispositionRecorded(at, "k", A, "c1", "x", sale, save))
    rows = stats.outcome_rows()
    assert [(r.start, r.client, r.outcomes, r.sales, r.saves) for r in rows] == [
        (0.0, "acme", 2, 1, 1),
        (900.0, "acme", 1, 0, 0),
    ]
    f = derive(None, None, {"outcomes": 3.0, "sales": 1.0, "saves": 1.0})
    assert f["save_rate"] == pytest.approx(1 / 3) and f["offered"] is None


def test_imported_calls_count_as_live_ones_would() -> None:
    stats, _, _ = _center()
    base = {"client": "acme", "campaign": "c1", "queue": Q, "caller": "9"}
    stats.apply(
        CallImported(at=100.0, contact="h1", outcome="answered", wait_s=12.0, talk_s=200.0, **base)
    )
    stats.apply(CallImported(at=200.0, contact="h2", outcome="abandoned", wait_s=3.0, **base))
    stats.apply(CallImported(at=300.0, contact="h3", outcome="unknown", wait_s=0.0, **base))
    row = stats.queue_row(Q, 0.0)
    assert row is not None
    assert (row.offered, row.answered, row.answered_in_target, row.abandoned) == (3, 1, 1, 1)
    assert (row.abandoned_short, row.dropped, row.repeated) == (1, 1, 1)
    assert (row.wait_answered_s, row.talk_s) == (12.0, 200.0)


def test_a_call_that_is_not_well_formed_is_refused_by_name() -> None:
    good = CallImported(1.0, "h", "acme", "c1", "q1", "", "answered", 1.0)
    with pytest.raises(HistoryError, match="outcome"):
        check_call(CallImported(1.0, "h", "acme", "c1", "q1", "", "lost", 1.0))
    with pytest.raises(HistoryError, match="times"):
        check_call(CallImported(-1.0, "h", "acme", "c1", "q1", "", "answered", 1.0))
    assert check_call(good) is good


def _bank_row(**fields: str) -> dict[str, str]:
    row = dict.fromkeys(
        ("vru+line", "priority", "vru_time", "q_exit", "ser_start", "ser_exit"), "0"
    )
    row |= {
        "call_id": "7",
        "customer_id": "42",
        "type": "PS",
        "date": "2010-08-02",
        "vru_entry": "23:59:50",
        "vru_exit": "23:59:58",
        "q_start": "0:00:05",
        "q_time": "30",
        "outcome": "AGENT",
        "ser_time": "120",
        "server": "MICHAL",
    }
    return row | fields


def test_a_bank_call_that_queued_after_midnight_is_on_the_next_day() -> None:
    tz = ZoneInfo("Asia/Jerusalem")
    call = bank_call(_bank_row(), zone=tz, client="bank", campaign="bank")
    assert call is not None
    assert dt.datetime.fromtimestamp(call.at, tz) == dt.datetime(2010, 8, 3, 0, 0, 5, tzinfo=tz)
    assert (call.queue, call.caller, call.agent, call.wait_s, call.talk_s) == (
        "bank-ps",
        "42",
        "MICHAL",
        30.0,
        120.0,
    )
    assert (
        bank_call(_bank_row(q_start="0:00:00", outcome="HANG"), zone=tz, client="b", campaign="b")
        is None
    )
    with pytest.raises(HistoryError, match="AGENT, HANG or PHANTOM"):
        bank_call(_bank_row(outcome="LOST"), zone=tz, client="b", campaign="b")


def test_the_days_the_clocks_change_hold_23_and_25_hours() -> None:
    spring = Span.of(dt.date(2026, 3, 29), dt.date(2026, 3, 29), PARIS)
    autumn = Span.of(dt.date(2026, 10, 25), dt.date(2026, 10, 25), PARIS)
    assert (spring.end - spring.start) / 900 == 92
    assert (autumn.end - autumn.start) / 900 == 100
    # The hour that happens twice reads apart: the offset is in the label.
    assert autumn.label(autumn.start + 2 * 3600) == "2026-10-25T02:00+02:00"
    assert autumn.label(autumn.start + 3 * 3600) == "2026-10-25T02:00+01:00"
    assert autumn.day_of(autumn.end - 1) == dt.date(2026, 10, 25)


# No deadline: on a busy machine the first call (loading a zone's data) can take longer.
@settings(deadline=None)
@given(
    st.dates(min_value=dt.date(1971, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(list(Period)),
)
def test_a_period_holds_its_day_and_its_days_are_whole_intervals(
    day: dt.date, period: Period
) -> None:
    first, last = period_dates(period, day)
    assert first <= day <= last
    span = Span.of(first, last, PARIS)
    assert (span.end - span.start) % 900 == 0
    assert span.day_of(span.start) == first and span.day_of(span.end - 1) == last
    assert span.day_of(span.end) == last + dt.timedelta(days=1)


def test_ranges_that_cannot_be_reported_on_say_why() -> None:
    with pytest.raises(PeriodError, match="before it starts"):
        Span.of(dt.date(2026, 1, 2), dt.date(2026, 1, 1), PARIS)
    with pytest.raises(PeriodError, match="at most"):
        Span.of(dt.date(2024, 1, 1), dt.date(2026, 1, 1), PARIS)


@given(
    st.lists(
        st.integers(min_value=0, max_value=10_000),
        min_size=len(QUEUE_SUMS),
        max_size=len(QUEUE_SUMS),
    ),
    st.lists(
        st.integers(min_value=0, max_value=10_000),
        min_size=len(AGENT_SUMS),
        max_size=len(AGENT_SUMS),
    ),
    st.lists(st.integers(min_value=0, max_value=100), min_size=3, max_size=3),
)
def test_ratios_stay_between_zero_and_one(q: list[int], a: list[int], o: list[int]) -> None:
    queue = dict(zip(QUEUE_SUMS, map(float, q), strict=True))
    # What the projection guarantees: parts never exceed their whole.
    queue["answered"] = min(queue["answered"], queue["offered"])
    queue["answered_in_target"] = min(queue["answered_in_target"], queue["answered"])
    queue["abandoned"] = min(queue["abandoned"], queue["offered"] - queue["answered"])
    queue["abandoned_short"] = min(queue["abandoned_short"], queue["abandoned"])
    queue["repeated"] = min(queue["repeated"], queue["answered"])
    outcome = dict(zip(OUTCOME_SUMS, map(float, sorted(o, reverse=True)), strict=True))
    outcome["saves"] = min(outcome["saves"], outcome["outcomes"])
    f = derive(queue, dict(zip(AGENT_SUMS, map(float, a), strict=True)), outcome)
    for name in ("service_level", "abandon_rate", "fcr", "occupancy", "save_rate"):
        value = f[name]
        assert value is None or 0.0 <= value <= 1.0, (name, value)


def test_a_corrected_outcome_counts_once_where_it_was_first_recorded() -> None:
    stats, _, _ = _center()
    stats.apply(DispositionRecorded(10.0, "k", A, "c1", "sold", True, False))
    stats.apply(DispositionRecorded(20.0, "k2", A, "c1", "sold", True, False))
    stats.take_changed_outcomes()
    # A day later the first customer returns the product: no sale, counted back at 10 s.
    later = 86400.0
    stats.apply(
        OutcomeCorrected(
            later, "k", A, "c1", "kept", False, True, "sold", True, False, 10.0, "sup", "returned"
        )
    )
    [row] = stats.outcome_rows()
    assert (row.start, row.outcomes, row.sales, row.saves) == (0.0, 2, 1, 1)
    assert stats.take_changed_outcomes() == [row], "the corrected interval is written again"


def test_a_correction_of_a_pruned_interval_is_added_to_the_stored_row() -> None:
    stats, _, _ = _center()
    stats.apply(DispositionRecorded(10.0, "k", A, "c1", "sold", True, False))
    stats.apply(DispositionRecorded(90000.0, "k2", A, "c1", "sold", True, False))
    stats.take_changed_outcomes()
    stats.prune()
    assert [r.start for r in stats.outcome_rows()] == [90000.0]
    stats.apply(
        OutcomeCorrected(
            90100.0, "k", A, "c1", "no", False, False, "sold", True, False, 10.0, "sup", "returned"
        )
    )
    _, _, [added] = stats.take_added()
    assert (added.start, added.outcomes, added.sales, added.saves) == (0.0, 0, -1, 0)
