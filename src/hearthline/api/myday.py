"""An agent's day so far: contacts, handle time, outcomes, sales and saves, breaks.

Time and contact figures come from the statistics read model (the writer refreshes it
every few seconds); outcomes from the DispositionRecorded events in the log. Reasons
the center set itself (restart, lost connection) are kept apart from the agent's own.
"""

from __future__ import annotations

from hearthline.api.schemas import MyDayOut
from hearthline.store.queries import reports
from hearthline.store.queries.bind import Engine


def day_start(now: float) -> float:
    """Midnight UTC of the day ``now`` falls in."""
    return now - now % 86_400.0


def my_day(engine: Engine, *, agent: str, since: float) -> MyDayOut:
    rows = reports.agent_stats(engine, since=since, agent=agent)
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
