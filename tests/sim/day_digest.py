"""Digests of simulated days, event by event, to compare the plain and the compiled build.

    python -m tests.sim.day_digest      # prints {"<scenario> seed <n>": "<sha256>", ...}

Each digest covers every event of the core in order (its type and fields, through the
event's repr) and the day's results as plain data, less the run's wall-clock time and
speed (which vary from run to run on any build): two builds that give the same digests
simulated the same day. tests/sim/test_builds_agree.py runs this on each build.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from hearthline.routing.events import Event
from hearthline.sim import load_scenario, simulate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
# Several queues, priorities and overflows; and the bank's real day (menus, patience).
DAYS = ("multi-queue-day.toml", "bank-day-from-history.toml")
SEEDS = (1, 3)


def digests() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in DAYS:
        scenario = load_scenario(EXAMPLES / name)
        for seed in SEEDS:
            trace: list[Event] = []
            result = simulate(scenario, seed=seed, trace=trace)
            h = hashlib.sha256()
            for event in trace:
                h.update(repr(event).encode())
                h.update(b"\n")
            figures = result.as_dict()
            figures["run"] = {
                k: v for k, v in figures["run"].items() if k not in ("wall_s", "calls_per_s")
            }
            h.update(json.dumps(figures, sort_keys=True, default=str).encode())
            out[f"{name} seed {seed} ({len(trace)} events)"] = h.hexdigest()
    return out


if __name__ == "__main__":
    json.dump(digests(), sys.stdout)
