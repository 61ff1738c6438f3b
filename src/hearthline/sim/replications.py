"""Several days of one scenario, one seed each, run side by side in worker processes.

    days = replicate(build(load_scenario("examples/scenarios/mmn-400.toml")), range(1, 31), jobs=2)
    spread = summarize(days)          # per queue: mean and standard error of the day figures

Each replication is the same ``simulate`` call the serial loop makes, with its own seed,
in a process of its own: a day's result depends on the scenario and the seed alone, so a
pool gives the results the serial run gives, in the order of the seeds.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from hearthline.sim.build import Built
from hearthline.sim.results import Results
from hearthline.sim.run import simulate

# The day figures a replication summary spreads over the seeds.
FIGURES = ("offered", "service_level", "asa_s", "mean_wait_s", "abandon_rate", "occupancy")


@dataclass(frozen=True, slots=True)
class Spread:
    """One figure of one queue over the replications (NaN days, with nothing to
    average, are left out; ``n`` says how many counted)."""

    queue: str
    figure: str
    mean: float
    se: float
    low: float
    high: float
    n: int


def _one(job: tuple[Built, int]) -> Results:
    built, seed = job
    return simulate(built, seed=seed)


def replicate(built: Built, seeds: Sequence[int], *, jobs: int = 1) -> list[Results]:
    """The day of ``built`` once per seed, in ``jobs`` processes; results in seed order."""
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    work = [(built, seed) for seed in seeds]
    if jobs == 1 or len(work) <= 1:
        return [_one(job) for job in work]
    # One replication per task: days are long and equal, so there is nothing to batch.
    with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
        return list(pool.map(_one, work, chunksize=1))


def summarize(days: Sequence[Results]) -> list[Spread]:
    """Per queue (in the order of the first day) and figure: mean, standard error, range."""
    if not days:
        return []
    out: list[Spread] = []
    for queue in (row.queue for row in days[0].days):
        for figure in FIGURES:
            values = [float(getattr(r.day(queue), figure)) for r in days]
            kept = [v for v in values if not math.isnan(v)]
            if not kept:
                out.append(Spread(queue, figure, math.nan, math.nan, math.nan, math.nan, 0))
                continue
            se = statistics.stdev(kept) / math.sqrt(len(kept)) if len(kept) > 1 else math.nan
            mean = statistics.fmean(kept)
            out.append(Spread(queue, figure, mean, se, min(kept), max(kept), len(kept)))
    return out
