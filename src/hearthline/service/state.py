"""The live state the writer owns, and how it is rebuilt from the store on start.

Three things follow the log: the routing core (``Router``), the notebook (which
contacts an agent may write about) and the stats projection (the read models). A
snapshot holds all three at one event id; recovery loads the newest compatible one and
applies the events after it, or replays the whole log when there is none.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine

from hearthline.crm.events import CrmEvent
from hearthline.crm.notebook import Notebook
from hearthline.kernel.clock import Clock, Rng
from hearthline.reports.stats import StatsProjection
from hearthline.routing import events as ev
from hearthline.routing.router import Router
from hearthline.store.codec import AnyEvent
from hearthline.store.log import StoredEvent, read_events
from hearthline.store.snapshots import CODE_VERSION, Snapshot, latest_snapshot

_CONTACT_EVENTS = (ev.ContactArrived, ev.ContactQueued)


@dataclass(slots=True)
class Recovered:
    """What recovery found: where the log ends and how much of it was replayed."""

    last_event_id: int
    snapshot_event_id: int | None
    replayed: int


class LiveState:
    def __init__(self, router: Router, notebook: Notebook, stats: StatsProjection) -> None:
        self.router = router
        self.notebook = notebook
        self.stats = stats

    # Following events ---------------------------------------------------------------------

    def observe(self, event: AnyEvent) -> None:
        """Follows an event the router (or the notebook) has just produced, before storing."""
        if isinstance(event, CrmEvent):
            self.notebook.apply(event)
        else:
            self.notebook.observe(event)

    def apply_stored(self, batch: Iterable[StoredEvent]) -> int:
        """Applies events read back from the log (recovery): router, notebook, stats."""
        routing: list[ev.Event] = []
        n = 0
        for stored in batch:
            event = stored.event
            n += 1
            if isinstance(event, CrmEvent):
                self.notebook.apply(event)
            else:
                routing.append(event)
                self.notebook.observe(event)
                self.stats.apply(event)
        self.router.apply(routing)
        return n

    def client_of(self, event: AnyEvent) -> str | None:
        """The client company an event belongs to, or None for firm-wide ones."""
        router = self.router
        if isinstance(event, ev.CampaignConfigured):
            return event.campaign.client
        if isinstance(event, ev.QueueConfigured):
            camp = router.campaigns.get(event.queue.campaign)
            return camp.client if camp is not None else None
        contact = getattr(event, "contact", None)
        if contact is None:
            return None
        campaign = self.notebook.campaign_of(contact)
        if campaign is None:
            return None
        camp = router.campaigns.get(campaign)  # type: ignore[call-overload]
        return camp.client if camp is not None else None

    # Snapshots ----------------------------------------------------------------------------

    def dump(self, *, last_event_id: int, taken_at: float) -> Snapshot:
        other = pickle.dumps(
            {"notebook": self.notebook, "stats": self.stats, "interval_s": self.stats.interval_s},
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        return Snapshot(
            last_event_id=last_event_id,
            code_version=CODE_VERSION,
            taken_at=taken_at,
            routing_state=self.router.dump_state(),
            other_state=other,
        )

    @classmethod
    def empty(cls, *, clock: Clock, rng: Rng, interval_s: float) -> LiveState:
        return cls(Router(clock=clock, rng=rng), Notebook(), StatsProjection(interval_s=interval_s))

    @classmethod
    def from_snapshot(
        cls, snap: Snapshot, *, clock: Clock, rng: Rng, interval_s: float
    ) -> LiveState | None:
        """The state the snapshot holds, or None if it cannot serve (other settings)."""
        # Our own snapshots only, written by ``dump`` into our own database.
        other = pickle.loads(snap.other_state)
        if other.get("interval_s") != interval_s:
            return None
        router = Router.load_state(snap.routing_state, clock=clock, rng=rng)
        return cls(router, other["notebook"], other["stats"])


def recover(
    engine: Engine, *, clock: Clock, rng: Rng, interval_s: float, use_snapshot: bool = True
) -> tuple[LiveState, Recovered]:
    """The live state as of the end of the log: newest usable snapshot plus the tail."""
    state: LiveState | None = None
    after = 0
    snap_id: int | None = None
    if use_snapshot:
        with engine.connect() as conn:
            snap = latest_snapshot(conn)
        if snap is not None:
            state = LiveState.from_snapshot(snap, clock=clock, rng=rng, interval_s=interval_s)
            if state is not None:
                after = snap_id = snap.last_event_id
    if state is None:
        state = LiveState.empty(clock=clock, rng=rng, interval_s=interval_s)
    replayed = 0
    last = after
    page: list[StoredEvent] = []
    for stored in read_events(engine, after=after):
        page.append(stored)
        if len(page) >= 5000:
            replayed += state.apply_stored(page)
            last = page[-1].id
            page = []
    if page:
        replayed += state.apply_stored(page)
        last = page[-1].id
    return state, Recovered(last_event_id=last, snapshot_event_id=snap_id, replayed=replayed)
