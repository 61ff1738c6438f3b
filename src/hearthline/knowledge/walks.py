"""The path an agent takes through a call guide, recorded on the contact in the log.

Each answer (or step back) saves the whole path so far: the newest event of a contact is
its path, so a crashed tab, another tab or a supervisor reading the contact's history
all arrive at the same step by replaying it (``guides.replay``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SaveGuidePath:
    """The route has replayed ``path`` on the guide's ``version`` and found ``step``."""

    contact: str
    agent: str
    campaign: str
    version: int
    path: tuple[tuple[str, str], ...]
    step: str


@dataclass(frozen=True, slots=True)
class GuidePathSaved:
    at: float
    contact: str
    agent: str
    campaign: str
    version: int
    # (step, answer given there), in order; ``step`` is where they lead.
    path: tuple[tuple[str, str], ...]
    step: str
