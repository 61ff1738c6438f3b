"""The rolling-origin backtest on the bank's whole month, and the level-shape method."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hearthline.cli import main
from hearthline.wfm.evaluation import SeriesBacktest, backtest_series
from hearthline.wfm.importers import load_history
from hearthline.wfm.level_shape import MIN_DAYS, level_shape

FIRST = dt.date(2010, 8, 1)  # a Sunday


@pytest.fixture(scope="module")
def month(bank_dir: Path) -> list[SeriesBacktest]:
    return backtest_series(load_history(bank_dir / "august_calls.csv", fmt="anonymous-bank"))


def test_every_week_with_two_weeks_before_it_is_tested_by_every_method(
    month: list[SeriesBacktest],
) -> None:
    for result in month:
        for score in result.scores:
            assert [(w.first_day.isoformat(), w.days) for w in score.weeks] == [
                ("2010-08-15", 7),
                ("2010-08-22", 7),
                ("2010-08-29", 3),
            ]
            assert score.wape_interval == pytest.approx(
                np.mean([w.wape_interval for w in score.weeks])
            )


def test_the_chosen_method_beats_seasonal_naive_by_the_goal_on_both_series(
    month: list[SeriesBacktest],
) -> None:
    assert [r.series for r in month] == ["all", "offered"]
    for result in month:
        assert result.chosen == "level-shape"
        day, interval = result.ratios(result.chosen)
        # Measured: all calls 0.679 / 0.749, offered 0.653 / 0.691 (docs/planning.md).
        assert day <= 0.85 and interval <= 0.85, (result.series, day, interval)


def test_backtest_command_prints_both_series(
    bank_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = str(bank_dir / "august_calls.csv")
    assert main(["backtest", "--history", history, "--format", "anonymous-bank", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(s["series"], s["chosen"]) for s in out["series"]] == [
        ("all", "level-shape"),
        ("offered", "level-shape"),
    ]
    assert main(["backtest", "--history", history, "--interval", "7"]) == 2
    assert "--interval must be a whole number of minutes" in capsys.readouterr().err
    one_day = str(bank_dir / "one_day_calls.csv")
    assert main(["backtest", "--history", one_day, "--format", "anonymous-bank"]) == 0
    assert "not enough history to backtest" in capsys.readouterr().out


def _weekdays(n: int) -> np.ndarray:
    return np.array([(FIRST + dt.timedelta(days=i)).weekday() for i in range(n)], dtype=np.int64)


def _targets(n: int, days: int) -> list[dt.date]:
    return [FIRST + dt.timedelta(days=n + i) for i in range(days)]


histories = st.integers(MIN_DAYS, 35).flatmap(
    lambda n: arrays(np.float64, (n, 6), elements=st.integers(0, 500))  # calls: counts
)


@settings(max_examples=60, deadline=None)
@given(train=histories, days=st.integers(1, 28))
def test_level_shape_is_finite_and_never_negative(train: np.ndarray, days: int) -> None:
    n = train.shape[0]
    out = level_shape(train, _weekdays(n), _targets(n, days), FIRST + dt.timedelta(days=n - 1))
    assert out.shape == (days, 6)
    assert np.all(np.isfinite(out)) and np.all(out >= 0)


@settings(max_examples=60, deadline=None)
@given(train=histories, scale=st.floats(0.01, 100))
def test_level_shape_scales_with_the_history(train: np.ndarray, scale: float) -> None:
    n = train.shape[0]
    args = (_weekdays(n), _targets(n, 7), FIRST + dt.timedelta(days=n - 1))
    assert np.allclose(level_shape(train * scale, *args), level_shape(train, *args) * scale)


@settings(max_examples=30, deadline=None)
@given(
    day=arrays(np.float64, 6, elements=st.floats(1, 500)),
    weekly=arrays(np.float64, 7, elements=st.floats(0.5, 2)),
    weeks=st.integers(2, 5),
)
def test_level_shape_repeats_a_history_that_repeats_every_week(
    day: np.ndarray, weekly: np.ndarray, weeks: int
) -> None:
    # Every weekday has the same shape and its own fixed size: no trend, nothing to learn.
    n = 7 * weeks
    wd = _weekdays(n)
    train = weekly[wd][:, None] * day[None, :]
    targets = _targets(n, 7)
    expected = np.array([weekly[t.weekday()] * day for t in targets])
    out = level_shape(train, wd, targets, FIRST + dt.timedelta(days=n - 1))
    assert np.allclose(out, expected)


def test_level_shape_refuses_a_short_history() -> None:
    with pytest.raises(ValueError, match="needs 14 days of history, got 10"):
        level_shape(np.ones((10, 4)), _weekdays(10), _targets(10, 1), FIRST)
