"""The simulator's figures agree with the reports' projection fed the same events."""

from __future__ import annotations

import pytest

from hearthline.reports.stats import StatsProjection
from hearthline.routing.events import Event
from hearthline.sim import parse_scenario, simulate

SCENARIO = """
[simulation]
start = "08:00"
hours = 3
interval_minutes = 30

[[queues]]
id = "q"
service_target_s = 20
arrivals = { per_interval = [300, 500, 700, 600, 400, 200] }
handle_time = { kind = "lognormal", mean_s = 150, sd_s = 90 }
patience = { kind = "exponential", mean_s = 60 }
wrap_up = { mode = "timed", seconds = 10 }

[[agents]]
count = 60
"""


def test_queue_counts_match_the_reports_projection() -> None:
    trace: list[Event] = []
    results = simulate(parse_scenario(SCENARIO), trace=trace)
    projection = StatsProjection(interval_s=1800)
    projection.apply_all(trace)
    theirs = {row.start: row for row in projection.queue_rows()}
    ours = [r for r in results.intervals if r.offered]
    assert len(ours) == 6
    for row in ours:
        other = theirs[row.start_s]
        assert (row.offered, row.answered, row.abandoned) == (
            other.offered,
            other.answered,
            other.abandoned,
        )
        assert row.asa_s == pytest.approx(other.average_speed_of_answer_s)
        assert row.aht_s == pytest.approx(other.average_handle_s)
        # Service level over all offered (as in Erlang A) from their raw counts, and theirs.
        assert row.service_level == pytest.approx(other.answered_in_target / other.offered)
        assert row.service_level == pytest.approx(other.service_level)
