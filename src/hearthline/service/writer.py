"""The writer: the write path from a command to durable, published events.

    writer = bootstrap(database_url=...)          # migrates, recovers, starts the writer
    stored = writer.execute(SignIn(agent="a1"))   # [Envelope(id, event, client, agent)]
    stored = await writer.execute_async(cmd)      # the same, from asyncio code
    writer.subscribe(lambda envelope: ...)        # after commit, in log order
    writer.stop()

One writer thread owns the live state of every registered domain (``domains.py``) and
the database connection. Callers put commands in its inbox; it takes every command
waiting (a batch), hands each to the domain registered for its type, seals each
resulting event in an envelope with whom it concerns, appends them all in ONE
transaction, commits, and only then acknowledges each caller and publishes the events.
While it commits, new commands queue up and form the next batch: one commit (one fsync)
serves many commands under load -- group commit -- and none waits for a timer.

A refused command appends nothing of its own and its caller gets the refusal; events of
timers that came due before it (an offer timing out) are appended all the same. The
writer also fires the core's timers on the real clock when no command arrives.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from hearthline.kernel.clock import Clock, Rng
from hearthline.kernel.domain import DomainEvent, Live
from hearthline.kernel.envelope import Envelope
from hearthline.service.checks import check_values
from hearthline.service.domains import CODEC, DOMAINS, REGISTRY, Write
from hearthline.service.errors import BadCommand, ServiceError, StoreUnavailable, WriterStopped
from hearthline.service.state import LiveState, Recovered, recover
from hearthline.store.log import append_rows, event_row
from hearthline.store.migrate import upgrade
from hearthline.store.snapshots import write_snapshot

log = logging.getLogger(__name__)
T = TypeVar("T")
L = TypeVar("L", bound=Live)
Subscriber = Callable[[Envelope], None]

_COMMANDS = tuple(kind for d in DOMAINS for kind in d.commands)
_RESERVED = tuple(kind for d in DOMAINS for kind in d.reserved)
# What a domain checks itself comes from outside; what the service issues (configuration)
# the writer checks, like everything else.
_SELF_CHECKED = tuple(
    kind for d in DOMAINS if d.checks_own_values for kind in d.commands if kind not in d.reserved
)
_REFUSALS: tuple[type[Exception], ...] = (
    ServiceError,
    *(error for d in DOMAINS for error in d.refusals),
)
_MAX_WAIT_S = 0.5

# Runs a change's table write (the second argument, exactly once) inside the change's
# transaction, with what it reads before and writes after: the server's audit record.
Around = Callable[[Connection, Write], None]
Stored = list[Envelope]


def _within(write: Write, around: Around | None) -> Write:
    if around is None:
        return write

    def wrapped(conn: Connection) -> None:
        around(conn, write)

    return wrapped


@dataclass(slots=True)
class _Request:
    command: object
    future: Future[Any] = field(default_factory=Future)
    # Config-table changes made in the same transaction as the command's events.
    write: Callable[[Connection], None] | None = None
    # A read of the live state, run on the writer thread after the batch commits.
    query: Callable[[LiveState], Any] | None = None

    @property
    def alone(self) -> bool:
        """Runs in a batch of its own: its table writes could fail the whole transaction."""
        return self.write is not None


@dataclass(slots=True)
class _Batch:
    # Each event sealed as it is decided: its id (the ids run on from the log's last, and
    # only this thread appends) and whom it concerns.
    events: list[Envelope] = field(default_factory=list)
    outcomes: list[tuple[_Request, int, int, BaseException | None]] = field(default_factory=list)
    writes: list[Callable[[Connection], None]] = field(default_factory=list)


class Writer:
    """The one writer: the live domains, the store and the publisher, behind one thread."""

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        rng: Rng,
        interval_s: float = 900.0,
        snapshot_every: int = 20_000,
        max_batch: int = 2_000,
        read_model_every_s: float = 5.0,
        own_engine: bool = False,
        keep_calls: bool = False,
    ) -> None:
        self.engine = engine
        # A restart leaves the real calls live that the voice stack keeps through it
        # (docs/voice.md, "Restarts"); otherwise they end as dropped, as every contact does.
        self.keep_calls = keep_calls
        self.clock = clock
        self.rng = rng
        self.interval_s = interval_s
        self.snapshot_every = snapshot_every
        self.max_batch = max_batch
        self.read_model_every_s = read_model_every_s
        self._own_engine = own_engine
        self._inbox: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._carry: _Request | None = None
        self._subscribers: tuple[Subscriber, ...] = ()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._state: LiveState | None = None
        self._next_id = 1
        self._snapshot_id = 0
        self._read_models_since = 0.0
        # Write every read-model row next time, not just the changed ones (after a reload
        # or a failed write, what changed since the last good write is not known).
        self._read_models_all = False
        self.recovered: Recovered | None = None

    # Life cycle ------------------------------------------------------------------------------

    def start(self) -> Recovered:
        """Migrates, rebuilds the live state from the store, records the restart, starts."""
        if self._thread is not None:
            raise ServiceError("the writer is started already")
        upgrade(self.engine)
        state, recovered = recover(
            self.engine, clock=self.clock, rng=self.rng, interval_s=self.interval_s
        )
        self._state = state
        self._next_id = recovered.last_event_id + 1
        self._snapshot_id = recovered.snapshot_event_id or 0
        batch = _Batch()
        fresh = recovered.last_event_id == 0
        kept: frozenset[str] = frozenset()
        if self.keep_calls:
            for entry, part in zip(REGISTRY, state.parts, strict=True):
                if entry.keeps is not None:
                    kept |= entry.keeps(part)
        with self.engine.connect() as conn:
            self._read_tables(conn, state)
            for entry, part in zip(REGISTRY, state.parts, strict=True):
                if entry.opening is not None:
                    self._observe(batch, entry.opening(conn, part, fresh, kept))
        with self.engine.begin() as conn:
            self._append(conn, batch)
        self._after_commit(batch)
        self._write_snapshot()
        self.recovered = recovered
        self._thread = threading.Thread(target=self._run, name="hearthline-writer", daemon=True)
        self._thread.start()
        return recovered

    def stop(self, *, timeout: float = 30.0) -> None:
        """Runs every command submitted so far, writes a snapshot, and stops the writer."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        thread = self._thread
        if thread is not None:
            self._inbox.put(None)
            thread.join(timeout)
            if thread.is_alive():
                raise ServiceError(f"the writer did not stop within {timeout} s")
        if self._own_engine:
            self.engine.dispose()

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # Commands ----------------------------------------------------------------------------------

    def submit(self, command: object) -> Future[Stored]:
        """Queues ``command``; the future holds its stored events once they are durable."""
        self._check(command)
        return self._put(_Request(command))

    @staticmethod
    def _check(command: object, *, by_service: bool = False) -> None:
        """Refuses what only the service issues (unless it does), what no domain decides,
        and values the log could not hold."""
        if isinstance(command, _RESERVED) and not by_service:
            raise BadCommand(
                f"{type(command).__name__} is issued by the service itself; configuration "
                "changes go through the update_* functions of service/configuration.py"
            )
        if not isinstance(command, _COMMANDS):
            raise BadCommand(f"not a command: {type(command).__name__}")
        if not isinstance(command, _SELF_CHECKED):
            check_values(command)

    def execute(self, command: object, *, timeout: float | None = 30.0) -> Stored:
        """Runs ``command`` and returns its events once durable, or raises its refusal."""
        return self.submit(command).result(timeout)

    async def execute_async(self, command: object) -> Stored:
        return await asyncio.wrap_future(self.submit(command))

    def execute_writing(
        self, command: object, write: Write, *, timeout: float | None = 30.0
    ) -> Stored:
        """Runs ``command`` with ``write``, rows that belong with its events (a contact's
        customer link), in the transaction that stores the events, in a batch of its own:
        both are stored or neither. A refused command writes nothing."""
        self._check(command)
        return self._put(_Request(command, write=write)).result(timeout)  # type: ignore[no-any-return]

    def tick(self, *, timeout: float | None = 30.0) -> Stored:
        """Fires the timers due by the clock now (the writer also does so by itself)."""
        return self._put(_Request(None)).result(timeout)  # type: ignore[no-any-return]

    def query(self, read: Callable[[LiveState], T], *, timeout: float | None = 30.0) -> T:
        """Runs ``read`` on the live state, on the writer thread, after the current batch."""
        return self._put(_Request(None, query=read)).result(timeout)  # type: ignore[no-any-return]

    def part(self, kind: type[L]) -> L:
        """A domain's live part, for reads from other threads that are one dictionary
        lookup (atomic in CPython); anything longer goes through ``query``."""
        return self._live.part(kind)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Calls ``callback(envelope)`` for every event after it is committed, in log
        order, on the writer thread (keep it quick). Returns a function to unsubscribe."""
        with self._lock:
            self._subscribers = (*self._subscribers, callback)

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers = tuple(s for s in self._subscribers if s is not callback)

        return unsubscribe

    @property
    def last_event_id(self) -> int:
        return self._next_id - 1

    # Configuration: the tables and the log change together --------------------------------------

    def configure(self, command: object, write: Write, *, around: Around | None = None) -> Stored:
        """Runs a configuration command, one only the service issues, with ``write``, its
        change to the tables, in one transaction (``service/configuration.py``).

        ``around`` (the server's audit record: the value before, the change, the value
        after) runs in the same transaction: the change and its record are stored together
        or not at all, and "before" is what the change replaced."""
        self._check(command, by_service=True)
        request = _Request(command, write=_within(write, around))
        return self._put(request).result(30.0)  # type: ignore[no-any-return]

    def _put(self, request: _Request) -> Future[Any]:
        with self._lock:
            if self._closed or self._thread is None:
                raise WriterStopped("the writer is not running")
            self._inbox.put(request)
        return request.future

    # The writer ---------------------------------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch, stopping = self._take_batch()
            if batch:
                self._process(batch)
            elif self._due_now():
                self._process([])
            self._maybe_flush_read_models()
        self._maybe_flush_read_models(force=True)
        try:
            self._write_snapshot()
        except SQLAlchemyError:
            log.exception("could not write the final snapshot; the log is complete anyway")

    def _due_now(self) -> bool:
        deadline = self._live.next_deadline()
        return deadline is not None and deadline <= self.clock.now()

    def _wait_s(self) -> float:
        deadline = self._live.next_deadline()
        if deadline is None:
            return _MAX_WAIT_S
        # A clock that runs faster than the wall (the demo's accelerated day) gives its
        # rate: the wait is in real seconds, the deadline in the clock's.
        rate = float(getattr(self.clock, "rate", 1.0))
        return min(_MAX_WAIT_S, max(0.0, (deadline - self.clock.now()) / rate))

    def _take_batch(self) -> tuple[list[_Request], bool]:
        first = self._carry
        self._carry = None
        if first is None:
            try:
                first = self._inbox.get(timeout=self._wait_s())
            except queue.Empty:
                return [], False
        if first is None:
            return [], True
        batch = [first]
        if first.alone:
            return batch, False
        while len(batch) < self.max_batch:
            try:
                nxt = self._inbox.get_nowait()
            except queue.Empty:
                break
            if nxt is None:
                return batch, True
            if nxt.alone:
                self._carry = nxt
                break
            batch.append(nxt)
        return batch, False

    @property
    def _live(self) -> LiveState:
        assert self._state is not None
        return self._state

    def _process(self, requests: Sequence[_Request]) -> None:
        batch = _Batch()
        try:
            for request in requests:
                self._decide(batch, request)
            self._observe(batch, self._live.tick())
            with self.engine.begin() as conn:
                for write in batch.writes:
                    write(conn)
                self._append(conn, batch)
        except Exception as exc:
            # Nothing of the batch is durable, but the live state has moved: rebuild it.
            log.exception("a batch of %d command(s) was not stored", len(requests))
            self._fail(requests, exc)
            self._reload()
            return
        self._after_commit(batch)

    def _decide(self, batch: _Batch, request: _Request) -> None:
        state = self._live
        command = request.command
        start = len(batch.events)
        try:
            if command is None:
                produced = state.tick()
            else:
                produced = list(state.owner(command).decide(command))
        except _REFUSALS as exc:
            self._observe(batch, state.take_events())
            batch.outcomes.append((request, len(batch.events), len(batch.events), exc))
            return
        self._observe(batch, produced)
        if request.write is not None:
            batch.writes.append(request.write)
        batch.outcomes.append((request, start, len(batch.events), None))

    def _observe(self, batch: _Batch, produced: Sequence[DomainEvent]) -> None:
        state, events = self._live, batch.events
        for event in produced:
            client, agent = state.observe(event)
            events.append(Envelope(self._next_id + len(events), event, client, agent))

    def _append(self, conn: Connection, batch: _Batch) -> None:
        append_rows(conn, [event_row(envelope, CODEC) for envelope in batch.events])

    def _after_commit(self, batch: _Batch) -> None:
        stored = batch.events
        self._next_id += len(stored)
        for request, start, end, error in batch.outcomes:
            if request.future.done():
                continue
            if error is not None:
                request.future.set_exception(error)
            elif request.query is not None:
                try:
                    request.future.set_result(request.query(self._live))
                except Exception as exc:
                    request.future.set_exception(exc)
            else:
                request.future.set_result(stored[start:end])
        self._publish(stored)
        if self.last_event_id - self._snapshot_id >= self.snapshot_every:
            try:
                self._write_snapshot()
            except SQLAlchemyError:
                log.exception("could not write a snapshot; will try again")

    def _publish(self, stored: Sequence[Envelope]) -> None:
        subscribers = self._subscribers
        if not subscribers or not stored:
            return
        for item in stored:
            for callback in subscribers:
                try:
                    callback(item)
                except Exception:
                    log.exception("subscriber %r failed on event %d", callback, item.id)

    def _fail(self, requests: Sequence[_Request], exc: BaseException) -> None:
        error = StoreUnavailable(f"not stored: {type(exc).__name__}: {exc}"[:500])
        for request in requests:
            if not request.future.done():
                request.future.set_exception(error)

    def _reload(self) -> None:
        """Rebuilds the live state from the store after a failed batch (no restart events)."""
        while True:
            try:
                state, recovered = recover(
                    self.engine, clock=self.clock, rng=self.rng, interval_s=self.interval_s
                )
                with self.engine.connect() as conn:
                    self._read_tables(conn, state)
            except SQLAlchemyError as exc:
                self._drain_failing(exc)
                threading.Event().wait(1.0)
                continue
            self._state = state
            self._next_id = recovered.last_event_id + 1
            self._snapshot_id = recovered.snapshot_event_id or 0
            self._read_models_all = True
            return

    def _drain_failing(self, exc: BaseException) -> None:
        pending: list[_Request] = []
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._inbox.put(None)
                break
            pending.append(item)
        self._fail(pending, exc)

    @staticmethod
    def _read_tables(conn: Connection, state: LiveState) -> None:
        for entry, part in zip(REGISTRY, state.parts, strict=True):
            if entry.tables is not None:
                entry.tables(conn, part)

    # Snapshots and read models -------------------------------------------------------------------

    def _write_snapshot(self) -> None:
        state = self._live
        last = self.last_event_id
        writes = self._read_model_writes(checkpoint=True)
        snap = state.dump(last_event_id=last, taken_at=self.clock.now())
        try:
            with self.engine.begin() as conn:
                for write in writes:
                    write(conn)
                write_snapshot(conn, snap)
        except SQLAlchemyError:
            self._read_models_all = True  # the rows taken for this write are not stored
            raise
        self._snapshot_id = last
        self._read_models_since = self.clock.now()

    def _read_model_writes(self, *, checkpoint: bool) -> list[Write]:
        all_rows, self._read_models_all = self._read_models_all, False
        writes: list[Write] = []
        for entry, part in zip(REGISTRY, self._live.parts, strict=True):
            if entry.read_models is not None:
                write = entry.read_models(
                    part,
                    last_event_id=self.last_event_id,
                    all_rows=all_rows,
                    checkpoint=checkpoint,
                )
                if write is not None:
                    writes.append(write)
        return writes

    def _maybe_flush_read_models(self, *, force: bool = False) -> None:
        now = self.clock.now()
        if not force and now - self._read_models_since < self.read_model_every_s:
            return
        self._read_models_since = now
        if any(
            entry.needs_snapshot is not None and entry.needs_snapshot(part)
            for entry, part in zip(REGISTRY, self._live.parts, strict=True)
        ):
            # History brought into the pruned past: its rows go with a snapshot, now.
            try:
                self._write_snapshot()
            except SQLAlchemyError:
                log.exception("could not write a snapshot; will try again")
            return
        writes = self._read_model_writes(checkpoint=False)
        if not writes:
            return
        try:
            with self.engine.begin() as conn:
                for write in writes:
                    write(conn)
        except SQLAlchemyError:
            log.exception("could not update the read models; will write them all next time")
            self._read_models_all = True
