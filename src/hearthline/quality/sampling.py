"""A fair sample of each agent's handled contacts to evaluate.

Each agent gets ``quota`` contacts (all of them when they handled fewer), spread over
their strata (queue and outcome) in proportion to how many they handled in each, so
that no agent is judged on one kind of call. Shares are rounded by largest remainder;
the draw within a stratum comes from the RNG handed in, so a seed gives the same sample.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

Stratum = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Handled:
    contact: str
    agent: str
    queue: str
    outcome: str
    at: float

    @property
    def stratum(self) -> Stratum:
        return (self.queue, self.outcome)


def allocate(sizes: Mapping[Stratum, int], quota: int, rng: random.Random) -> dict[Stratum, int]:
    """How many of ``quota`` each stratum gets: its exact share rounded down, and the
    rest one each to the largest remainders (ties drawn at random)."""
    total = sum(sizes.values())
    if total <= quota:
        return dict(sizes)
    exact = {s: Fraction(quota * n, total) for s, n in sizes.items()}
    out = {s: int(share) for s, share in exact.items()}
    order = sorted(exact, key=lambda s: (-(exact[s] - out[s]), rng.random()))
    for s in order[: quota - sum(out.values())]:
        out[s] += 1
    return out


def sample_agent(handled: Sequence[Handled], quota: int, rng: random.Random) -> list[Handled]:
    strata: dict[Stratum, list[Handled]] = defaultdict(list)
    for h in sorted(handled, key=lambda h: (h.stratum, h.contact)):
        strata[h.stratum].append(h)
    counts = allocate({s: len(hs) for s, hs in sorted(strata.items())}, quota, rng)
    picked = [h for s, hs in sorted(strata.items()) for h in rng.sample(hs, counts[s])]
    return sorted(picked, key=lambda h: (h.at, h.contact))


def sample(handled: Iterable[Handled], *, quota: int, seed: int) -> dict[str, list[Handled]]:
    """Each agent's sample, agents in id order, contacts in the order they were handled."""
    if quota < 1:
        raise ValueError(f"the quota must be at least 1, not {quota}")
    rng = random.Random(seed)
    by_agent: dict[str, list[Handled]] = defaultdict(list)
    for h in handled:
        by_agent[h.agent].append(h)
    return {a: sample_agent(hs, quota, rng) for a, hs in sorted(by_agent.items())}
