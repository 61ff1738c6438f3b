"""The registry of domains: the one place that lists them.

The writer dispatches each command to the domain registered for its type; the codec,
the live state, the snapshots and the tenancy of events loop over this list. A domain
that keeps something in tables rather than in the log, or writes read models, says so
here with the store functions that do it, so the writer names no domain by hand.

Adding a domain: its own pure package with a ``domain.py`` (``DOMAIN = Domain(...)``,
see ``kernel/domain.py``), and one line in ``REGISTRY`` below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection

from hearthline.crm.domain import DOMAIN as CRM
from hearthline.crm.domain import LiveCrm
from hearthline.kernel.domain import Domain, DomainEvent, Live
from hearthline.kernel.ids import ContactId
from hearthline.knowledge.domain import DOMAIN as KNOWLEDGE
from hearthline.reports.domain import DOMAIN as REPORTS
from hearthline.reports.domain import LiveReports
from hearthline.reports.menu_domain import DOMAIN as MENU_REPORTS
from hearthline.reports.menu_domain import LiveMenuReports
from hearthline.routing import commands as cmd
from hearthline.routing.domain import DOMAIN as ROUTING
from hearthline.routing.domain import LiveRouting
from hearthline.store import config_repo, menu_stats, read_models
from hearthline.store.codec import Codec
from hearthline.store.queries import schedules as schedules_q
from hearthline.store.snapshots import code_version
from hearthline.voice.domain import DOMAIN as VOICE
from hearthline.voice.domain import LiveVoice
from hearthline.wfm.commands import ConfigureScheduling, SetContract
from hearthline.wfm.domain import DOMAIN as SCHEDULES
from hearthline.wfm.domain import LiveSchedules

Write = Callable[[Connection], None]


class ReadModels(Protocol):
    def __call__(
        self, live: Live, *, last_event_id: int, all_rows: bool, checkpoint: bool
    ) -> Write | None:
        """The write of the domain's read models: the rows changed since the last one (or
        ``all_rows``), stamped with the last event they include; None when nothing changed,
        unless ``checkpoint`` asks for the stamp anyway (a snapshot's)."""
        ...


@dataclass(frozen=True, slots=True)
class Registered:
    domain: Domain
    # What a run opens with, given the tables: the first configuration on an empty log
    # (``fresh``), or the record of the restart; the last argument names the contacts
    # the restart keeps live (``keeps``).
    opening: Callable[[Connection, Live, bool, frozenset[str]], Sequence[DomainEvent]] | None = None
    # The contacts whose real calls may outlive the server (its media engine and B2BUA
    # kept them): a restart that keeps calls leaves them live (docs/voice.md, "Restarts").
    keeps: Callable[[Live], frozenset[str]] | None = None
    # Reads what the domain keeps in tables rather than in the log: on start, and when
    # the live state is rebuilt after a failed commit.
    tables: Callable[[Connection, Live], None] | None = None
    read_models: ReadModels | None = None
    # True when the domain holds read-model rows that only a snapshot may write (rows to
    # add, not to overwrite): the writer then snapshots at its next read-model flush
    # rather than leave them unseen until the periodic one.
    needs_snapshot: Callable[[Live], bool] | None = None


def _open_routing(
    conn: Connection, live: Live, fresh: bool, kept: frozenset[str]
) -> Sequence[DomainEvent]:
    assert isinstance(live, LiveRouting)
    if fresh:
        return live.router.configure(config_repo.load_routing_config(conn))
    keep = tuple(ContactId(c) for c in sorted(kept))
    return live.router.handle(cmd.RecoverAfterRestart(keep=keep))


def _live_calls(live: Live) -> frozenset[str]:
    assert isinstance(live, LiveVoice)
    return frozenset(live.switchboard.by_contact)


def _crm_tables(conn: Connection, live: Live) -> None:
    assert isinstance(live, LiveCrm)
    live.notebook.forms = config_repo.load_forms(conn)


def _stats_rows(
    live: Live, *, last_event_id: int, all_rows: bool, checkpoint: bool
) -> Write | None:
    assert isinstance(live, LiveReports)
    stats = live.stats
    queues, agents = stats.take_changed()
    outcomes = stats.take_changed_outcomes()
    # Rows to add to the stored ones go with a snapshot only: a restart from an older
    # snapshot would add them twice (stats.take_added).
    added = stats.take_added() if checkpoint else ((), (), ())
    if all_rows:
        queues, agents = stats.queue_rows(), stats.agent_rows()
        outcomes = stats.outcome_rows()
    # What is written now, or was before, and can change no more leaves memory (and the
    # snapshots): the tables hold it.
    stats.prune()
    if not (queues or agents or outcomes or any(added) or checkpoint):
        return None
    days = stats.days

    def write(conn: Connection) -> None:
        read_models.write_changed(
            conn,
            queues,
            agents,
            last_event_id=last_event_id,
            interval_s=stats.interval_s,
            outcome_rows=outcomes,
            days=days,
            added=added,
        )

    return write


def _stats_need_snapshot(live: Live) -> bool:
    assert isinstance(live, LiveReports)
    return live.stats.has_added()


def _menu_rows(live: Live, *, last_event_id: int, all_rows: bool, checkpoint: bool) -> Write | None:
    assert isinstance(live, LiveMenuReports)
    menus = live.menus
    rows = menus.take_changed()
    if all_rows:
        rows = menus.rows()
    menus.prune()
    if not rows:
        return None
    return lambda conn: menu_stats.write_changed(conn, rows)


def _adherence_rows(
    live: Live, *, last_event_id: int, all_rows: bool, checkpoint: bool
) -> Write | None:
    assert isinstance(live, LiveSchedules)
    rows = live.board.take_adherence(all_rows=all_rows)
    if not rows:
        return None
    return lambda conn: read_models.write_adherence(conn, rows)


def _open_schedules(
    conn: Connection, live: Live, fresh: bool, kept: frozenset[str]
) -> Sequence[DomainEvent]:
    # The settings and contracts in the tables, on a fresh log; after that, the log's.
    if not fresh:
        return ()
    found = schedules_q.settings(conn)
    commands: list[object] = [] if found is None else [ConfigureScheduling(*found)]
    commands += [SetContract(c) for c in schedules_q.contracts(conn)]
    return [event for c in commands for event in live.decide(c)]


REGISTRY: tuple[Registered, ...] = (
    Registered(ROUTING, opening=_open_routing),
    Registered(CRM, tables=_crm_tables),
    Registered(REPORTS, read_models=_stats_rows, needs_snapshot=_stats_need_snapshot),
    Registered(SCHEDULES, opening=_open_schedules, read_models=_adherence_rows),
    Registered(KNOWLEDGE),
    Registered(VOICE, keeps=_live_calls),
    Registered(MENU_REPORTS, read_models=_menu_rows),
)

DOMAINS: tuple[Domain, ...] = tuple(r.domain for r in REGISTRY)
CODEC = Codec(cls for d in DOMAINS for cls in d.events)
# Snapshots hold these packages' objects: one taken by other code is ignored.
CODE_VERSION = code_version(d.package for d in DOMAINS)
