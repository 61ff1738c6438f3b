"""The core runs as plain Python and, under ``make pytest-compiled``, as the mypyc build of
bench/compiled.py; these tests hold on both, and say which one they ran on."""

from __future__ import annotations

import os
import pickle
from types import ModuleType

from hearthline.kernel.ids import AgentId, ContactId, QueueId
from hearthline.routing import apply, handlers, matching, router, runtime
from hearthline.routing import events as ev
from hearthline.sim import engine, results, world


def _compiled(module: ModuleType) -> bool:
    return str(module.__file__).endswith((".so", ".pyd"))


def test_the_core_runs_on_the_build_the_run_asks_for() -> None:
    wanted = os.environ.get("HEARTHLINE_COMPILED") == "1"
    hot = (apply, handlers, matching, router, runtime, engine, results, world)
    assert {m.__name__: _compiled(m) for m in hot} == {m.__name__: wanted for m in hot}


def test_events_are_values_equal_and_hashed_by_their_fields() -> None:
    def queued(seq: int) -> ev.ContactQueued:
        return ev.ContactQueued(
            at=1.0,
            contact=ContactId("c"),
            queue=QueueId("q"),
            priority=0,
            waiting_since=1.0,
            seq=seq,
        )

    a, b, c = queued(3), queued(3), queued(4)
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    assert len({a, b, c}) == 2
    # Same fields, another event: never equal.
    assert ev.AgentSignedIn(at=1.0, agent=AgentId("x")) != ev.AgentSignedOut(
        at=1.0, agent=AgentId("x")
    )
    assert pickle.loads(pickle.dumps(a)) == a
    assert repr(a).startswith("ContactQueued(at=1.0, contact='c'")
    assert not hasattr(a, "__dict__")  # slotted: no stray attributes
