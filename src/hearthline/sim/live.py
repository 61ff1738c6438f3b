"""The simulated world in real time, against a center that keeps its own clock.

The discrete-event ``Engine`` jumps its clock from one entry to the next. For the demo
the world instead drives the real service (the same one browsers talk to): time is the
wall clock sped up by a ``ScaledClock``, the center fires its own timers, and the world
learns what happened from the center's published events (after they are durable), as
every other client does. The world's code is the same in both cases.
"""

from __future__ import annotations

import heapq
import queue
import threading
from collections.abc import Callable

from hearthline.kernel.clock import ScaledClock
from hearthline.kernel.envelope import Envelope
from hearthline.routing.commands import Command
from hearthline.routing.events import Event
from hearthline.sim.engine import Engine, EventSink

# Longest the loop sleeps before looking again (real seconds): bounds how late a stop is seen.
_POLL_S = 0.2


class WriterPort:
    """The ``sim.port.RoutingPort`` protocol over a service that keeps its own time.

    Commands are executed (and refusals raised) synchronously; the events they cause come
    back through the service's subscription, in log order, with everyone else's. The
    service fires its own timers, so there is never a deadline to report here.
    """

    def __init__(self, execute: Callable[[Command], object]) -> None:
        self._execute = execute

    def handle(self, command: Command) -> list[Event]:
        self._execute(command)
        return []

    def tick(self) -> list[Event]:
        return []

    def next_deadline(self) -> float | None:
        return None

    def take_events(self) -> list[Event]:
        return []


class LiveEngine(Engine):
    """Runs the world's scheduled actions when the scaled clock reaches them, and feeds it
    the service's events as they are published."""

    def __init__(self, *, center: WriterPort, clock: ScaledClock, sink: EventSink) -> None:
        super().__init__(center=center, clock=clock, sink=sink)
        self.scaled = clock
        self._inbox: queue.SimpleQueue[Event] = queue.SimpleQueue()

    def deliver(self, envelope: Envelope) -> None:
        """A service subscriber: called on the service's writer thread after each commit."""
        event = envelope.event
        if isinstance(event, Event):
            self._inbox.put(event)

    def _drain(self) -> None:
        batch: list[Event] = []
        while True:
            try:
                batch.append(self._inbox.get_nowait())
            except queue.Empty:
                break
        if batch:
            self.sink(batch)

    def run_live(self, until: float, stop: threading.Event) -> float:
        """Runs until the simulated time ``until``, a halt, or ``stop`` is set."""
        heap = self.heap
        handlers = self.handlers
        clock = self.scaled
        while not stop.is_set() and not self._halted:
            self._drain()
            now = clock.now()
            if now >= until:
                break
            if heap and heap[0][0] <= now:
                t, _, kind, payload = heapq.heappop(heap)
                handlers[kind](t, payload)
                self.steps += 1
                continue
            wait = _POLL_S if not heap else min(_POLL_S, clock.real_seconds(heap[0][0] - now))
            try:
                first = self._inbox.get(timeout=max(wait, 0.0))
            except queue.Empty:
                continue
            self.sink([first])
        return clock.now()
