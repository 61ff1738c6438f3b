"""An agent's day so far: contacts, handle time, outcomes, sales and saves, breaks.

Time and contact figures come from the statistics read model (the writer refreshes it
every few seconds), brought up to now by the live projection's rows of the agent: a
span is stored only once it has ended, and a break in progress or just ended would
otherwise count nothing. Outcomes come from the DispositionRecorded events in the log.
Reasons the center set itself (restart, lost connection) are kept apart from the
agent's own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hearthline.api.schemas import MyDayOut
from hearthline.reports.stats import AgentInterval
from hearthline.store.queries import reports
from hearthline.store.queries.bind import Engine


@dataclass(frozen=True, slots=True)
class LiveRows:
    """The agent's rows as the live projection holds them now (``StatsProjection.
    agent_rows_now``): ``whole`` replace the stored rows of their interval, ``added``
    add to them."""

    whole: Sequence[AgentInterval] = field(default=())
    added: Sequence[AgentInterval] = field(default=())


def _as_stored(row: AgentInterval) -> dict[str, Any]:
    return {
        "answered": row.answered,
        "handled": row.handled,
        "dropped": row.dropped,
        "talk_s": row.talk_s,
        "hold_s": row.hold_s,
        "wrap_s": row.wrap_s,
        "not_ready_s": dict(row.not_ready_s),
        "system_not_ready_s": dict(row.system_not_ready_s),
    }


def day_start(now: float) -> float:
    """Midnight UTC of the day ``now`` falls in."""
    return now - now % 86_400.0


def my_day(
    engine: Engine, *, agent: str, since: float, live: Callable[[], LiveRows] = LiveRows
) -> MyDayOut:
    """``live`` reads the live rows; it is called after the stored rows are read, so a
    row added to the stored ones meanwhile is counted once (from the live rows, which
    then still hold it), and a stored row the live one replaces is newer or the same."""
    stored = {r["interval_start"]: r for r in reports.agent_stats(engine, since=since, agent=agent)}
    now = live()
    for row in now.whole:
        stored[row.start] = _as_stored(row)
    rows = [*stored.values(), *(_as_stored(row) for row in now.added)]
    recorded = reports.outcomes(engine, agent=agent, since=since)
    total: dict[str, float] = {"answered": 0, "handled": 0, "dropped": 0}
    for name in ("talk_s", "hold_s", "wrap_s"):
        total[name] = 0.0
    own: dict[str, float] = {}
    system: dict[str, float] = {}
    for r in rows:
        for name in total:
            total[name] += r[name]
        for reason, secs in r["not_ready_s"].items():
            own[reason] = own.get(reason, 0.0) + secs
        for reason, secs in r["system_not_ready_s"].items():
            system[reason] = system.get(reason, 0.0) + secs
    outcomes: dict[str, int] = {}
    sales = saves = 0
    for data in recorded:
        outcomes[data["disposition"]] = outcomes.get(data["disposition"], 0) + 1
        sales += bool(data.get("counts_as_sale"))
        saves += bool(data.get("counts_as_save"))
    handled = int(total["handled"])
    work = total["talk_s"] + total["hold_s"] + total["wrap_s"]
    finished = sum(outcomes.values())
    return MyDayOut(
        since=since,
        answered=int(total["answered"]),
        handled=handled,
        dropped=int(total["dropped"]),
        average_handle_s=work / handled if handled else None,
        talk_s=total["talk_s"],
        hold_s=total["hold_s"],
        wrap_s=total["wrap_s"],
        outcomes=outcomes,
        sales=sales,
        saves=saves,
        sale_rate=sales / finished if finished else None,
        save_rate=saves / finished if finished else None,
        not_ready_s=own,
        system_not_ready_s=system,
    )
