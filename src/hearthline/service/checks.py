"""Checks on a command's values before the core sees them: what the log could not hold.

The core checks meaning (unknown ids, illegal moves); these check form, so that every
event a command produces can be stored and read back: text must be valid UTF-8 without
NUL (PostgreSQL stores no NUL in text) and of bounded size, numbers finite.
"""

from __future__ import annotations

import dataclasses
import math
from enum import Enum

from hearthline.kernel.text import MAX_TEXT_BYTES, text_problem
from hearthline.service.errors import BadCommand

MAX_ITEMS = 1000


def check_values(command: object) -> None:
    """Raises BadCommand naming the first field whose value the log could not hold."""
    if not dataclasses.is_dataclass(command) or isinstance(command, type):
        raise BadCommand(f"not a command: {type(command).__name__}")
    _check(command, type(command).__name__, 0)


def _check(value: object, where: str, depth: int) -> None:
    if depth > 8:
        raise BadCommand(f"{where}: nested too deeply")
    if value is None or isinstance(value, (bool, Enum)):
        return
    if isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, int):
        if abs(value) >= 2**63:
            raise BadCommand(f"{where}: {value} is out of range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadCommand(f"{where}: must be a finite number, not {value}")
    elif isinstance(value, (tuple, frozenset)):
        if len(value) > MAX_ITEMS:
            raise BadCommand(f"{where}: {len(value)} items; the limit is {MAX_ITEMS}")
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]", depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _check(getattr(value, f.name), f"{where}.{f.name}", depth + 1)
    else:
        raise BadCommand(f"{where}: unexpected value of type {type(value).__name__}")


def _check_text(text: str, where: str) -> None:
    problem = text_problem(text, limit=MAX_TEXT_BYTES)
    if problem is not None:
        raise BadCommand(f"{where} {problem}")
