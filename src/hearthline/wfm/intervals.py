"""Offered volume and handle time per queue per interval, and the weekly pattern.

Intervals are fixed slots of the day (e.g. 48 half hours), labelled by their start.
Every slot of every day from the first to the last day of the history is present, so a
closed night or a quiet Saturday is a real zero, not a gap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hearthline.wfm.importers import OFFERED_OUTCOMES, History

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def slots_per_day(interval_minutes: int) -> int:
    """Number of intervals in a day; the interval must divide the day evenly."""
    if interval_minutes <= 0 or 1440 % interval_minutes:
        raise ValueError(
            f"interval must be a whole number of minutes dividing a day, got {interval_minutes}"
        )
    return 1440 // interval_minutes


def interval_table(
    history: History,
    *,
    interval_minutes: int = 30,
    queue: str | None = None,
    outcomes: tuple[str, ...] = OFFERED_OUTCOMES,
) -> pd.DataFrame:
    """Per interval: ``calls`` offered (with ``outcomes``: the contacts that ended so),
    ``answered``, ``abandoned``, ``handled`` (answered with a known handle time),
    ``handle_s`` (their total) and ``aht_s`` (their mean, NaN when none). Indexed by
    interval start, covering whole days."""
    slots_per_day(interval_minutes)
    frame = history.contacts
    if queue is not None:
        if queue not in set(frame["queue"]):
            names = ", ".join(history.queues()) or "none"
            raise ValueError(f"no contacts for queue {queue!r} (queues: {names})")
        frame = frame[frame["queue"] == queue]
    frame = frame[frame["outcome"].isin(outcomes)]
    if frame.empty:
        raise ValueError("no offered contacts in the history")
    freq = f"{interval_minutes}min"
    slot = frame["arrival"].dt.floor(freq)
    first = frame["arrival"].min().normalize()
    last = frame["arrival"].max().normalize() + pd.Timedelta(days=1)
    index = pd.date_range(first, last, freq=freq, inclusive="left", name="start")
    known = frame["handle_s"].notna() & (frame["outcome"] == "answered")
    grouped = (
        pd.DataFrame(
            {
                "calls": 1,
                "answered": (frame["outcome"] == "answered").astype(int),
                "abandoned": (frame["outcome"] == "abandoned").astype(int),
                "handled": known.astype(int),
                "handle_s": frame["handle_s"].where(known, 0.0),
                "slot": slot,
            }
        )
        .groupby("slot")
        .sum()
    )
    table = grouped.reindex(index, fill_value=0)
    table[["calls", "answered", "abandoned", "handled"]] = table[
        ["calls", "answered", "abandoned", "handled"]
    ].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["aht_s"] = table["handle_s"] / table["handled"].where(table["handled"] > 0)
    return table


def as_day_matrix(
    series: pd.Series, *, interval_minutes: int
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """A per-interval series covering whole days as (days, day x slot matrix)."""
    per_day = slots_per_day(interval_minutes)
    values = series.to_numpy(dtype=np.float64)
    if values.size % per_day:
        raise ValueError("series does not cover whole days")
    days = pd.DatetimeIndex(series.index[::per_day]).normalize()
    return days, values.reshape(-1, per_day)


def weekly_pattern(table: pd.DataFrame) -> pd.DataFrame:
    """Mean offered calls and AHT per day of week and time of day (the weekly pattern).

    Rows are (weekday name, time of day); AHT is weighted by handled calls.
    """
    idx = pd.DatetimeIndex(table.index)
    frame = pd.DataFrame(
        {
            "weekday": idx.day_of_week,
            "time": idx.strftime("%H:%M"),
            "calls": table["calls"].to_numpy(),
            "handled": table["handled"].to_numpy(),
            "handle_s": table["handle_s"].to_numpy(),
        }
    )
    g = frame.groupby(["weekday", "time"])
    out = pd.DataFrame({"calls": g["calls"].mean(), "days": g["calls"].size()})
    sums = g[["handled", "handle_s"]].sum()
    out["aht_s"] = sums["handle_s"] / sums["handled"].where(sums["handled"] > 0)
    index = out.index
    assert isinstance(index, pd.MultiIndex)
    out.index = index.set_levels([DAY_NAMES[int(d)] for d in index.levels[0]], level=0)
    return out


def daily_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Offered calls, answered, abandoned and AHT per day, with the day of week."""
    idx = pd.DatetimeIndex(table.index)
    g = table.groupby(idx.normalize())
    out = g[["calls", "answered", "abandoned", "handled", "handle_s"]].sum()
    out["aht_s"] = out["handle_s"] / out["handled"].where(out["handled"] > 0)
    out["weekday"] = [DAY_NAMES[d.day_of_week] for d in pd.DatetimeIndex(out.index)]
    return out.drop(columns=["handle_s"])
