"""Which B2BUA worker holds which call, when several run behind Kamailio
(``voice_b2bua_workers``, ``telephony/kamailio.py``).

Kamailio picks the worker for a caller's INVITE; the server learns it from that worker's
"invite" event, and sends every later signal for the call there. A dial-out is the
server's pick: the next live worker, in turn. A call is forgotten when its worker reports
it over, or when the worker itself is gone (its dialogs went with it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Events after which a worker holds the call no more.
_OVER = ("hangup", "failed")


class WorkerRoutes:
    def __init__(self, count: int) -> None:
        self.count = count
        self._of: dict[str, int] = {}
        # Dial-outs not answered yet: a lost worker's are failed calls, not hung up.
        self._ringing: set[str] = set()
        self._turn = 0

    def heard(self, worker: int, message: dict[str, Any]) -> None:
        """Takes note of an event from ``worker``."""
        call = str(message.get("call", ""))
        event = message.get("event")
        if event == "invite":
            self._of[call] = worker
        elif event == "answered":
            self._ringing.discard(call)
        elif event in _OVER and self._of.get(call) == worker:
            del self._of[call]
            self._ringing.discard(call)

    def to(self, message: dict[str, object], alive: Callable[[int], bool]) -> int | None:
        """The worker a signal goes to; None when no worker holds its call (it is over) or,
        for a dial-out, none runs."""
        call = str(message.get("call", ""))
        if message.get("do") != "dial":
            return self._of.get(call)
        for step in range(self.count):
            worker = (self._turn + step) % self.count
            if alive(worker):
                self._turn = worker + 1
                self._of[call] = worker
                self._ringing.add(call)
                return worker
        return None

    def holding(self, worker: int) -> list[str]:
        """The calls ``worker`` holds."""
        return [call for call, held_by in self._of.items() if held_by == worker]

    def lost(self, worker: int) -> list[dict[str, object]]:
        """Forgets the calls of a worker that is gone; returns what the server is to hear
        of them, as if the worker had said it: each call hung up, each dial-out still
        ringing failed (no reply)."""
        events: list[dict[str, object]] = []
        for call in self.holding(worker):
            del self._of[call]
            if call in self._ringing:
                self._ringing.discard(call)
                events.append({"event": "failed", "call": call, "code": 0,
                               "reason": "B2BUA worker exited"})  # fmt: skip
            else:
                events.append({"event": "hangup", "call": call})
        return events
