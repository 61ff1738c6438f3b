"""``record``: the value classes a hot path builds by the hundred thousand (events, commands).

A record is a slotted dataclass with value equality and a hash, read-only to the type
checker: mypy (strict, run on every change) refuses any assignment to its fields, as it
would for ``@dataclass(frozen=True)``. At run time it skips the frozen check, which makes
every field assignment in ``__init__`` go through ``object.__setattr__``: that check made
building an event cost 1-2 us, about a third of what the routing core spends on a call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, dataclass_transform

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True)
def record(cls: type[_T]) -> type[_T]:
    """``@dataclass(frozen=True, slots=True)`` for the type checker, without the run-time
    cost of frozen; the hash is the frozen dataclass's (of the fields, in order)."""
    return dataclass(slots=True, unsafe_hash=True)(cls)


# For the compiled build (bench/compiled.py): ``allow_interpreted_subclasses=True`` on a
# class that plain code subclasses (a test's watching router, the demo's engine), which
# compiled classes otherwise refuse; ``serializable=True`` on a native class that must
# pickle (the core's records in a snapshot); ``native_class=False`` on a value that must
# pickle and need not be native.
# mypyc reads the decorator where it is written; plain Python, where mypy_extensions need
# not be installed, ignores it.
if TYPE_CHECKING:
    from mypy_extensions import mypyc_attr as mypyc_attr
else:

    def mypyc_attr(*args, **kwargs):
        return lambda cls: cls
