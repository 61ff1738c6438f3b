"""The server under load, over real HTTP and WebSocket on 127.0.0.1.

    make bench BENCH_ARGS=server                      # 10,000 agent connections
    python -m bench server --agents=2000 --contacts=500    # smaller, for a smoke run

A server process (the app on uvicorn over an SQLite file, FULL sync) and this load
generator process (asyncio: the ``websockets`` client and httpx, and aiohttp for the
throughput), both with their open file limit raised. Three figures:

1. connections held: N agents' streams open at once, each with a heartbeat every few
   seconds for a while; how many stay open and the server's memory;
2. contacts per second through the whole HTTP path: the channel ingress brings calls in,
   simulated agents (each on its own stream) accept the offer, end the call and become
   ready again; counted from the first arrival to the last completion, with the CPU the
   server and the load generator spent on it (which one was the limit);
3. command to wallboard: an agent's state change posted over HTTP, until its event has
   reached every one of several supervisor streams (p50/p99).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import psutil
from websockets.asyncio.client import ClientConnection, connect

RESULTS = Path(__file__).parent / "results" / "server.json"
HEARTBEAT_S = 5.0


def _raise_nofile() -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def _secret(i: int) -> str:
    return f"bench-agent-token-{i:06d}"


def _options(argv: list[str]) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "agents": 10_000,
        "workers": 40,
        "contacts": 3_000,
        "wallboards": 5,
        "commands": 300,
        "hold_s": 20.0,
    }
    for arg in argv:
        name, _, value = arg.lstrip("-").partition("=")
        if name in opts:
            opts[name] = type(opts[name])(value)
    return opts


# The server process -----------------------------------------------------------------------------


def _prepare(url: str, agents: int) -> str:
    """Seeds the returns line with ``agents`` agents, a user and API token for each."""
    from sqlalchemy import insert

    from hearthline.demo.sample import agent_id, seed
    from hearthline.service.actions.tokens import add_token as create_token
    from hearthline.store import tables as s
    from hearthline.store.engine import create_store_engine
    from hearthline.store.migrate import upgrade

    engine = create_store_engine(url)
    upgrade(engine)
    seed(engine, agents=agents, wrap_up_s=60.0)
    with engine.begin() as conn:
        conn.execute(
            insert(s.users),
            [
                {"username": f"u-{agent_id(i)}", "role": "agent", "agent_id": agent_id(i)}
                for i in range(1, agents)
            ],
        )
        ids = {
            r.username: r.id
            for r in conn.execute(
                s.users.select().with_only_columns(s.users.c.id, s.users.c.username)
            )
        }
        rows = []
        for i in range(agents):
            name = agent_id(0) if i == 0 else f"u-{agent_id(i)}"
            rows.append(
                {
                    "id": f"{i:016x}",
                    "token_hash": hashlib.sha256(_secret(i).encode()).hexdigest(),
                    "user_id": ids[name],
                    "name": "bench",
                    "scope": "user",
                    "created_at": 0.0,
                }
            )
        conn.execute(insert(s.api_tokens), rows)
        _, channel = create_token(conn, user_id=ids["admin"], name="c", scope="channel", now=0.0)
        _, admin = create_token(conn, user_id=ids["admin"], name="a", scope="user", now=0.0)
    engine.dispose()
    return json.dumps({"channel": channel, "admin": admin})


def _serve(url: str, port: int) -> None:
    import uvicorn

    from hearthline.api.app import create_app
    from hearthline.api.serving import limits
    from hearthline.api.settings import ServerSettings
    from hearthline.service.bootstrap import bootstrap

    _raise_nofile()
    writer = bootstrap(database_url=url)
    settings = ServerSettings(port=port, heartbeat_timeout_s=60.0, auth_cache_s=300.0)
    app = create_app(writer, settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        backlog=4096,
        ws_ping_interval=None,
        **limits(settings),  # as `hearthline serve` runs: h11 with its deadlines
    )
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:
        pass
    finally:
        writer.stop()


# The load generator -----------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _open(url: str, *, attempts: int = 3) -> ClientConnection:
    for attempt in range(attempts):
        try:
            ws = await connect(
                url, open_timeout=60, ping_interval=None, max_queue=None, max_size=None
            )
            await ws.recv()  # the snapshot
            return ws
        except (OSError, TimeoutError):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5)
    raise AssertionError("unreachable")


async def _hold(base_ws: str, agents: int, hold_s: float, server: psutil.Process) -> dict[str, Any]:
    gate = asyncio.Semaphore(200)
    rss_before = server.memory_info().rss

    async def one(i: int) -> ClientConnection | None:
        async with gate:
            try:
                return await _open(f"{base_ws}?token={_secret(i)}")
            except Exception:
                return None

    t0 = time.perf_counter()
    opened = await asyncio.gather(*(one(i) for i in range(agents)))
    connect_s = time.perf_counter() - t0
    socks = [ws for ws in opened if ws is not None]
    beat = json.dumps({"type": "heartbeat"})
    lost = 0
    end = time.perf_counter() + hold_s
    while time.perf_counter() < end:
        results = await asyncio.gather(*(ws.send(beat) for ws in socks), return_exceptions=True)
        lost = sum(isinstance(r, Exception) for r in results)
        await asyncio.sleep(HEARTBEAT_S)
    rss = server.memory_info().rss
    return {
        "agents": agents,
        "held": len(socks) - lost,
        "connect_s": round(connect_s, 2),
        "server_rss_mb": round(rss / 2**20, 1),
        "server_rss_per_connection_kb": round((rss - rss_before) / max(1, len(socks)) / 1024, 1),
        "hold_s": hold_s,
        "_socks": socks,
    }


async def _latency(
    base: str, base_ws: str, tokens: dict[str, str], wallboards: int, commands: int
) -> dict[str, Any]:
    boards = [await _open(f"{base_ws}?token={tokens['admin']}") for _ in range(wallboards)]
    agent = httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {_secret(0)}"})
    await agent.post("/api/agent/sign-in", json={"ready": False})
    samples: list[float] = []
    for n in range(commands):
        path = "/api/agent/ready" if n % 2 == 0 else "/api/agent/not-ready"
        body = None if n % 2 == 0 else {"reason": "break"}
        t0 = time.perf_counter()
        r = await agent.post(path, json=body)
        last = r.json()["last_event_id"]

        async def until(ws: ClientConnection, last: int = last) -> float:
            while True:
                msg = json.loads(await ws.recv())
                if msg.get("type") == "event" and msg["id"] >= last:
                    return time.perf_counter()

        arrived = await asyncio.gather(*(until(ws) for ws in boards))
        samples.append((max(arrived) - t0) * 1000)
    await agent.aclose()
    for ws in boards:
        await ws.close()
    return {
        "wallboards": wallboards,
        "commands": commands,
        "p50_ms": round(statistics.median(samples), 2),
        "p99_ms": round(_pct(samples, 0.99), 2),
        "max_ms": round(max(samples), 2),
    }


async def _throughput(
    base: str, tokens: dict[str, str], workers: int, contacts: int, server: psutil.Process
) -> dict[str, Any]:
    # aiohttp, not httpx, drives this part: with httpx the load generator spent more CPU
    # than the server and saturated its core first (it measured itself, at a quarter of
    # the rate). The server's own CPU per contact is reported beside the rate.
    done = asyncio.Event()
    completed = 0
    refused: list[str] = []  # an offer that timed out is refused (409): counted, not fatal
    offset = 1  # agent a000 is the latency probe

    async with aiohttp.ClientSession(
        base_url=base, connector=aiohttp.TCPConnector(limit=0)
    ) as http:

        async def post(path: str, headers: dict[str, str], body: Any = None) -> None:
            async with http.post(path, json=body, headers=headers) as r:
                await r.read()
                if r.status >= 400:
                    refused.append(f"{path.rsplit('/', 1)[-1]} {r.status}")

        async def worker(i: int) -> None:
            nonlocal completed
            token = _secret(offset + i)
            auth = {"Authorization": f"Bearer {token}"}
            async with http.ws_connect(f"/api/stream?token={token}", compress=0) as ws:
                await post("/api/agent/sign-in", auth, {"ready": True})
                async for message in ws:
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        break  # the server closed the stream: this worker is done
                    msg = json.loads(message.data)
                    if msg.get("type") != "event" or msg["event"]["type"] != "ContactOffered":
                        continue
                    contact = msg["event"]["contact"]
                    await post(f"/api/agent/offers/{contact}/accept", auth)
                    await post(f"/api/agent/contacts/{contact}/hang-up", auth)
                    await post("/api/agent/ready", auth)
                    completed += 1
                    if completed >= contacts:
                        done.set()
                    if done.is_set():
                        break

        tasks = [asyncio.create_task(worker(i)) for i in range(workers)]
        await asyncio.sleep(2.0)  # every agent signed in and listening
        failed = [t for t in tasks if t.done()]
        if failed:
            raise RuntimeError(f"{len(failed)} worker(s) stopped before the run") from (
                failed[0].exception()
            )
        channel = {"Authorization": f"Bearer {tokens['channel']}"}
        gate = asyncio.Semaphore(workers)

        async def arrive(n: int) -> None:
            async with gate:
                await post("/api/channels/contacts", channel, {"queue": "returns", "caller": "+1"})

        cpu0, own0 = _cpu_s(server), _own_cpu_s()
        t0 = time.perf_counter()
        await asyncio.gather(*(arrive(n) for n in range(contacts)))
        await asyncio.wait_for(done.wait(), timeout=600)
        elapsed = time.perf_counter() - t0
        server_cpu, own_cpu = _cpu_s(server) - cpu0, _own_cpu_s() - own0
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    # Each contact: 1 ingress + accept + hang-up + ready = 4 HTTP requests.
    return {
        "workers": workers,
        "contacts": contacts,
        "seconds": round(elapsed, 2),
        "contacts_per_s": round(contacts / elapsed, 1),
        "http_requests_per_s": round(4 * contacts / elapsed, 1),
        "server_cpu_ms_per_contact": round(1000 * server_cpu / contacts, 2),
        "server_cpu_share": round(server_cpu / elapsed, 2),
        "load_generator_cpu_share": round(own_cpu / elapsed, 2),
        "refused_requests": len(refused),
    }


def _cpu_s(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return float(t.user + t.system)


def _own_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def _drive(
    port: int, tokens: dict[str, str], opts: dict[str, Any], pid: int
) -> dict[str, Any]:
    base = f"http://127.0.0.1:{port}"
    base_ws = f"ws://127.0.0.1:{port}/api/stream"
    server = psutil.Process(pid)
    latency_idle = await _latency(base, base_ws, tokens, opts["wallboards"], opts["commands"])
    print(f"command -> {opts['wallboards']} wallboards (idle server): {latency_idle}", flush=True)
    throughput = await _throughput(base, tokens, opts["workers"], opts["contacts"], server)
    print(f"contacts through HTTP: {throughput}", flush=True)
    held = await _hold(base_ws, opts["agents"], opts["hold_s"], server)
    socks = held.pop("_socks")
    print(f"connections: {held}", flush=True)
    latency_loaded = await _latency(
        base, base_ws, tokens, opts["wallboards"], opts["commands"] // 3
    )
    print(f"command -> wallboards with {held['held']} streams open: {latency_loaded}", flush=True)
    await asyncio.gather(*(ws.close() for ws in socks), return_exceptions=True)
    return {
        "latency_idle": latency_idle,
        "throughput": throughput,
        "connections": held,
        "latency_with_connections": latency_loaded,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main(argv: list[str]) -> int:
    if argv[:1] == ["--serve"]:
        _serve(argv[1], int(argv[2]))
        return 0
    opts = _options(argv)
    nofile = _raise_nofile()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        tokens = json.loads(_prepare(url, opts["agents"] + opts["workers"] + 1))
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_server", "--serve", url, str(port)],
            cwd=Path(__file__).parent.parent,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.2)
            figures = asyncio.run(_drive(port, tokens, opts, proc.pid))
        finally:
            proc.terminate()
            proc.wait(60)
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()} {platform.system()}, "
        f"Python {platform.python_version()}",
        "open_file_limit": nofile,
        "options": opts,
        **figures,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
