"""Restarts: state rebuilt from snapshot + tail, calls in progress closed, notes kept."""

from __future__ import annotations

import pickle
import random

import pytest
from sqlalchemy import Engine, update

from hearthline.crm import DraftNote
from hearthline.demo.sample import QUEUE
from hearthline.kernel.clock import ManualClock
from hearthline.kernel.ids import AgentId, ContactId
from hearthline.reports.domain import LiveReports
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from hearthline.routing.config import SYSTEM_RESTART
from hearthline.routing.domain import LiveRouting
from hearthline.routing.states import AgentState
from hearthline.service import Writer
from hearthline.service.domains import CODEC, DOMAINS
from hearthline.service.state import recover
from hearthline.store import read_models, tables
from hearthline.store.log import events_of_contact, read_events

A0, A1, A2 = AgentId("a000"), AgentId("a001"), AgentId("a002")


def _busy_floor(writer: Writer, clock: ManualClock) -> None:
    """One call answered with notes, one ringing, one waiting, one agent on a break."""
    writer.execute(cmd.SignIn(A0, ready=True))
    writer.execute(cmd.ArriveContact(ContactId("talking"), caller="+1", queue=QUEUE))
    writer.execute(cmd.AcceptOffer(A0, ContactId("talking")))
    writer.execute(DraftNote("talking", A0, 1, "she wants to return the blue kettle"))
    writer.execute(cmd.SignIn(A1, ready=True))
    writer.execute(cmd.ArriveContact(ContactId("ringing"), caller="+2", queue=QUEUE))
    writer.execute(cmd.ArriveContact(ContactId("waiting"), caller="+3", queue=QUEUE))
    writer.execute(cmd.SignIn(A2))
    writer.execute(cmd.MakeNotReady(A2, "break"))
    clock.advance(5)


def _restart(engine: Engine, clock: ManualClock) -> Writer:
    writer = Writer(engine=engine, clock=clock, rng=random.Random(3), read_model_every_s=0.0)
    writer.start()
    return writer


def test_restart_drops_calls_in_progress_with_callbacks_and_parks_agents(
    seeded: Engine, clock: ManualClock
) -> None:
    first = _restart(seeded, clock)
    _busy_floor(first, clock)
    first.stop()
    clock.advance(30)
    second = _restart(seeded, clock)
    try:
        tail = [s.event for s in read_events(seeded, CODEC, after=second.recovered.last_event_id)]  # type: ignore[union-attr]
        dropped = {e.contact: e.side for e in tail if isinstance(e, ev.ContactDropped)}
        assert dropped == {"talking": "system", "ringing": "system", "waiting": "system"}
        callbacks = {e.origin for e in tail if isinstance(e, ev.ContactArrived)}
        assert callbacks == {"talking", "ringing", "waiting"}
        for agent in (A0, A1, A2):
            view = second.part(LiveRouting).router.agent(agent)
            assert view.state is AgentState.NOT_READY and view.reason == SYSTEM_RESTART
            assert not view.connected
        with seeded.connect() as conn:
            history = [type(s.event).__name__ for s in events_of_contact(conn, CODEC, "talking")]
        assert "NoteDrafted" in history and history[-1] == "ContactDropped"
        # The agent may still finish the note of the call the restart cut.
        second.execute(DraftNote("talking", A0, 2, "she wants to return the blue kettle. done"))
    finally:
        second.stop()


@pytest.mark.parametrize("snapshot_every", [5, 20_000])
def test_whom_each_event_concerns_is_stored_with_it_and_known_after_a_restart(
    seeded: Engine, clock: ManualClock, snapshot_every: int
) -> None:
    first = Writer(engine=seeded, clock=clock, rng=random.Random(3), snapshot_every=snapshot_every)
    first.start()
    _busy_floor(first, clock)
    first.execute(cmd.HoldContact(A0, ContactId("talking")))  # ContactHeld names no agent
    first.stop()
    with seeded.connect() as conn:
        talking = events_of_contact(conn, CODEC, "talking")
    assert isinstance(talking[-1].event, ev.ContactHeld)
    # Every event of the call is the returns line's client's; from the offer on, each is
    # its agent's too, whether or not the event names the agent.
    assert {e.client for e in talking} == {"acme"}
    offered = next(i for i, e in enumerate(talking) if isinstance(e.event, ev.ContactOffered))
    assert {e.agent for e in talking[:offered]} == {None}
    assert {e.agent for e in talking[offered:]} == {A0}
    second = _restart(seeded, clock)
    try:
        tenancy = second.part(LiveRouting).tenancy
        # A scoped reader still finds the contacts of before the restart, and the agent
        # who had one may still write its notes.
        for contact in ("talking", "ringing", "waiting"):
            assert tenancy.client_of_contact(contact) == "acme"
        assert tenancy.had_contact("talking", A0) is False  # the restart ended the call
        with seeded.connect() as conn:
            dropped = events_of_contact(conn, CODEC, "talking")[-1]
        assert isinstance(dropped.event, ev.ContactDropped) and dropped.client == "acme"
    finally:
        second.stop()


def test_snapshot_plus_tail_equals_a_replay_of_the_whole_log(
    seeded: Engine, clock: ManualClock
) -> None:
    writer = Writer(
        engine=seeded, clock=clock, rng=random.Random(1), snapshot_every=7, read_model_every_s=0
    )
    writer.start()
    _busy_floor(writer, clock)
    writer.execute(cmd.CallerHangUp(ContactId("waiting")))
    writer.stop()
    fast, info = recover(seeded, clock=clock, rng=random.Random(1), interval_s=900.0)
    full, full_info = recover(
        seeded, clock=clock, rng=random.Random(1), interval_s=900.0, use_snapshot=False
    )
    assert info.snapshot_event_id is not None
    assert full_info.replayed == info.last_event_id
    assert fast.part(LiveRouting).router.snapshot() == full.part(LiveRouting).router.snapshot()
    assert fast.part(LiveReports).stats.queue_rows() == full.part(LiveReports).stats.queue_rows()
    assert fast.part(LiveReports).stats.agent_rows() == full.part(LiveReports).stats.agent_rows()


def test_a_snapshot_of_another_code_version_is_ignored(seeded: Engine, clock: ManualClock) -> None:
    writer = _restart(seeded, clock)
    _busy_floor(writer, clock)
    writer.stop()
    with seeded.begin() as conn:
        conn.execute(update(tables.snapshots).values(code_version="another"))
    state, info = recover(seeded, clock=clock, rng=random.Random(1), interval_s=900.0)
    assert info.snapshot_event_id is None and info.replayed == info.last_event_id
    assert state.part(LiveRouting).router.agent(A0).state is AgentState.ON_CONTACT


def test_a_snapshot_taken_with_another_interval_is_not_used(
    seeded: Engine, clock: ManualClock
) -> None:
    writer = _restart(seeded, clock)
    writer.stop()
    _, info = recover(seeded, clock=clock, rng=random.Random(1), interval_s=300.0)
    assert info.snapshot_event_id is None


def test_read_models_rebuilt_from_scratch_give_the_same_numbers(
    seeded: Engine, clock: ManualClock
) -> None:
    writer = Writer(
        engine=seeded, clock=clock, rng=random.Random(1), snapshot_every=5, read_model_every_s=0
    )
    writer.start()
    for day in range(3):
        writer.execute(cmd.SignIn(A0, ready=True)) if day == 0 else None
        for i in range(4):
            k = ContactId(f"d{day}-{i}")
            writer.execute(cmd.ArriveContact(k, caller="+1", queue=QUEUE))
            clock.advance(7 + i)
            writer.execute(cmd.AcceptOffer(A0, k))
            clock.advance(200)
            writer.execute(cmd.EndContact(A0, k))
            clock.advance(4)
            writer.execute(cmd.MakeReady(A0))
            clock.advance(400)
        writer.execute(cmd.ArriveContact(ContactId(f"gone{day}"), caller="+1", queue=QUEUE))
        writer.execute(cmd.MakeNotReady(A0, "lunch"))
        clock.advance(3)
        writer.execute(cmd.CallerHangUp(ContactId(f"gone{day}")))
        clock.advance(600)
        writer.execute(cmd.MakeReady(A0))
    writer.stop()
    with seeded.connect() as conn:
        kept_queues = read_models.queue_stats(conn)
        kept_agents = read_models.agent_stats(conn)
        kept_at = read_models.checkpoint(conn)
    assert sum(r["answered"] for r in kept_queues) == 12
    assert sum(r["abandoned"] for r in kept_queues) == 3
    assert all(r["client_id"] == "acme" for r in kept_queues)
    assert sum(r["not_ready_s"].get("lunch", 0.0) for r in kept_agents) > 0
    last = read_models.rebuild(seeded, CODEC)
    with seeded.connect() as conn:
        assert read_models.queue_stats(conn) == kept_queues
        assert read_models.agent_stats(conn) == kept_agents
    assert last == kept_at


def test_snapshot_state_is_picklable_without_the_clock(seeded: Engine, clock: ManualClock) -> None:
    writer = _restart(seeded, clock)
    _busy_floor(writer, clock)
    writer.stop()
    state, _ = recover(seeded, clock=clock, rng=random.Random(1), interval_s=900.0)
    snap = state.dump(last_event_id=1, taken_at=0.0)
    parts = pickle.loads(snap.state)
    assert set(parts) == {d.name for d in DOMAINS}
    # The clock is the writer's, given again on load: no part carries its own.
    assert all(b"ManualClock" not in blob for blob in parts.values())
