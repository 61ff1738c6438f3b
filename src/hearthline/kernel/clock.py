"""Time and randomness, handed to whatever needs them instead of read from globals.

The routing core and every pure domain take a ``Clock`` and an ``Rng`` as arguments. The
server passes the ``WallClock``; the demo a ``ScaledClock`` (the wall sped up); the
simulator and the tests a ``ManualClock`` they move themselves. Times are seconds as
floats (UTC epoch seconds in the server, seconds since the start of the day in the
simulator): the core only ever compares and subtracts them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...


class SettableClock(Protocol):
    """The driver's side of a clock: the simulator's engine moves it, the core reads it."""

    def now(self) -> float: ...

    def set(self, t: float) -> None: ...


class Rng(Protocol):
    """The slice of ``random.Random`` the core uses; a seeded instance makes runs repeatable."""

    def randrange(self, stop: int, /) -> int: ...


class ManualClock:
    """A clock that moves only when told to: for the simulator and the tests."""

    __slots__ = ("_now",)

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def set(self, t: float) -> None:
        if t < self._now:
            raise ValueError(f"clock cannot go back: now {self._now}, asked for {t}")
        self._now = t

    def advance(self, dt: float) -> None:
        self.set(self._now + dt)


class WallClock:
    """The real time: the one place that reads the wall clock, so that everything else can
    be given another."""

    rate = 1.0

    def now(self) -> float:
        return time.time()  # noqa: TID251 -- this *is* the injected clock's implementation


class _Skipped:
    """Simulated seconds skipped so far, shared by a clock and its shifted twins."""

    __slots__ = ("seconds",)

    def __init__(self) -> None:
        self.seconds = 0.0


class ScaledClock:
    """The wall clock sped up: ``rate`` simulated seconds pass in each real second.

    It starts at ``start`` (seconds since the simulated midnight) and runs on the
    monotonic clock, so the simulated day never jumps with the system time; it jumps
    only forward, when told to (``skip_to``: the demo's night). A writer waiting for the
    core's next deadline divides by ``rate`` to wait in real seconds.
    """

    def __init__(
        self, *, start: float, rate: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if not rate > 0:
            raise ValueError(f"rate must be > 0, got {rate}")
        self.rate = rate
        self._start = start
        self._monotonic = monotonic
        self._t0 = monotonic()
        self._skipped = _Skipped()

    def now(self) -> float:
        return self._start + self._skipped.seconds + (self._monotonic() - self._t0) * self.rate

    def skip_to(self, t: float) -> None:
        """Moves this clock (and its twins) forward to ``t`` at once; never back."""
        now = self.now()
        if t < now:
            raise ValueError(f"clock cannot go back: now {now}, asked for {t}")
        self._skipped.seconds += t - now

    def set(self, t: float) -> None:
        raise RuntimeError("a scaled wall clock cannot be set: only the wall moves it")

    def real_seconds(self, simulated: float) -> float:
        """How many real seconds ``simulated`` seconds take."""
        return simulated / self.rate

    def shifted(self, by: float) -> ScaledClock:
        """The same clock read from another origin (``now() + by``), ticking in step."""
        twin = ScaledClock(start=self._start + by, rate=self.rate, monotonic=self._monotonic)
        twin._t0 = self._t0
        twin._skipped = self._skipped
        return twin
