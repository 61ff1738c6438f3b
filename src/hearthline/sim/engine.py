"""The discrete-event loop: a virtual clock and a heap of what the simulated world does next.

Entries are ``(time, seq, kind, payload)``: ``seq`` breaks ties in the order things were
scheduled, so a run never depends on how payloads compare; ``kind`` is a small int
indexing the handler table. Before handling an entry at time ``t`` every timer of the
center due by ``t`` fires, in order, at its own time. The loop allocates nothing per entry
beyond the entry itself: it is the simulator's hot path.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from typing import Any

from hearthline.kernel.clock import SettableClock
from hearthline.kernel.records import mypyc_attr
from hearthline.routing.commands import Command
from hearthline.routing.errors import RoutingError
from hearthline.routing.events import Event
from hearthline.sim.port import RoutingPort

Handler = Callable[[float, Any], None]
EventSink = Callable[[list[Event]], None]
# How many refusals are kept word for word for the report.
_KEPT_REFUSALS = 20


@mypyc_attr(allow_interpreted_subclasses=True)
class Engine:
    """Runs handlers in time order and passes every event of the center to ``sink``."""

    def __init__(self, *, center: RoutingPort, clock: SettableClock, sink: EventSink) -> None:
        self.center = center
        self.clock = clock
        self.sink = sink
        self.heap: list[tuple[float, int, int, Any]] = []
        self.seq = 0
        self.handlers: list[Handler] = []
        self.refused = 0
        self.refusals: list[str] = []
        self.steps = 0
        self._halted = False

    def now(self) -> float:
        return self.clock.now()

    def kind(self, handler: Handler) -> int:
        """Registers ``handler`` and returns the kind to schedule it with."""
        self.handlers.append(handler)
        return len(self.handlers) - 1

    def at(self, t: float, kind: int, payload: Any) -> None:
        """Schedules ``handlers[kind](t, payload)``; ``inf`` means never."""
        if t != math.inf:
            self.seq += 1
            heapq.heappush(self.heap, (t, self.seq, kind, payload))

    def send(self, command: Command) -> bool:
        """Sends ``command`` to the center now; False (and counted) if it was refused."""
        try:
            events = self.center.handle(command)
        except RoutingError as exc:
            self.refused += 1
            if len(self.refusals) < _KEPT_REFUSALS:
                self.refusals.append(f"t={self.clock.now():.1f} {type(command).__name__}: {exc}")
            self.sink(self.center.take_events())
            return False
        self.sink(events)
        return True

    def try_send(self, command: Command) -> bool:
        """Like :meth:`send` for a command that may be refused as a matter of course."""
        try:
            events = self.center.handle(command)
        except RoutingError:
            self.sink(self.center.take_events())
            return False
        self.sink(events)
        return True

    def halt(self) -> None:
        """Stops the run after the current handler."""
        self._halted = True

    def run(self, until: float, *, on_step: Callable[[float], None] | None = None) -> float:
        """Runs everything due up to ``until`` (or a halt); returns the time reached.

        ``on_step`` (progress reporting) is called about every 65,536 entries.
        """
        heap = self.heap
        pop = heapq.heappop
        center = self.center
        deadline = center.next_deadline
        tick = center.tick
        sink = self.sink
        clock = self.clock
        set_time = clock.set
        handlers = self.handlers
        steps = self.steps
        now = clock.now()
        while heap and not self._halted:
            t = heap[0][0]
            if t > until:
                break
            d = deadline()
            if d is not None and d <= t:
                # A timer set for a moment already past fires now: the clock never goes back.
                if d > now:
                    set_time(d)
                    now = d
                sink(tick())
                continue  # what the timers caused may come before ``t``: look again
            _, _, kind, payload = pop(heap)
            if t > now:
                set_time(t)
                now = t
            handlers[kind](t, payload)
            steps += 1
            if not steps & 0xFFFF and on_step is not None:
                on_step(t)
        d = deadline()
        while not self._halted and d is not None and d <= until:
            if d > now:
                set_time(d)
                now = d
            sink(tick())
            d = deadline()
        self.steps = steps
        return clock.now()
