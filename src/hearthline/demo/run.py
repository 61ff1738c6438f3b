"""`hearthline demo`: the server on a fresh SQLite file, a simulated day running through it.

One process holds it all: the real service (the writer, the store, the routing core),
the real HTTP and WebSocket server with the browser pages, and the simulated world of
callers and forty agents. The world sends its commands to the same service the API
uses, and learns what happened from the same published, durable events the browsers
receive, so a person signed in as `you` takes calls beside the simulated agents and the
supervisor's wallboard counts them all alike.

Time is the wall clock sped up (one simulated minute a real second by default), starting
at today's 08:00: the service, the timers, the world and the browsers all read that one
clock. The demo runs day after day until Ctrl-C: when a day's last calls are done, the
night is skipped (the clock jumps to the next morning) and the next day starts.
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
from fastapi import FastAPI
from sqlalchemy import insert

from hearthline.api.app import create_app
from hearthline.api.security import password_hasher
from hearthline.api.serving import bind_port, limits, run_until_stopped
from hearthline.api.settings import ServerSettings
from hearthline.demo import firm, knowledge, pay, speaking
from hearthline.kernel.clock import ScaledClock, WallClock
from hearthline.kernel.ids import ClientId
from hearthline.routing.config import CampaignConfig, CenterSettings, RoutingConfig
from hearthline.service.bootstrap import bootstrap
from hearthline.service.writer import Writer
from hearthline.sim.build import Built
from hearthline.sim.live import LiveEngine, WriterPort
from hearthline.sim.run import dispatcher
from hearthline.sim.world import World
from hearthline.store import config_repo, tables
from hearthline.store.engine import SQLITE_FILE, create_store_engine
from hearthline.store.migrate import upgrade
from hearthline.web import mount

log = logging.getLogger(__name__)
# Real seconds a person gets for what the center times: a lost connection's grace, the
# wait for a named agent after a transfer. Scaled by the speed into simulated seconds.
_GRACE_REAL_S = 30.0
_TRANSFER_WAIT_REAL_S = 10.0
# Sessions count simulated time like everything else: the default twelve hours would sign
# everyone out after one demo day. A year of simulated days outlasts any demonstration.
_SESSION_TTL_S = 365 * 86400.0
# Real seconds the night is given to finish what the day left in hand (the last calls end,
# the last wrap-ups finish, the late shift signs out) before the next morning.
_NIGHT_REAL_S = 3.0


@dataclasses.dataclass(frozen=True, slots=True)
class DemoOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8080
    speed: float = 60.0
    # Real calls where rtpengine, espeak-ng and sox are installed (`make voice`).
    voice: bool = False


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


def today_at(seconds_of_day: float, *, days_on: int = 0) -> float:
    """Epoch seconds of the local ``seconds_of_day`` of today (the demo's first day
    happens today), or of the day ``days_on`` days later."""
    now = dt.datetime.fromtimestamp(WallClock().now(), tz=dt.UTC).astimezone()
    date = now.date() + dt.timedelta(days=days_on)
    midnight = dt.datetime.combine(date, dt.time()).astimezone()
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
        routing = demo_routing(built, speed=options.speed)
        with engine.begin() as conn:
            config_repo.save_routing_config(
                conn,
                routing,
                firm=firm.FIRM,
                client_names=firm.CLIENT_NAMES,
            )
            firm.save_firm_extras(conn, password_hash=hashed, book=book, now=WallClock().now())
            conn.execute(insert(tables.numbers), firm.dialled_numbers(q.id for q in built.queues))
        knowledge.save_knowledge(
            engine, at=WallClock().now(), due_at=today_at(built.start, days_on=2)
        )
        pay.save_pay(engine, (str(a.id) for a in routing.agents), at=WallClock().now())
    finally:
        engine.dispose()
    return url


class LiveDay:
    """The simulated world of ``built`` running against ``writer`` on its own thread, day
    after day: each day a fresh world (its own contact ids and draws) on that day's clock."""

    def __init__(
        self,
        writer: Writer,
        built: Built,
        *,
        clock: ScaledClock,
        say: Callable[[str], None] = print,
        requirement: str | None = None,
    ):
        self.writer = writer
        self.built = built
        # Every simulated caller's own skill requirement (the World's), if any.
        self.requirement = requirement
        self.clock = clock
        self.say = say
        self.day = 0  # days after the first
        self.stop = threading.Event()
        self.finished = threading.Event()
        queue_clients = {str(q.id): firm.CAMPAIGN_CLIENTS[q.campaign] for q in built.routing.queues}
        self.callers = firm.CallerNumbers(
            firm.customers(seed=built.seed), queue_clients=queue_clients, seed=built.seed + 1
        )
        self.engine, self.world = self._day(0, left_over=None)
        self._thread = threading.Thread(target=self._run, name="demo-world", daemon=True)

    def _day(self, day: int, *, left_over: World | None) -> tuple[LiveEngine, World]:
        # The world counts seconds of its day; the center, epoch seconds.
        day_clock = self.clock.shifted(-today_at(0.0, days_on=day))
        engine = LiveEngine(center=WriterPort(self.writer.execute), clock=day_clock, sink=_ignore)
        world = World(
            self.built,
            engine=engine,
            rng=Random(self.built.seed + day),
            caller_of=self.callers,
            contact_prefix="" if day == 0 else f"d{day + 1}-",
            requirement=self.requirement,
        )
        if left_over is not None:
            # A callback the center still owes from the day before is this day's to answer.
            world.waiting.update(left_over.waiting)
            world.manual_wrap.update(left_over.manual_wrap)
        engine.sink = dispatcher(world.handlers())
        return engine, world

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                self._run_day()
                if self.stop.is_set():
                    break
                self.day += 1
                self.engine, self.world = self._day(self.day, left_over=self.world)
                self.say(
                    f"Day {self.day + 1} ({_date(self.day)}) starts at {_clock(self.built.start)}."
                )
        except Exception:  # the server goes on; say why the world stopped
            log.exception("the simulated world stopped")
            self.say("The simulated world stopped (see the log above); the server goes on.")
        finally:
            self.finished.set()

    def _run_day(self) -> None:
        engine, built = self.engine, self.built
        unsubscribe = self.writer.subscribe(engine.deliver)
        try:
            self.world.start()
            engine.run_live(built.drain_end, self.stop)
            if self.stop.is_set():
                return
            self.say(
                f"Day {self.day + 1} is over at {_clock(built.drain_end)}; the night is skipped "
                f"and the next day starts at {_clock(built.start)} (Ctrl-C stops the demo)."
            )
            # The night: jump to a little before the next morning, and give what the day
            # left in hand a few real seconds to end (its timers are all due by then).
            morning = _DAY_S + built.start
            night_end = morning - min(_NIGHT_REAL_S * self.clock.rate, morning - built.drain_end)
            self.clock.skip_to(max(self.clock.now(), today_at(night_end, days_on=self.day)))
            engine.run_live(morning, self.stop)
        finally:
            unsubscribe()

    def close(self, timeout: float = 5.0) -> None:
        self.stop.set()
        self._thread.join(timeout)


_DAY_S = 86400.0


def _ignore(_: object) -> None:
    """The engine's sink until its world is wired in."""


def _date(days_on: int) -> str:
    day = dt.datetime.fromtimestamp(today_at(0.0, days_on=days_on), tz=dt.UTC).astimezone()
    return day.strftime("%A %d %B")


def run_demo(options: DemoOptions, built: Built, *, say: Callable[[str], None] = print) -> int:
    """Serves the demo until interrupted (Ctrl-C); returns the exit code."""
    # The port first: taken, it is one clear line before anything is printed or prepared.
    sock = bind_port(options.host, options.port)
    try:
        url = prepare_store(options, built)
    except BaseException:
        sock.close()
        raise
    clock = ScaledClock(start=today_at(built.start), rate=options.speed)
    writer = bootstrap(database_url=url, clock=clock, rng=Random(built.seed))
    day: LiveDay | None = None
    callers: speaking.SpeakingCallers | None = None
    try:
        settings = ServerSettings(
            host=options.host,
            port=options.port,
            data_dir=str(options.data_dir),
            session_ttl_s=_SESSION_TTL_S,
            voice=options.voice,
            # Real calls go to the person at the desk, who may also be the caller.
            voice_call_page="local",
            voice_calls_require=speaking.CALLS_REQUIRE,
        )
        app = create_app(writer, settings)
        mount(app)
        if options.voice and speaking.available():
            callers = _speaking_callers(options, built, writer, settings, app)
        # With callers who speak, the person at the desk takes real calls only: a silent
        # simulated contact between them would sound like a broken line.
        day = LiveDay(
            writer, built, clock=clock, say=say,
            requirement=speaking.SIMULATED_REQUIRE if callers is not None else None,
        )  # fmt: skip
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=options.host,
                port=options.port,
                log_level="warning",
                **limits(settings),
            )
        )
        day.start()
        if callers is not None:
            callers.start()
        say(_welcome(options, built, speaking=callers is not None))
        run_until_stopped(server, sock)
    finally:
        sock.close()
        if callers is not None:
            callers.close()
        if day is not None:
            day.close()
        writer.stop()
    say("demo stopped")
    return 0


def _speaking_callers(
    options: DemoOptions, built: Built, writer: Writer, settings: ServerSettings, app: FastAPI
) -> speaking.SpeakingCallers:
    campaigns = {str(q.id): str(q.campaign) for q in built.routing.queues}
    lines = [
        (row["number"], row["queue_id"], campaigns[row["queue_id"]])
        for row in firm.dialled_numbers(q.id for q in built.queues)
    ]
    directory = options.data_dir.resolve() / "voice" / "callers"
    context = app.state.app_context
    phones = [c.phone for c in firm.customers(seed=built.seed)[:50] if c.phone]
    return speaking.SpeakingCallers(
        writer,
        lambda: speaking.prepare(lines, directory),
        sip_port=settings.voice_sip_port,
        callers=phones,
        seed=built.seed,
        ready=lambda: context.voice is not None,
    )


def _welcome(options: DemoOptions, built: Built, *, speaking: bool = False) -> str:
    address = f"http://{options.host}:{options.port}/"
    rows = "\n".join(
        f"    {p.username:<12} {p.role.replace('_', ' '):<14} {_what(p)}" for p in firm.PEOPLE
    )
    agents = len(built.agents)
    return (
        f"\nHearthline demo: {built.name}\n"
        f"  {agents} simulated agents, {len(built.queues)} queues; the day runs from "
        f"{_clock(built.start)} to {_clock(built.end)} at {options.speed:g} simulated "
        f"seconds a second,\n  day after day (the nights are skipped).\n\n"
        f"  Open {address} and sign in (password for all: {firm.PASSWORD}):\n{rows}\n\n"
        f"{_voice_lines(options, built, speaking=speaking)}"
        f"  Ctrl-C stops it.\n"
    )


def _voice_lines(options: DemoOptions, built: Built, *, speaking: bool = False) -> str:
    if not options.voice:
        return ""
    numbers = ", ".join(
        f"{row['number']} ({row['queue_id']})"
        for row in firm.dialled_numbers(q.id for q in built.queues)
    )
    callers = (
        "  callers who speak ring `you` one at a time while you are signed in;\n"
        if speaking
        else "  (no callers who speak: they need sipp, `make voice`);\n"
    )
    return (
        f"  Real calls (SIP on 127.0.0.1:5070, numbers {numbers}) go to `you`:\n{callers}"
        f"  be a caller yourself from another tab: http://{options.host}:{options.port}/call\n"
        f"  (docs/voice.md).\n\n"
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
