"""Caller patience from waits that are partly censored: the Kaplan-Meier estimate.

A caller who gave up after ``w`` seconds had a patience of ``w``; one who was answered
after ``w`` seconds tells only that their patience was longer (a censored observation).
Counting the second kind as patience ``w`` (or leaving them out) makes callers look far
less patient than they are, since the patient ones are exactly those who get answered.
The Kaplan-Meier estimate uses both. Beyond the longest wait seen the estimate says
nothing; there the patience is the last event time plus an exponential remainder whose
rate is the censored maximum-likelihood rate of the whole sample (abandonments over all
seconds waited), which keeps the mean finite.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from random import Random

import numpy as np
from numpy.typing import NDArray

from hearthline.sim.distributions import Distribution, Sampler


@dataclass(frozen=True)
class KaplanMeier(Distribution):
    """Patience drawn from a Kaplan-Meier survival curve with an exponential tail.

    ``times`` are the distinct abandonment times, ascending, and ``survival`` the curve
    just after each; ``tail_rate`` (per second) continues it past the last time.
    """

    times: tuple[float, ...]
    survival: tuple[float, ...]
    tail_rate: float

    @classmethod
    def fit(cls, waits: NDArray[np.float64], gave_up: NDArray[np.bool_]) -> KaplanMeier:
        """The estimate from each caller's wait and whether they gave up (else answered)."""
        if waits.shape != gave_up.shape or waits.size == 0:
            raise ValueError("patience needs one wait and one outcome per caller, and a caller")
        if np.any(waits < 0) or not np.all(np.isfinite(waits)):
            raise ValueError("waits must be finite and not negative")
        order = np.argsort(waits, kind="stable")
        w, event = waits[order], gave_up[order]
        at_risk = w.size - np.arange(w.size)
        times: list[float] = []
        survival: list[float] = []
        s = 1.0
        i = 0
        while i < w.size:
            j = i
            events = 0
            while j < w.size and w[j] == w[i]:
                events += int(event[j])
                j += 1
            if events:
                s *= 1.0 - events / at_risk[i]
                times.append(float(w[i]))
                survival.append(s)
            i = j
        exposure = float(waits.sum())
        rate = float(gave_up.sum()) / exposure if exposure > 0 else 0.0
        return cls(times=tuple(times), survival=tuple(survival), tail_rate=rate)

    def quantile(self, u: float) -> float:
        """The patience exceeded with probability ``u`` (0 < u <= 1)."""
        # survival is non-increasing: the first time it falls to u or below.
        falling = [-x for x in self.survival]
        k = bisect.bisect_left(falling, -u)
        if k < len(self.times):
            return self.times[k]
        if self.tail_rate <= 0:
            return math.inf
        last_s = self.survival[-1] if self.survival else 1.0
        last_t = self.times[-1] if self.times else 0.0
        return last_t + math.log(last_s / u) / self.tail_rate

    def sampler(self, rng: Random) -> Sampler:
        draw = rng.random
        quantile = self.quantile
        return lambda: quantile(1.0 - draw())

    @property
    def mean(self) -> float:
        if self.tail_rate <= 0 and (not self.survival or self.survival[-1] > 0):
            return math.inf
        edges = (0.0, *self.times)
        levels = (1.0, *self.survival)
        body = sum(levels[k] * (edges[k + 1] - edges[k]) for k in range(len(self.times)))
        tail = levels[-1] / self.tail_rate if self.tail_rate > 0 else 0.0
        return body + tail
