"""What the routing core is given instead of reaching for the wall clock or global randomness.

The server passes a wall clock; the simulator and the tests pass a clock they move
themselves. Times are seconds as floats (UTC epoch seconds in the server, seconds since
the start of the day in the simulator): the core only ever compares and subtracts them.
"""

from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...


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
