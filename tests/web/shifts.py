"""Shifts as the schedules API takes them, for the browser tests of picking and changes."""

from __future__ import annotations

import time

LUNCH = {"min_shift_h": 6, "length_min": 30, "paid": False, "reason": "lunch"}


def now() -> float:
    return time.time()  # noqa: TID251 -- the served core runs on the wall clock


def seat(ident: str, began: float) -> dict[str, object]:
    """An eight-hour returns shift from ``began`` with an unpaid half-hour lunch at four."""
    lunch = {"start": began + 4 * 3600, "end": began + 4.5 * 3600, "paid": False, "reason": "lunch"}
    return {
        "id": ident,
        "group": "returns",
        "start": began,
        "end": began + 8 * 3600,
        "breaks": [lunch],
    }
