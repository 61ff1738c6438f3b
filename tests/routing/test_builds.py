"""The core runs as plain Python and, under ``make pytest-compiled``, as the mypyc build of
bench/compiled.py; these tests hold on both, and say which one they ran on. The plain
package needs neither mypy nor a C compiler, checked below with neither to be found."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from hearthline.kernel.ids import AgentId, ContactId, QueueId
from hearthline.routing import apply, handlers, matching, router, runtime
from hearthline.routing import events as ev
from hearthline.sim import engine, results, world

REPO = Path(__file__).resolve().parents[2]


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


# Run in a child on the sources alone, where neither mypy, mypyc nor a C compiler can be
# found: a simulated day, and a snapshot of the core in the middle of it that loads back.
_PLAIN_CHILD = """
import json, random, sys
for name in ("mypy", "mypyc", "mypy_extensions", "setuptools"):
    sys.modules[name] = None  # importing any of them now fails
from hearthline.kernel.clock import ManualClock
from hearthline.routing.router import Router
from hearthline.sim import load_scenario, simulate
trace = []
result = simulate(load_scenario(sys.argv[1]), seed=1, trace=trace)
half = trace[: len(trace) // 2]
live = Router.replay(half, clock=ManualClock(half[-1].at), rng=random.Random(0))
restored = Router.load_state(live.dump_state(), clock=ManualClock(0.0), rng=random.Random(0))
print(json.dumps({
    "calls": result.run["calls"],
    "contacts": len(live.snapshot()["contacts"]),
    "restored": restored.snapshot() == live.snapshot(),
    "modules": sorted(
        m.__file__ for n, m in sys.modules.items()
        if n.startswith("hearthline") and getattr(m, "__file__", None)
    ),
}))
"""


def test_the_plain_package_runs_without_mypy_or_a_c_compiler(tmp_path: Path) -> None:
    src = REPO / "src"
    assert not list(src.rglob("*.so"))  # the compiled build never writes into the sources
    empty = tmp_path / "bin"  # PATH: no cc, gcc or clang to be found
    empty.mkdir()
    child = subprocess.run(
        [sys.executable, "-c", _PLAIN_CHILD, str(REPO / "examples/scenarios/multi-queue-day.toml")],
        cwd=tmp_path,
        env={"PATH": str(empty), "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(child.stdout)
    assert out["calls"] > 1_000
    assert out["contacts"] > 0  # the snapshot is taken with calls in hand
    assert out["restored"] is True
    assert out["modules"] and all(
        f.startswith(str(src)) and f.endswith(".py") for f in out["modules"]
    )
