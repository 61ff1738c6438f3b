"""The simulated world driving the real service (store, writer, recovery) in sped-up time."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from random import Random

from hearthline.kernel.clock import ScaledClock
from hearthline.routing import events as ev
from hearthline.service.bootstrap import bootstrap
from hearthline.sim import build, parse_scenario
from hearthline.sim.live import LiveEngine, WriterPort
from hearthline.sim.run import dispatcher
from hearthline.sim.world import World
from hearthline.store import config_repo
from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade

SCENARIO = """
[simulation]
name = "live"
seed = 3
start = "08:00"
end = "08:10"

[behaviour]
accept = { kind = "constant", value_s = 2 }

[[queues]]
id = "sales"
campaign = "shop-sales"
requirement = "sales>=1"
# Sized like the demo's: at a hundred times speed, 20 s would be a fifth of a real second.
offer_timeout_s = 600
arrivals = { per_hour = 240 }
handle_time = { kind = "exponential", mean_s = 60 }
patience = { kind = "exponential", mean_s = 300 }
wrap_up = { mode = "timed", seconds = 10 }

[[agents]]
count = 6
skills = { sales = 3 }
shift = { start = "08:00", end = "09:00" }
"""


def test_the_world_drives_the_real_service_in_accelerated_time(tmp_path: Path) -> None:
    built = build(parse_scenario(SCENARIO))
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = create_store_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        config_repo.save_routing_config(conn, built.routing, firm="firm", client_names={})
    engine.dispose()

    # Ten simulated minutes in ten real seconds, the demo's own speed. Faster, and the
    # commit latency of a loaded machine becomes simulated minutes: the world falls behind
    # its clock and its offers ring out before its agents can accept them.
    clock = ScaledClock(start=built.start, rate=60.0)
    writer = bootstrap(database_url=url, clock=clock, rng=Random(1))
    seen: list[ev.Event] = []
    try:
        live = LiveEngine(center=WriterPort(writer.execute), clock=clock, sink=lambda e: None)
        world = World(built, engine=live, rng=Random(built.seed))
        live.sink = dispatcher(world.handlers(), trace=seen)
        writer.subscribe(live.deliver)
        world.start()
        reached = live.run_live(built.end, threading.Event())
    finally:
        writer.stop()

    kinds = Counter(type(e).__name__ for e in seen)
    assert reached >= built.end
    assert world.calls > 20  # about 40 expected in ten minutes
    # Most calls are answered and finished through the real service (a loaded machine
    # stretches real latencies, which the speed-up turns into longer simulated waits).
    assert kinds["OfferAccepted"] >= world.calls * 0.5
    assert kinds["ContactCompleted"] >= world.calls * 0.4
    # Live time is not exact: a rare accept may land after its offer expired.
    assert live.refused <= world.calls * 0.05, live.refusals
    # The events the world reacted to are the durable ones, in log order.
    again = bootstrap(database_url=url, clock=clock, rng=Random(1))
    try:
        assert again.last_event_id >= len(seen)
    finally:
        again.stop()
