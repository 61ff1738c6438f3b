"""The write path: a command's events are durable before anyone hears of them."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, Engine, event, func, insert, select

from hearthline.crm import DraftNote, FinishNote, NoteRefused, UnknownContact
from hearthline.demo.sample import CAMPAIGN, QUEUE
from hearthline.kernel.clock import ManualClock
from hearthline.kernel.envelope import Envelope
from hearthline.kernel.ids import AgentId, CampaignId, ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing.config import QueueConfig
from hearthline.routing.domain import LiveRouting
from hearthline.routing.errors import IllegalTransition, OfferNotFound, UnknownEntity
from hearthline.routing.events import AgentWentNotReady, OfferTimedOut
from hearthline.service import BadCommand, Writer, configuration
from hearthline.service.domains import CODEC
from hearthline.store import config_repo, tables
from hearthline.store.log import count_events, read_events

A0, A1 = AgentId("a000"), AgentId("a001")


def _answered(writer: Writer, contact: str = "k1", agent: AgentId = A0) -> None:
    writer.execute(cmd.SignIn(agent, ready=True))
    writer.execute(cmd.ArriveContact(ContactId(contact), caller="+1555", queue=QUEUE))
    writer.execute(cmd.AcceptOffer(agent, ContactId(contact)))


def _log(engine: Engine) -> list[tuple[int, str]]:
    return [(s.id, type(s.event).__name__) for s in read_events(engine, CODEC)]


def test_acknowledged_events_are_in_the_log_with_the_ids_returned(writer: Writer) -> None:
    stored = writer.execute(cmd.SignIn(A0, ready=True))
    assert [type(s.event).__name__ for s in stored] == ["AgentSignedIn", "AgentBecameAvailable"]
    in_log = {s.id: s.event for s in read_events(writer.engine, CODEC)}
    assert all(in_log[s.id] == s.event for s in stored)
    assert sorted(in_log) == list(range(1, writer.last_event_id + 1))


def test_subscribers_hear_every_event_after_commit_in_log_order(writer: Writer) -> None:
    heard: list[tuple[int, str, int]] = []

    def listen(envelope: Envelope) -> None:
        log_id, ev = envelope.id, envelope.event
        with writer.engine.connect() as conn:
            stored = conn.execute(
                select(func.count()).select_from(tables.events).where(tables.events.c.id == log_id)
            ).scalar_one()
        heard.append((log_id, type(ev).__name__, stored))
        # What browsers receive goes through JSON: it must survive the trip.
        json.loads(CODEC.encode(ev))

    writer.subscribe(listen)
    _answered(writer)
    writer.query(lambda _r: None)  # publishing follows the acknowledgement: let it finish
    ids = [h[0] for h in heard]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert all(stored == 1 for _, _, stored in heard)
    assert "OfferAccepted" in [h[1] for h in heard]


def test_a_refused_command_appends_nothing_and_says_why(writer: Writer) -> None:
    before = _log(writer.engine)
    with pytest.raises(UnknownEntity, match="unknown agent 'nobody'"):
        writer.execute(cmd.SignIn(AgentId("nobody")))
    with pytest.raises(IllegalTransition, match="expected it to be"):
        writer.execute(cmd.FinishWrapUp(A0))
    with pytest.raises(OfferNotFound):
        writer.execute(cmd.AcceptOffer(A0, ContactId("never")))
    assert _log(writer.engine) == before


@pytest.mark.parametrize(
    ("command", "error", "message"),
    [
        (cmd.ArriveContact(ContactId("k\udcff"), queue=QUEUE), BadCommand, "not valid UTF-8"),
        (cmd.ArriveContact(ContactId("k2"), caller="x" * 70_000), BadCommand, "the limit is"),
        (cmd.ArriveContact(ContactId("k2"), caller="a\x00b"), BadCommand, "NUL"),
        (cmd.ScheduleCallback(ContactId("k2"), QUEUE, float("nan"), "+1"), BadCommand, "finite"),
        (cmd.ConfigureQueue(QueueConfig(QueueId("q"), CAMPAIGN)), BadCommand, "update_"),
        (cmd.RecoverAfterRestart(), BadCommand, "issued by the service"),
        (DraftNote("k1", A0, 2, "x" * (64 * 1024 + 1)), NoteRefused, "the limit is 65536"),
        (DraftNote("k1", A0, 2, "bad \udc80 text"), NoteRefused, "not valid UTF-8"),
        (DraftNote("k1", A0, 2, "", (("order_number", "y" * 5000),)), NoteRefused, "4096"),
        (DraftNote("k1", A0, 2, "", (("no_such_field", "1"),)), NoteRefused, "no form field"),
        (DraftNote("k1", A0, 1, "late"), NoteRefused, "out of order"),
        (DraftNote("nope", A0, 9, "x"), UnknownContact, "unknown contact"),
        (DraftNote("k1", A1, 9, "x"), NoteRefused, "has not had contact"),
        (
            FinishNote("k1", A0, "no-such-outcome", "", (("order_number", "1"),)),
            NoteRefused,
            "unknown disposition",
        ),
        (FinishNote("k1", A0, "return-processed", ""), NoteRefused, "required form field"),
        (
            FinishNote("k1", A0, "return-processed", "", (("refund_amount", "ten"),)),
            NoteRefused,
            "number",
        ),
    ],
)
def test_bad_or_hostile_input_is_refused_and_leaves_the_log_unchanged(
    writer: Writer, command: object, error: type[Exception], message: str
) -> None:
    _answered(writer)
    writer.execute(DraftNote("k1", A0, 1, "first"))
    before = _log(writer.engine)
    with pytest.raises(error, match=message):
        writer.execute(command)  # type: ignore[arg-type]
    assert _log(writer.engine) == before


def test_a_refused_command_still_appends_the_timer_events_that_fired_before_it(
    writer: Writer, clock: ManualClock
) -> None:
    writer.execute(cmd.SignIn(A0, ready=True))
    writer.execute(cmd.ArriveContact(ContactId("k1"), caller="+1", queue=QUEUE))
    clock.advance(60)  # the 15 s offer rings out before the next command
    with pytest.raises(UnknownEntity):
        writer.execute(cmd.SignIn(AgentId("nobody")))
    kinds = [type(s.event) for s in read_events(writer.engine, CODEC)]
    assert OfferTimedOut in kinds and AgentWentNotReady in kinds


def test_the_writer_fires_due_timers_without_any_command(
    writer: Writer, clock: ManualClock
) -> None:
    writer.execute(cmd.SignIn(A0, ready=True))
    writer.execute(cmd.ArriveContact(ContactId("k1"), caller="+1", queue=QUEUE))
    clock.advance(60)
    fired = threading.Event()
    writer.subscribe(lambda e: fired.set() if isinstance(e.event, OfferTimedOut) else None)
    assert fired.wait(5.0)


def test_notes_of_a_dropped_call_are_still_accepted_and_the_final_note_kept(
    writer: Writer,
) -> None:
    _answered(writer)
    writer.execute(DraftNote("k1", A0, 1, "customer wants a refund"))
    writer.execute(cmd.DropContact(ContactId("k1"), side="caller"))
    writer.execute(DraftNote("k1", A0, 2, "customer wants a refund for order 7"))
    final = writer.execute(
        FinishNote("k1", A0, "return-processed", "refund for order 7", (("order_number", "7"),))
    )
    assert [type(s.event).__name__ for s in final] == ["NoteFinalised", "DispositionRecorded"]
    with pytest.raises(NoteRefused, match="final note already"):
        writer.execute(DraftNote("k1", A0, 9, "after the end"))


def test_concurrent_commands_share_commits(writer: Writer) -> None:
    commits = 0

    def count(_conn: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(writer.engine, "commit", count)
    n = 400
    futures = [
        writer.submit(cmd.ArriveContact(ContactId(f"c{i}"), caller="+1", queue=QUEUE))
        for i in range(n)
    ]
    results = [f.result(30) for f in futures]
    event.remove(writer.engine, "commit", count)
    assert all(len(r) == 2 for r in results)
    assert commits < n / 4


def test_execute_async_returns_the_stored_events(writer: Writer) -> None:
    async def go() -> list[str]:
        stored = await writer.execute_async(cmd.SignIn(A0))
        return [type(s.event).__name__ for s in stored]

    assert asyncio.run(go()) == ["AgentSignedIn"]


def test_a_queue_change_updates_the_table_and_the_log_together(writer: Writer) -> None:
    changed = QueueConfig(QUEUE, CampaignId(CAMPAIGN), name="Returns (new)", offer_timeout_s=9.0)
    stored = configuration.update_queue(writer, changed)
    assert [type(s.event).__name__ for s in stored] == ["QueueConfigured"]
    with writer.engine.connect() as conn:
        queues = {q.id: q for q in config_repo.load_routing_config(conn).queues}
    assert queues[QUEUE] == changed
    assert writer.query(lambda s: s.part(LiveRouting).router.queues[QUEUE].cfg) == changed


def test_a_change_and_its_record_are_stored_together_or_not_at_all(writer: Writer) -> None:
    seen: list[str] = []

    def record(conn: Connection, change: Callable[[Connection], None]) -> None:
        seen.append(_queue_name(conn))  # read in the change's transaction, before it
        change(conn)
        seen.append(_queue_name(conn))
        conn.execute(
            insert(tables.audit_log).values(
                at=1.0, user_id=1, username="admin", action="queue.put", target=QUEUE
            )
        )

    def failing_record(conn: Connection, change: Callable[[Connection], None]) -> None:
        change(conn)
        raise RuntimeError("the record could not be written")

    before_log = _log(writer.engine)
    original = writer.query(lambda s: s.part(LiveRouting).router.queues[QUEUE].cfg)
    refused = QueueConfig(QUEUE, CampaignId(CAMPAIGN), name="never stored", offer_timeout_s=7.0)
    with pytest.raises(Exception, match="the record could not be written"):
        configuration.update_queue(writer, refused, around=failing_record)
    with writer.engine.connect() as conn:
        stored = {q.id: q for q in config_repo.load_routing_config(conn).queues}
        audits = conn.execute(select(func.count()).select_from(tables.audit_log)).scalar_one()
    assert stored[QUEUE] == original
    assert audits == 0
    assert _log(writer.engine) == before_log
    assert writer.query(lambda s: s.part(LiveRouting).router.queues[QUEUE].cfg) == original

    changed = QueueConfig(QUEUE, CampaignId(CAMPAIGN), name="Returns (new)", offer_timeout_s=9.0)
    configuration.update_queue(writer, changed, around=record)
    with writer.engine.connect() as conn:
        stored = {q.id: q for q in config_repo.load_routing_config(conn).queues}
        audits = conn.execute(select(func.count()).select_from(tables.audit_log)).scalar_one()
    assert (stored[QUEUE], audits) == (changed, 1)
    assert seen == [original.name, "Returns (new)"]


def _queue_name(conn: Connection) -> str:
    queues = {q.id: q for q in config_repo.load_routing_config(conn).queues}
    return queues[QUEUE].name


def test_a_queue_change_the_core_refuses_changes_no_table(writer: Writer) -> None:
    before = _log(writer.engine)
    with pytest.raises(Exception, match="unknown campaign"):
        configuration.update_queue(writer, QueueConfig(QueueId("q9"), CampaignId("nope")))
    with writer.engine.connect() as conn:
        assert "q9" not in {q.id for q in config_repo.load_routing_config(conn).queues}
    assert _log(writer.engine) == before


def test_stop_runs_what_was_submitted_and_then_refuses(writer: Writer) -> None:
    futures = [
        writer.submit(cmd.ArriveContact(ContactId(f"s{i}"), caller="+1", queue=QUEUE))
        for i in range(50)
    ]
    writer.stop()
    assert all(len(f.result(1)) == 2 for f in futures)
    with pytest.raises(Exception, match="not running"):
        writer.submit(cmd.SignIn(A0))
    with writer.engine.connect() as conn:
        assert count_events(conn) == writer.last_event_id
