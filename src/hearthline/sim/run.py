"""One simulated day, end to end: scenario -> world + engine + routing core -> results.

    results = simulate(load_scenario("examples/scenarios/mmn-400.toml"))

The routing core is the real ``Router`` on a ``ManualClock``; the world, the core (for
its random strategy) and every distribution draw from one ``random.Random(seed)``, so the
same seed gives the same day, event for event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from random import Random
from typing import Any

from hearthline.kernel.clock import ManualClock
from hearthline.routing.events import Event
from hearthline.routing.router import Router
from hearthline.sim.build import Built, build
from hearthline.sim.engine import Engine, EventSink
from hearthline.sim.results import Collector, Results
from hearthline.sim.scenario import Scenario
from hearthline.sim.world import World
from hearthline.voice.figures import NodeFigure

# After the day, the run goes on while calls are in hand; this often it looks whether done.
_DRAIN_CHECK_S = 5.0
Progress = Callable[[float], None]


def simulate(
    scenario: Scenario | Built,
    *,
    seed: int | None = None,
    trace: list[Event] | None = None,
    progress: Progress | None = None,
) -> Results:
    """Runs the scenario's day; ``trace`` (if given) receives every event of the core."""
    built = scenario if isinstance(scenario, Built) else build(scenario)
    seed = built.seed if seed is None else seed
    rng = Random(seed)
    clock = ManualClock(built.start)
    router = Router(clock=clock, rng=rng)
    collector = Collector(built)
    sink_ref: list[EventSink] = []
    engine = Engine(center=router, clock=clock, sink=lambda events: sink_ref[0](events))
    world = World(built, engine=engine, rng=rng)
    sink = dispatcher(world.handlers(), collector.handlers(), trace=trace)
    sink_ref.append(sink)
    engine.sink = sink

    def check_done(t: float, _: Any) -> None:
        if collector.open_contacts() == 0:
            engine.halt()
        else:
            engine.at(t + _DRAIN_CHECK_S, k_check, None)

    k_check = engine.kind(check_done)
    wall = time.perf_counter()
    sink(router.configure(built.routing))
    world.start()
    engine.at(built.end, k_check, None)
    reached = engine.run(built.drain_end, on_step=progress)
    wall = time.perf_counter() - wall
    run = {
        "calls": world.calls,
        "steps": engine.steps,
        "refused_commands": engine.refused,
        "refusals": engine.refusals,
        "ended_at_s": reached,
        "unfinished_contacts": collector.open_contacts(),
        "wall_s": wall,
        "calls_per_s": world.calls / wall if wall > 0 else 0.0,
        "menu_callers": world.menu_callers,
        "menu_hangups": world.menu_hangups,
        "menu_mean_s": world.menu_seconds / world.menu_callers if world.menu_callers else 0.0,
        # Per menu (the queue it is before) and node, as the server's figures endpoint.
        "menu_nodes": [_node_row(f) for f in world.menu_nodes.figures()],
    }
    return collector.finish(reached, name=built.name, seed=seed, run=run)


def dispatcher(
    *tables: dict[type[Event], Callable[[Any], None]], trace: list[Event] | None = None
) -> EventSink:
    """One function feeding each event to every handler registered for its type."""
    merged: dict[type[Event], list[Callable[[Any], None]]] = {}
    for table in tables:
        for kind, handler in table.items():
            merged.setdefault(kind, []).append(handler)
    flat = {kind: _chain(hs) for kind, hs in merged.items()}
    get = flat.get

    def sink(events: list[Event]) -> None:
        if trace is not None:
            trace.extend(events)
        for e in events:
            h = get(type(e))
            if h is not None:
                h(e)

    return sink


def _chain(handlers: list[Callable[[Any], None]]) -> Callable[[Any], None]:
    if len(handlers) == 1:
        return handlers[0]
    first, *rest = handlers
    if len(rest) == 1:
        second = rest[0]

        def both(e: Any) -> None:
            first(e)
            second(e)

        return both

    def each(e: Any) -> None:
        for h in handlers:
            h(e)

    return each


def _node_row(f: NodeFigure) -> dict[str, Any]:
    """One menu node's figures in the run's report, as the server's figures endpoint."""
    return {
        "menu": f.number, "node": f.node, "visits": f.visits, "mean_s": f.mean_s,
        "seconds": f.seconds, "hangups": f.hangups, "zero_outs": f.zero_outs,
        "timeouts": f.timeouts, "invalids": f.invalids, "exits": dict(f.exits),
    }  # fmt: skip
