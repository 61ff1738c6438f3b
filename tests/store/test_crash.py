"""kill -9 under load, several times: nothing acknowledged is lost, nothing doubled.

A real server process (``tests/store/loadgen.py``) runs the service on the database
under steady load and records each acknowledgement *after* receiving it. It is killed
with SIGKILL at random (seeded) moments; after each kill the log must hold every
acknowledged event and note exactly once, ids gap-free, and the live state rebuilt from
snapshot + tail must equal the state replayed from the whole log. After each restart,
the contacts that were in progress must be closed as dropped by a system fault, with
callbacks, and the agents parked as not ready (system restart).
"""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, select, text

from hearthline.crm.events import NoteDrafted, NoteFinalised
from hearthline.kernel.clock import ManualClock, WallClock
from hearthline.reports.domain import LiveReports
from hearthline.routing import events as ev
from hearthline.routing.config import SYSTEM_RESTART, Channel
from hearthline.routing.domain import LiveRouting
from hearthline.routing.states import AgentState, ContactState
from hearthline.service.domains import CODEC
from hearthline.service.state import recover
from hearthline.store import tables
from hearthline.store.engine import create_store_engine
from hearthline.store.log import read_events

KILLS = 4


def _start(url: str, acks: Path, seed: int, log: IO[str]) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("loadgen.py")),
            "--database-url",
            url,
            "--ack-file",
            str(acks),
            "--agents",
            "6",
            "--seed",
            str(seed),
            "--snapshot-every",
            "400",
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("ready"):
        proc.kill()
        pytest.fail(
            f"the load driver did not start: {line!r}; see {log}: {log.read_text()[-2000:]}"
        )
    return proc, int(line.split()[1])


def _acknowledged(acks: Path) -> tuple[set[int], set[tuple[str, int, str]]]:
    ids: set[int] = set()
    notes: set[tuple[str, int, str]] = set()
    for line in acks.read_text().splitlines():
        kind, *rest = line.split()
        if kind == "E":
            ids.update(int(x) for x in rest)
        else:
            notes.add((rest[0], int(rest[1]), rest[2]))
    return ids, notes


def _wait_for_orphaned_sessions(url: str) -> None:
    """PostgreSQL finishes a COMMIT it received from a client killed while waiting for the
    answer: the log may still grow after the kill. Read it once the killed process's
    sessions are gone, as a restart would (it connects after them too)."""
    if not url.startswith("postgresql"):
        return
    engine = create_store_engine(url)
    others = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if conn.execute(others).scalar_one() == 0:
                    return
            time.sleep(0.05)
        pytest.fail("the killed process's database sessions did not end within 10 s")
    finally:
        engine.dispose()


def _check_log(url: str, acks: Path) -> tuple[set[str], set[str], int]:
    """Checks the log after a kill; returns the contacts and agents live at the kill."""
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            count, top = conn.execute(select(func.count(), func.max(tables.events.c.id))).one()
        stored = list(read_events(engine, CODEC))
        acked, notes = _acknowledged(acks)
        assert count == top, "event ids are not gap-free"
        assert acked <= {s.id for s in stored}, "an acknowledged event is missing"
        arrived = Counter(s.event.contact for s in stored if isinstance(s.event, ev.ContactArrived))
        assert max(arrived.values()) == 1, "a contact arrived twice"
        written = Counter(
            (s.event.contact, s.event.revision, hashlib.sha256(s.event.text.encode()).hexdigest())
            for s in stored
            if isinstance(s.event, (NoteDrafted, NoteFinalised))
        )
        assert max(written.values()) == 1, "a note revision is stored twice"
        missing = notes - set(written)
        assert not missing, f"acknowledged notes missing: {sorted(missing)[:3]}"
        clock = ManualClock(WallClock().now() + 3600)
        fast, info = recover(engine, clock=clock, rng=random.Random(1), interval_s=900.0)
        full, _ = recover(
            engine, clock=clock, rng=random.Random(1), interval_s=900.0, use_snapshot=False
        )
        assert info.last_event_id == top
        assert fast.part(LiveRouting).router.snapshot() == full.part(LiveRouting).router.snapshot()
        assert (
            fast.part(LiveReports).stats.queue_rows() == full.part(LiveReports).stats.queue_rows()
        )
        live = {
            c.id
            for c in full.part(LiveRouting).router.live_contacts()
            if not (c.channel is Channel.CALLBACK and c.state is not ContactState.OFFERED)
            and c.state is not ContactState.WRAP_UP
        }
        agents = {
            a
            for a in full.part(LiveRouting).router.agent_ids()
            if full.part(LiveRouting).router.agent(a).state is not AgentState.OFFLINE
        }
        return live, agents, top
    finally:
        engine.dispose()


def _check_restart(url: str, live: set[str], agents: set[str], after: int, until: int) -> int:
    engine = create_store_engine(url)
    try:
        recovery = [s.event for s in read_events(engine, CODEC, after=after, until=until)]
    finally:
        engine.dispose()
    dropped = {e.contact for e in recovery if isinstance(e, ev.ContactDropped)}
    assert {c for c in live if "~cb" not in c} <= dropped
    assert all(e.side == "system" for e in recovery if isinstance(e, ev.ContactDropped))
    callbacks = {e.origin for e in recovery if isinstance(e, ev.ContactArrived)}
    assert {c for c in live if "~cb" not in c} <= callbacks
    parked = {
        e.agent
        for e in recovery
        if isinstance(e, ev.AgentWentNotReady) and e.reason == SYSTEM_RESTART
    }
    assert parked == agents
    return len(dropped)


@pytest.mark.slow
def test_sigkill_under_load_loses_no_acknowledged_event_or_note(
    db_url: str, tmp_path: Path
) -> None:
    rng = random.Random(20_240_611)
    acks = tmp_path / "acks"
    acks.touch()
    with (tmp_path / "loadgen.log").open("a") as log:
        _kill_repeatedly(db_url, acks, log, rng)
    acked, notes = _acknowledged(acks)
    assert len(acked) > 500 and len(notes) > 50


def _kill_repeatedly(db_url: str, acks: Path, log: IO[str], rng: random.Random) -> None:
    previous: tuple[set[str], set[str], int] | None = None
    kills_under_load = closed = 0
    for round_ in range(KILLS):
        proc, ready_at = _start(db_url, acks, round_ + 1, log)
        if previous is not None:
            closed += _check_restart(db_url, previous[0], previous[1], previous[2], ready_at)
        time.sleep(rng.uniform(0.4, 1.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert proc.stdout is not None
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL
        _wait_for_orphaned_sessions(db_url)
        previous = _check_log(db_url, acks)
        kills_under_load += previous[2] > ready_at
    assert kills_under_load == KILLS, "every kill should land while the load was running"
    assert closed > 0, "no restart found a call in progress to close"
