"""The service level every report uses (docs/simulator.md, Service level)."""

from __future__ import annotations

from hearthline.reports.definitions import service_level, within_target
from hearthline.reports.stats import QueueInterval


def test_a_call_answered_at_the_target_is_within_it() -> None:
    assert within_target(20.0, 20.0)
    assert within_target(0.0, 0.0)
    assert not within_target(20.001, 20.0)


def test_service_level_is_answered_in_target_over_offered() -> None:
    assert service_level(10, 8) == 0.8
    assert service_level(0, 0) is None


def test_a_short_abandon_counts_against_the_live_service_level() -> None:
    row = QueueInterval("q", 0.0, offered=2, answered=1, answered_in_target=1)
    row.abandoned = row.abandoned_in_target = 1
    assert row.service_level == 0.5
