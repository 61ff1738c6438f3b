"""Each agent's state over time, as the log tells it: the one source of adherence and of
timesheets.

A ``Mark`` is the state from its time on: signed in or not, the not-ready reason (None
while ready or working a contact) and whether the connection holds. ``Timelines``
follows routing events and appends marks; nothing else changes them, so the same log
gives the same timelines, live, after a restart or on a replayed day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from hearthline.routing import events as ev
from hearthline.routing.config import SYSTEM_REASONS, SYSTEM_RESTART

# Reasons the center sets itself: time in them is never the agent's doing.
SYSTEM = frozenset(r.id for r in SYSTEM_REASONS)


@dataclass(frozen=True, slots=True)
class Mark:
    at: float
    signed_in: bool
    reason: str | None = None
    connected: bool = True

    @property
    def excused(self) -> bool:
        """Time the center, not the agent, is answerable for."""
        return self.signed_in and (
            not self.connected or (self.reason in SYSTEM and self.reason != "signed-in")
        )


OFF = Mark(0.0, signed_in=False)


@dataclass(frozen=True, slots=True)
class Segment:
    start: float
    end: float
    mark: Mark


def marks_at(marks: Iterable[Mark], at: float) -> Mark:
    """The mark in force at ``at``: the agent is off before the first."""
    current = OFF
    for m in marks:
        if m.at > at:
            break
        current = m
    return current


def segments(marks: Iterable[Mark], start: float, end: float) -> list[Segment]:
    """The marks as spans cut to ``[start, end)``; before the first mark the agent is off."""
    out: list[Segment] = []
    current = OFF
    for mark in marks:
        if mark.at >= end:
            break
        if mark.at > start:
            out.append(Segment(max(start, current.at), mark.at, current))
        current = mark
    out.append(Segment(max(start, current.at), end, current))
    return [s for s in out if s.end > s.start]


_STATE_EVENTS = frozenset(
    {
        ev.AgentSignedIn,
        ev.AgentSignedOut,
        ev.AgentBecameAvailable,
        ev.AgentWentNotReady,
        ev.AgentConnectionLost,
        ev.AgentReconnected,
    }
)


class Timelines:
    """Marks per agent from routing events, in log order."""

    def __init__(self) -> None:
        self.marks: dict[str, list[Mark]] = {}
        # The two latest distinct times in the log so far: a restart's events all carry
        # the time it came back, and the one before is when the server was last running.
        self._last = 0.0
        self._before_last = 0.0

    def current(self, agent: str) -> Mark:
        marks = self.marks.get(agent)
        return marks[-1] if marks else OFF

    def _put(self, agent: str, mark: Mark) -> None:
        self.marks.setdefault(agent, []).append(mark)

    def follow(self, event: object, *, seen: float | None = None) -> str | None:
        """Follows one event; the agent whose state it changed, or None. ``seen``: the
        time of the last event before this one's time, when the caller follows only some
        of the log (``store.queries.schedules.state_events``)."""
        at = float(getattr(event, "at", 0.0))
        if seen is not None:
            self._before_last, self._last = seen, max(seen, self._last)
        if at > self._last:
            self._before_last, self._last = self._last, at
        return self._follow(event)

    def replay(self, read: Iterable[tuple[float | None, object]]) -> None:
        for seen, event in read:
            self.follow(event, seen=seen)

    def _follow(self, e: object) -> str | None:
        if type(e) not in _STATE_EVENTS:  # most events: the hot path of every write
            return None
        if isinstance(e, ev.AgentSignedIn):
            self._put(e.agent, Mark(e.at, signed_in=True, reason="signed-in"))
        elif isinstance(e, ev.AgentSignedOut):
            self._put(e.agent, Mark(e.at, signed_in=False))
        elif isinstance(e, ev.AgentBecameAvailable):
            self._move(e.agent, e.at, reason=None)
        elif isinstance(e, ev.AgentWentNotReady):
            if e.reason == SYSTEM_RESTART:
                self._restarted(e.agent, e.at)
            else:
                self._move(e.agent, e.at, reason=e.reason)
        elif isinstance(e, ev.AgentConnectionLost):
            self._move(e.agent, e.at, connected=False)
        elif isinstance(e, ev.AgentReconnected):
            self._move(e.agent, e.at, connected=True)
        else:
            return None
        return str(e.agent)

    def _restarted(self, agent: str, at: float) -> None:
        # The server was down since the last thing it recorded: that time too is the
        # restart's, not the agent's (the connection loss it reports first included).
        marks = self.marks.get(agent)
        if not marks or not marks[-1].signed_in:
            return
        running = self._last if self._last < at else self._before_last
        while len(marks) > 1 and marks[-1].at >= at and not marks[-1].connected:
            marks.pop()
        since = max(marks[-1].at, min(at, running))
        self._put(agent, replace(marks[-1], at=since, reason=SYSTEM_RESTART, connected=False))

    def _move(self, agent: str, at: float, **change: object) -> None:
        now = self.current(agent)
        if not now.signed_in:
            return
        self._put(agent, replace(now, at=at, **change))  # type: ignore[arg-type]

    def forget_before(self, at: float) -> None:
        """Drops marks older than ``at``, keeping each agent's state at ``at``."""
        for agent, marks in self.marks.items():
            keep = [m for m in marks if m.at >= at]
            older = [m for m in marks if m.at < at]
            if older:
                keep.insert(0, older[-1])
            self.marks[agent] = keep
