"""The seam between the simulated world and the contact center it drives.

Simulated callers and agents speak to the center only through :class:`RoutingPort`: send a
command, get the events it caused; ask when the center's own timers next have work, and
let them fire. The routing core's ``Router`` is such a center, in process, on a virtual
clock. A demo can put the real server behind the same protocol (commands over its HTTP
API, accelerated wall-clock time) and drive it with the very same simulated world.
"""

from __future__ import annotations

from typing import Protocol

from hearthline.routing.commands import Command
from hearthline.routing.events import Event


class RoutingPort(Protocol):
    def handle(self, command: Command) -> list[Event]:
        """Acts on ``command`` at the clock's current time; raises RoutingError if refused."""
        ...

    def tick(self) -> list[Event]:
        """Fires the center's timers that are due by now."""
        ...

    def next_deadline(self) -> float | None:
        """When ``tick`` next has work, or None."""
        ...

    def take_events(self) -> list[Event]:
        """Events left behind by a refused command (timers that fired before it)."""
        ...
