"""`hearthline demo` as a person runs it: a real process, a browser's requests, Ctrl-C."""

from __future__ import annotations

import datetime as dt
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import httpx

from hearthline.kernel.clock import WallClock
from tests.demo.conftest import PASSWORD, Demo, wait_until


def _signed_in(base: str, username: str) -> httpx.Client:
    # Generous: the demo's server shares a busy machine with its simulated day.
    client = httpx.Client(base_url=base, timeout=30)
    r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    if r.status_code != 200:
        client.close()
        raise AssertionError(f"{username} could not sign in: {r.text}")
    return client


def test_demo_serves_a_live_day_and_stops_cleanly(start_demo: Callable[..., Demo]) -> None:
    # The demo's own speed: faster, a machine busy with other work falls behind the clock
    # and its callers give up before the simulated agents can answer them.
    demo = start_demo(60)
    with (
        closing(_signed_in(demo.url, "supervisor")) as supervisor,
        closing(_signed_in(demo.url, "northwind")) as northwind,
        closing(_signed_in(demo.url, "you")) as you,
    ):
        _check_the_day(supervisor, northwind, you, demo)
    out = demo.stop()
    assert demo.proc.returncode == 0, out
    assert "Open http://127.0.0.1:" in out and "demo stopped" in out


def _check_the_day(
    supervisor: httpx.Client, northwind: httpx.Client, you: httpx.Client, demo: Demo
) -> None:
    seen: list[dict[str, int]] = []

    def busy() -> bool:
        states: dict[str, int] = {}
        for agent in supervisor.get("/api/supervisor/agents").json():
            states[agent["state"]] = states.get(agent["state"], 0) + 1
        seen.append(states)
        return states.get("on-contact", 0) >= 5

    # The demo shares the machine with the other test workers: on a busy one its first
    # simulated calls can take a while to be placed, so wait on the condition, longer.
    try:
        wait_until(busy, what="simulated agents to be on calls", timeout=120)
    except AssertionError as e:
        raise AssertionError(f"{e}; agents' states seen: {seen[-5:]}; the demo printed:\n"
                             f"{demo.printed()[-3000:]}") from None  # fmt: skip
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

    # Pay and billing have their settings from the start: the person at the desk sees
    # their pay and a client company its statement, in the firm's currency, not "no pay
    # rule" and "no rate card" (the demo firm keeps UTC).
    today = dt.datetime.fromtimestamp(WallClock().now(), tz=dt.UTC).date()
    r = you.get("/api/agent/pay", params={"day": today.isoformat()})
    assert r.status_code == 200, r.text
    assert r.json()["currency"] == "GBP"
    r = northwind.get("/api/billing/northwind/statement", params={"month": f"{today:%Y-%m}"})
    assert r.status_code == 200, r.text
    assert r.json()["currency"] == "GBP"
    assert r.json()["lines"]


def test_demo_on_a_port_in_use_says_to_choose_another_before_the_sign_ins(
    tmp_path: Path,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "hearthline.cli", "demo", "--port", str(port),
             "--data-dir", str(tmp_path / "demo")],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr  # one clear line, no traceback, no Errno
    assert f"port {port} is in use" in lines[0] and "--port" in lines[0]
    assert "sign in" not in run.stdout and PASSWORD not in run.stdout
    assert not (tmp_path / "demo").exists()  # nothing prepared


# A day of eight simulated minutes (six of calls, two to finish them) with the three lines
# of the demo's firm: at 60 simulated seconds a second it ends within ten real seconds.
SHORT_DAY = """
[simulation]
name = "A short day"
seed = 5
start = "08:00"
end = "08:06"
drain_minutes = 2

[behaviour]
accept = { kind = "constant", value_s = 3 }

[[agents]]
count = 6
skills = { sales = 3, returns = 3, tech = 3 }
shift = { start = "08:00", end = "08:06" }
""" + "".join(
    f"""
[[queues]]
id = "{queue}"
campaign = "{campaign}"
requirement = "{skill}>=1"
offer_timeout_s = 600
arrivals = {{ per_hour = 90 }}
handle_time = {{ kind = "exponential", mean_s = 60 }}
patience = {{ kind = "exponential", mean_s = 300 }}
"""
    for queue, campaign, skill in (
        ("sales", "northwind-sales", "sales"),
        ("returns", "northwind-returns", "returns"),
        ("help", "brightwave-help", "tech"),
    )
)


def test_demo_runs_day_after_day_and_says_when_the_next_day_starts(
    start_demo: Callable[..., Demo], tmp_path: Path
) -> None:
    scenario = tmp_path / "short-day.toml"
    scenario.write_text(SHORT_DAY)
    demo = start_demo(60, "--scenario", str(scenario))
    with closing(_signed_in(demo.url, "supervisor")) as supervisor:
        first = supervisor.get("/api/health").json()["now"]
        assert "day after day" in demo.printed()
        wait_until(lambda: "Day 2 (" in demo.printed(), what="the second day to start", timeout=60)
        assert "Day 1 is over at 08:08" in demo.printed()
        # The night was skipped: the server's clock is on a later morning (the line may be
        # printed a moment before the jump is seen: wait for it). Days of eight minutes
        # pass in seconds: on a busy machine a later day than the second may be on already.
        wait_until(
            lambda: supervisor.get("/api/health").json()["now"] - first > 20 * 3600,
            what="the clock to reach the next morning",
            timeout=30,
        )
        now = supervisor.get("/api/health").json()["now"]
        assert dt.datetime.fromtimestamp(now, tz=dt.UTC).astimezone().hour in (7, 8), now

        # The simulated agents sign in again and take the new day's calls, whose ids are
        # the new day's own (a contact's story never mixes two days).
        def staffed_again() -> bool:
            agents = supervisor.get("/api/supervisor/agents").json()
            return sum(a["state"] not in ("offline",) for a in agents if a["id"] != "you") >= 3

        wait_until(staffed_again, what="the agents to sign in on day 2", timeout=30)

        def a_call_of_day_two() -> bool:
            contacts = supervisor.get("/api/supervisor/contacts").json()
            return any(re.match(r"d\d+-", c["id"]) for c in contacts)

        wait_until(a_call_of_day_two, what="a call of the second day", timeout=30)
    out = demo.stop()
    assert demo.proc.returncode == 0, out
    assert "Traceback" not in out and "stopped" in out
