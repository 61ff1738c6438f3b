"""`hearthline demo` as a person runs it: a real process, a browser's requests, Ctrl-C."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing

import httpx

from tests.demo.conftest import PASSWORD, Demo, wait_until


def _signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=5)
    r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    if r.status_code != 200:
        client.close()
        raise AssertionError(f"{username} could not sign in: {r.text}")
    return client


def test_demo_serves_a_live_day_and_stops_cleanly(start_demo: Callable[[float], Demo]) -> None:
    demo = start_demo(300)
    with (
        closing(_signed_in(demo.url, "supervisor")) as supervisor,
        closing(_signed_in(demo.url, "northwind")) as northwind,
        closing(_signed_in(demo.url, "you")) as you,
    ):
        _check_the_day(supervisor, northwind, you)
    out = demo.stop()
    assert demo.proc.returncode == 0, out
    assert "Open http://127.0.0.1:" in out and "demo stopped" in out


def _check_the_day(supervisor: httpx.Client, northwind: httpx.Client, you: httpx.Client) -> None:
    def busy() -> bool:
        agents = supervisor.get("/api/supervisor/agents").json()
        return sum(a["state"] == "on-contact" for a in agents) >= 5

    wait_until(busy, what="simulated agents to be on calls")
    queues = {q["id"] for q in supervisor.get("/api/supervisor/queues").json()}
    assert queues == {"sales", "returns", "help"}

    # A client company's own staff see their lines' figures only, and not the floor.
    assert northwind.get("/api/supervisor/queues").status_code == 403
    rows = northwind.get("/api/reports/queues").json()
    assert rows
    assert {r["queue_id"] for r in rows} <= {"sales", "returns"}
    assert {r["client_id"] for r in rows} == {"northwind"}

    # The person at the desk is there, signed out until they sign in.
    assert you.get("/api/auth/me").json()["user"]["agent_id"] == "you"
