"""The demo's clock: the wall sped up, which jumps forward (a skipped night) only when told."""

from __future__ import annotations

import pytest

from hearthline.kernel.clock import ScaledClock


class _Wall:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_skipping_the_night_moves_the_clock_and_its_twins_forward_together() -> None:
    wall = _Wall()
    clock = ScaledClock(start=8 * 3600.0, rate=60.0, monotonic=wall)
    day = clock.shifted(-8 * 3600.0)
    wall.t += 2.0
    assert clock.now() == 8 * 3600.0 + 120.0
    clock.skip_to(32 * 3600.0)
    assert clock.now() == 32 * 3600.0
    assert day.now() == 24 * 3600.0  # the twin counts from its own origin, in step
    wall.t += 1.0
    assert clock.now() == 32 * 3600.0 + 60.0 and day.now() == 24 * 3600.0 + 60.0
    with pytest.raises(ValueError, match="cannot go back"):
        clock.skip_to(10 * 3600.0)
