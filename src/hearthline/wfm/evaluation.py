"""The forecast methods' rolling-origin backtest over a whole history, for two series.

``all`` counts every call (menu-only ones too: the load on the phone lines and menus);
``offered`` counts the calls that asked for an agent (what staffing is planned for). Each
is backtested at the interval and the daily level (:func:`hearthline.wfm.forecast.backtest`)
and every method is set against seasonal naive, week by week.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hearthline.wfm.forecast import BASELINE, MethodScore, backtest, ratio_to_baseline
from hearthline.wfm.importers import OFFERED_OUTCOMES, OUTCOMES, History
from hearthline.wfm.intervals import as_day_matrix, interval_table

SERIES = {"all": OUTCOMES, "offered": OFFERED_OUTCOMES}


@dataclass(frozen=True)
class SeriesBacktest:
    """Every method's backtest on one series, and the method the forecast would use."""

    series: str
    scores: tuple[MethodScore, ...]

    @property
    def chosen(self) -> str:
        """The method with the lowest interval WAPE averaged over the weeks."""
        finite = [s for s in self.scores if not np.isnan(s.wape_interval)]
        return min(finite, key=lambda s: s.wape_interval).method if finite else BASELINE

    def ratios(self, method: str) -> tuple[float, float]:
        """(daily, interval) mean WAPE of ``method`` over seasonal naive's."""
        return ratio_to_baseline(self.scores, method)

    def to_json(self) -> dict[str, Any]:
        day, interval = self.ratios(self.chosen)
        return {
            "series": self.series,
            "chosen": self.chosen,
            "vs_naive_day": round(day, 4),
            "vs_naive_interval": round(interval, 4),
            "methods": [
                {
                    "method": s.method,
                    "wape_day": round(s.wape_day, 4),
                    "wape_interval": round(s.wape_interval, 4),
                    "weeks": [
                        {
                            "first_day": w.first_day.isoformat(),
                            "days": w.days,
                            "wape_day": round(w.wape_day, 4),
                            "wape_interval": round(w.wape_interval, 4),
                        }
                        for w in s.weeks
                    ],
                }
                for s in self.scores
            ],
        }

    def to_text(self) -> str:
        if not self.scores:
            return f"{self.series} calls: not enough history to backtest (needs over a week)"
        weeks = self.scores[0].weeks
        head = "".join(f"  {f'{w.first_day:%d %b} ({w.days} d)':>15s}" for w in weeks)
        lines = [
            f"{self.series} calls: WAPE per day / per interval, each week forecast from "
            "the days before it",
            f"  {'method':15s}{head}  {'mean':>15s}",
        ]
        for s in self.scores:
            cells = "".join(f"  {_pct(w.wape_day)} / {_pct(w.wape_interval)}" for w in s.weeks)
            mark = "*" if s.method == self.chosen else " "
            lines.append(
                f"{mark} {s.method:15s}{cells}  {_pct(s.wape_day)} / {_pct(s.wape_interval)}"
            )
        day, interval = self.ratios(self.chosen)
        lines.append(
            f"  {self.chosen} over seasonal naive: {day:.3f} per day, {interval:.3f} per interval"
        )
        return "\n".join(lines)


def _pct(value: float) -> str:
    return f"{100 * value:5.1f}%"


def backtest_series(history: History, *, interval_minutes: int = 30) -> list[SeriesBacktest]:
    """The backtest of both series (``all``, then ``offered``) over the whole history."""
    out = []
    for name, outcomes in SERIES.items():
        table = interval_table(history, interval_minutes=interval_minutes, outcomes=outcomes)
        days, calls = as_day_matrix(table["calls"], interval_minutes=interval_minutes)
        out.append(SeriesBacktest(series=name, scores=backtest(calls, days)))
    return out
