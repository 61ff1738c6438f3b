"""`hearthline demo`: the server on a fresh SQLite file, a simulated day running through it.

One process holds it all: the real service (the writer, the store, the routing core),
the real HTTP and WebSocket server with the browser pages, and the simulated world of
callers and forty agents. The world sends its commands to the same service the API
uses, and learns what happened from the same published, durable events the browsers
receive, so a person signed in as `you` takes calls beside the simulated agents and the
supervisor's wallboard counts them all alike.

Time is the wall clock sped up (one simulated minute a real second by default), starting
at today's 08:00: the service, the timers and the world all read that one clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from random import Random

import uvicorn

from hearthline.api.app import create_app
from hearthline.api.security import password_hasher
from hearthline.api.serving import run_until_stopped
from hearthline.api.settings import ServerSettings
from hearthline.demo import firm
from hearthline.kernel.clock import ScaledClock, WallClock
from hearthline.kernel.ids import ClientId
from hearthline.routing.config import CampaignConfig, CenterSettings, RoutingConfig
from hearthline.service.bootstrap import bootstrap
from hearthline.service.writer import Writer
from hearthline.sim.build import Built
from hearthline.sim.live import LiveEngine, WriterPort
from hearthline.sim.run import dispatcher
from hearthline.sim.world import World
from hearthline.store import config_repo
from hearthline.store.engine import SQLITE_FILE, create_store_engine
from hearthline.store.migrate import upgrade
from hearthline.web import mount

log = logging.getLogger(__name__)
# Real seconds a person gets for what the center times: a lost connection's grace, the
# wait for a named agent after a transfer. Scaled by the speed into simulated seconds.
_GRACE_REAL_S = 30.0
_TRANSFER_WAIT_REAL_S = 10.0


@dataclasses.dataclass(frozen=True, slots=True)
class DemoOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8080
    speed: float = 60.0


def demo_routing(built: Built, *, speed: float) -> RoutingConfig:
    """The scenario's routing, with the demo's client companies and people-sized timers."""
    campaigns = tuple(
        CampaignConfig(
            id=c.id,
            client=ClientId(firm.CAMPAIGN_CLIENTS[c.id]),
            name=firm.CAMPAIGN_NAMES[c.id],
            prefer_same_agent_s=c.prefer_same_agent_s,
        )
        for c in built.routing.campaigns
    )
    settings = CenterSettings(
        connection_grace_s=_GRACE_REAL_S * speed,
        direct_transfer_wait_s=_TRANSFER_WAIT_REAL_S * speed,
    )
    agents = tuple(
        a if a.name else dataclasses.replace(a, name=firm.agent_name(i, a.id))
        for i, a in enumerate(built.routing.agents)
    )
    return dataclasses.replace(built.routing, campaigns=campaigns, settings=settings, agents=agents)


def today_at(seconds_of_day: float) -> float:
    """Epoch seconds of today's local ``seconds_of_day``: the demo day happens today."""
    now = dt.datetime.fromtimestamp(WallClock().now(), tz=dt.UTC).astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.timestamp() + seconds_of_day


def prepare_store(options: DemoOptions, built: Built, *, argon2_time_cost: int = 3) -> str:
    """A fresh SQLite file in the data directory, migrated and seeded; returns its URL."""
    options.data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (options.data_dir / f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{(options.data_dir / SQLITE_FILE).resolve()}"
    engine = create_store_engine(url)
    try:
        upgrade(engine)
        hashed = password_hasher(time_cost=argon2_time_cost).hash(firm.PASSWORD)
        book = firm.customers(seed=built.seed)
        with engine.begin() as conn:
            config_repo.save_routing_config(
                conn,
                demo_routing(built, speed=options.speed),
                firm=firm.FIRM,
                client_names=firm.CLIENT_NAMES,
            )
            firm.save_firm_extras(conn, password_hash=hashed, book=book, now=WallClock().now())
    finally:
        engine.dispose()
    return url


class LiveDay:
    """The simulated world of ``built`` running against ``center`` on its own thread."""

    def __init__(self, writer: Writer, built: Built, *, clock: ScaledClock, origin: float):
        self.writer = writer
        self.built = built
        # The world counts seconds of the day; the center, epoch seconds from ``origin``.
        self.day_clock = clock.shifted(-origin)
        self.stop = threading.Event()
        self.finished = threading.Event()
        queue_clients = {str(q.id): firm.CAMPAIGN_CLIENTS[q.campaign] for q in built.routing.queues}
        callers = firm.CallerNumbers(
            firm.customers(seed=built.seed), queue_clients=queue_clients, seed=built.seed + 1
        )
        self.engine = LiveEngine(
            center=WriterPort(writer.execute), clock=self.day_clock, sink=lambda _: None
        )
        self.world = World(built, engine=self.engine, rng=Random(built.seed), caller_of=callers)
        self.engine.sink = dispatcher(self.world.handlers())
        self._thread = threading.Thread(target=self._run, name="demo-world", daemon=True)

    def start(self) -> None:
        self.writer.subscribe(self.engine.deliver)
        self.world.start()
        self._thread.start()

    def _run(self) -> None:
        try:
            self.engine.run_live(self.built.drain_end, self.stop)
        except Exception:  # the server goes on; say why the world stopped
            log.exception("the simulated world stopped")
        finally:
            self.finished.set()

    def close(self, timeout: float = 5.0) -> None:
        self.stop.set()
        self._thread.join(timeout)


def run_demo(options: DemoOptions, built: Built, *, say: Callable[[str], None] = print) -> int:
    """Serves the demo until interrupted (Ctrl-C); returns the exit code."""
    url = prepare_store(options, built)
    origin = today_at(0.0)
    clock = ScaledClock(start=origin + built.start, rate=options.speed)
    writer = bootstrap(database_url=url, clock=clock, rng=Random(built.seed))
    day: LiveDay | None = None
    try:
        settings = ServerSettings(
            host=options.host, port=options.port, data_dir=str(options.data_dir)
        )
        app = create_app(writer, settings)
        mount(app)
        day = LiveDay(writer, built, clock=clock, origin=origin)
        server = uvicorn.Server(
            uvicorn.Config(app, host=options.host, port=options.port, log_level="warning")
        )
        day.start()
        say(_welcome(options, built))
        run_until_stopped(server)
    finally:
        if day is not None:
            day.close()
        writer.stop()
    say("demo stopped")
    return 0


def _welcome(options: DemoOptions, built: Built) -> str:
    address = f"http://{options.host}:{options.port}/"
    rows = "\n".join(
        f"    {p.username:<12} {p.role.replace('_', ' '):<14} {_what(p)}" for p in firm.PEOPLE
    )
    agents = len(built.agents)
    return (
        f"\nHearthline demo: {built.name}\n"
        f"  {agents} simulated agents, {len(built.queues)} queues; the day runs from "
        f"{_clock(built.start)} to {_clock(built.end)} at {options.speed:g} simulated "
        f"seconds a second.\n\n"
        f"  Open {address} and sign in (password for all: {firm.PASSWORD}):\n{rows}\n\n"
        f"  Ctrl-C stops it.\n"
    )


def _what(p: firm.Person) -> str:
    if p.role == "agent":
        return "take calls beside the simulated agents (press Ready)"
    if p.role == "supervisor":
        return "the live wallboard, the agent grid, help requests"
    if p.role == "client_viewer":
        return f"sees only {firm.CLIENT_NAMES[p.client or '']}"
    return "set up clients, campaigns, queues, agents"


def _clock(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"
