"""The wall clock the live server drives the core with (UTC epoch seconds)."""

from __future__ import annotations

import time


class WallClock:
    """The real time. The one place the service reads the wall clock: everything else
    receives a clock, so tests and the simulator can pass their own."""

    def now(self) -> float:
        return time.time()  # noqa: TID251 -- this *is* the injected clock's implementation
