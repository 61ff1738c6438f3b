"""Package exports imported on first use (PEP 562), so a command line that only parses
its arguments, or runs one small job, does not import the whole server first.

    if TYPE_CHECKING:  # what type checkers see
        from hearthline.sim.run import simulate
    __getattr__ = lazy_exports(__name__, {"simulate": "hearthline.sim.run"})
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(package: str, names: Mapping[str, str]) -> Callable[[str], object]:
    """``package``'s module ``__getattr__``: ``names`` maps each export to its module."""

    def attribute(name: str) -> object:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return attribute
