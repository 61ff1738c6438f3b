"""Random durations: handle times, caller patience, time to accept, break and drop lengths.

Every distribution draws from the one ``random.Random`` the simulation was seeded with,
bound once with :meth:`Distribution.sampler` so the event loop calls a plain function.
A lognormal is given by the mean and standard deviation a manager knows from reports,
not by the parameters of the underlying normal.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from random import Random

Sampler = Callable[[], float]


class Distribution:
    """A distribution of non-negative durations in seconds."""

    def sampler(self, rng: Random) -> Sampler:
        """A function drawing one value per call from ``rng``."""
        raise NotImplementedError

    @property
    def mean(self) -> float:
        """The mean in seconds (``inf`` for a duration that never ends)."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Constant(Distribution):
    value_s: float

    def sampler(self, rng: Random) -> Sampler:
        value = self.value_s
        return lambda: value

    @property
    def mean(self) -> float:
        return self.value_s


@dataclass(frozen=True, slots=True)
class Exponential(Distribution):
    mean_s: float

    def sampler(self, rng: Random) -> Sampler:
        rate = 1.0 / self.mean_s
        draw = rng.expovariate
        return lambda: draw(rate)

    @property
    def mean(self) -> float:
        return self.mean_s


@dataclass(frozen=True, slots=True)
class Lognormal(Distribution):
    """Parametrised by the mean and standard deviation of the durations themselves."""

    mean_s: float
    sd_s: float

    @property
    def mu_sigma(self) -> tuple[float, float]:
        """The mean and standard deviation of log(duration)."""
        sigma2 = math.log1p((self.sd_s / self.mean_s) ** 2)
        return math.log(self.mean_s) - sigma2 / 2.0, math.sqrt(sigma2)

    def sampler(self, rng: Random) -> Sampler:
        mu, sigma = self.mu_sigma
        draw = rng.lognormvariate
        return lambda: draw(mu, sigma)

    @property
    def mean(self) -> float:
        return self.mean_s


@dataclass(frozen=True, slots=True)
class Empirical(Distribution):
    """Draws one of the observed values, each equally likely (a bootstrap of history)."""

    values: tuple[float, ...]

    def sampler(self, rng: Random) -> Sampler:
        values = self.values
        n = len(values)
        draw = rng.random
        return lambda: values[int(draw() * n)]

    @property
    def mean(self) -> float:
        return math.fsum(self.values) / len(self.values)


@dataclass(frozen=True, slots=True)
class Never(Distribution):
    """A duration that never runs out: callers who never give up."""

    def sampler(self, rng: Random) -> Sampler:
        return lambda: math.inf

    @property
    def mean(self) -> float:
        return math.inf


@dataclass(frozen=True, slots=True)
class PiecewiseRate:
    """A Poisson arrival rate that is constant within each of consecutive pieces.

    ``starts`` are the piece starts in seconds of the day (increasing); piece ``i`` runs
    to ``starts[i + 1]``, the last one to ``end``. ``rates`` are calls per second.
    """

    starts: tuple[float, ...]
    rates: tuple[float, ...]
    end: float

    def __post_init__(self) -> None:
        if len(self.starts) != len(self.rates) or not self.starts:
            raise ValueError("a rate profile needs one rate per piece, and at least one piece")
        if any(b <= a for a, b in zip(self.starts, (*self.starts[1:], self.end), strict=True)):
            raise ValueError("rate pieces must be in increasing order of time")
        if any(not (r >= 0 and math.isfinite(r)) for r in self.rates):
            raise ValueError("arrival rates must be finite and >= 0")

    def next_arrival(self, t: float, draw: Callable[[float], float]) -> float:
        """The first arrival after ``t`` (``inf`` if none before the end).

        Within a piece arrivals are exponential gaps; at a piece boundary the draw starts
        again at the boundary with the new rate, which memorylessness makes exact.
        """
        starts, rates, end = self.starts, self.rates, self.end
        i = bisect.bisect_right(starts, t) - 1
        if i < 0:
            t, i = starts[0], 0
        while t < end:
            stop = starts[i + 1] if i + 1 < len(starts) else end
            rate = rates[i]
            if rate > 0:
                nxt = t + draw(rate)
                if nxt < stop:
                    return nxt
            t, i = stop, i + 1
        return math.inf

    def expected_calls(self) -> float:
        """The mean number of arrivals over the whole profile."""
        bounds = (*self.starts[1:], self.end)
        return math.fsum(
            r * (b - a) for a, b, r in zip(self.starts, bounds, self.rates, strict=True)
        )


def piecewise(values: Sequence[float], *, start: float, width: float) -> PiecewiseRate:
    """Calls per interval of ``width`` seconds from ``start`` as a :class:`PiecewiseRate`."""
    starts = tuple(start + i * width for i in range(len(values)))
    return PiecewiseRate(
        starts=starts, rates=tuple(v / width for v in values), end=start + len(values) * width
    )
