"""A staffing plan's wall-clock rows on the real time line of the firm's zone.

A plan has the same slots every day (48 half hours), labelled by the wall clock. On the
day the clocks go forward the slots of the missing hour never happen; on the day they go
back the repeated hour happens twice, needing the agents its slots say each time. The
schedule is made on real time (a shift of 8 hours is 8 hours long), so each real
interval takes the requirement of the slot its wall-clock start falls in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo


def real_intervals(
    first: dt.datetime, step_s: float, per_slot: Sequence[float], tz: ZoneInfo
) -> tuple[float, tuple[float, ...]]:
    """The UTC start of the first slot (``first``, naive, on the wall clock of ``tz``) and
    the requirement of each real interval of ``step_s`` from it to the end of the last
    slot: 2 intervals fewer per skipped hour of half hours, 2 more per repeated one."""
    if first.tzinfo is not None:
        raise ValueError("the first slot is a wall-clock time, without a zone")
    step = dt.timedelta(seconds=step_s)
    start = first.replace(tzinfo=tz).timestamp()
    end = (first + step * len(per_slot)).replace(tzinfo=tz).timestamp()
    out = []
    t = start
    while t < end - 1e-6:
        wall = dt.datetime.fromtimestamp(t, tz=tz).replace(tzinfo=None)
        i = int((wall - first) / step)
        out.append(per_slot[i] if 0 <= i < len(per_slot) else 0.0)
        t += step_s
    return start, tuple(out)
