"""Recorded calls: the index of the files, the policy per campaign, the retention per client."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, or_, select, update

from hearthline.kernel.domain import DomainEvent
from hearthline.store import tables as t
from hearthline.store.codec import Codec
from hearthline.store.queries.bind import Bind, connected

MODES = ("all", "share", "none")


@dataclass(frozen=True, slots=True)
class RecordingRow:
    id: int
    contact_id: str
    client_id: str
    call_id: str
    file: str
    seconds: float
    started_at: float
    created_at: float
    kind: str = "call"  # or "voicemail"
    # A voicemail's follow-up (None until then).
    played_at: float | None = None
    dealt_at: float | None = None
    dealt_by: str | None = None
    callback_id: str | None = None  # the callback made of it from the console


def _row(r: object) -> RecordingRow:
    m = r._mapping  # type: ignore[attr-defined]
    return RecordingRow(
        m["id"], m["contact_id"], m["client_id"], m["call_id"], m["file"],
        m["seconds"], m["started_at"], m["created_at"], m["kind"],
        m["played_at"], m["dealt_at"], m["dealt_by"], m["callback_id"],
    )  # fmt: skip


def add(
    bind: Bind,
    *,
    contact: str,
    client: str,
    call: str,
    file: str,
    seconds: float,
    started_at: float,
    created_at: float,
    kind: str = "call",
) -> int:
    with connected(bind) as conn:
        found = conn.execute(
            insert(t.recordings).values(
                contact_id=contact, client_id=client, call_id=call, file=file,
                seconds=seconds, started_at=started_at, created_at=created_at, kind=kind,
            )
        )  # fmt: skip
        key = found.inserted_primary_key
        assert key is not None
        if not isinstance(bind, Connection):
            conn.commit()
        return int(key[0])


def of_contact(bind: Bind, contact: str) -> list[RecordingRow]:
    """The contact's recordings, and the voicemail a callback was made of from the console
    (filed under the contact the caller left it on)."""
    r = t.recordings
    query = select(r).where(or_(r.c.contact_id == contact, r.c.callback_id == contact))
    with connected(bind) as conn:
        rows = conn.execute(query.order_by(r.c.id)).all()
    return [_row(x) for x in rows]


def voicemails(
    bind: Bind, *, since: float, limit: int, client: str | None, pending: bool = False
) -> list[RecordingRow]:
    """The voicemails indexed since ``since``, newest first (of ``client`` only, unless None;
    only those not dealt with if ``pending``)."""
    r = t.recordings
    query = select(r).where(r.c.kind == "voicemail", r.c.created_at >= since)
    if client is not None:
        query = query.where(r.c.client_id == client)
    if pending:
        query = query.where(r.c.dealt_at.is_(None))
    with connected(bind) as conn:
        rows = conn.execute(query.order_by(r.c.created_at.desc(), r.c.id.desc()).limit(limit))
        return [_row(x) for x in rows.all()]


def played(conn: Connection, recording: int, at: float) -> None:
    """Notes a voicemail's first playback (a later one keeps the first time)."""
    r = t.recordings
    conn.execute(update(r).where(r.c.id == recording, r.c.played_at.is_(None)).values(played_at=at))


def set_dealt(conn: Connection, recording: int, at: float | None, by: str | None) -> None:
    """Marks a voicemail dealt with (``at``, ``by``), or open again (None, None)."""
    r = t.recordings
    conn.execute(update(r).where(r.c.id == recording).values(dealt_at=at, dealt_by=by))


def claim_callback(conn: Connection, recording: int, callback: str, at: float, by: str) -> bool:
    """Marks a voicemail turned into ``callback`` and dealt with (``at``, ``by``), unless it
    is dealt with or a callback already: False then, and nothing changes (of two at once,
    one claims it)."""
    r = t.recordings
    found = conn.execute(
        update(r)
        .where(r.c.id == recording, r.c.dealt_at.is_(None), r.c.callback_id.is_(None))
        .values(callback_id=callback, dealt_at=at, dealt_by=by)
    )
    return found.rowcount == 1


def release_callback(conn: Connection, recording: int, callback: str) -> None:
    """Undoes ``claim_callback`` when the core refused the callback after all."""
    r = t.recordings
    conn.execute(
        update(r)
        .where(r.c.id == recording, r.c.callback_id == callback)
        .values(callback_id=None, dealt_at=None, dealt_by=None)
    )


def events_of_contacts(
    bind: Bind, codec: Codec, contacts: list[str], types: tuple[str, ...]
) -> list[DomainEvent]:
    """The events of ``types`` of these contacts (by the log's contact index), in order."""
    if not contacts:
        return []
    e = t.events
    query = select(e.c.type, e.c.payload).where(e.c.contact_id.in_(contacts), e.c.type.in_(types))
    with connected(bind) as conn:
        rows = conn.execute(query.order_by(e.c.id)).all()
    return [codec.decode(type_, payload) for type_, payload in rows]


def one(bind: Bind, recording: int) -> RecordingRow | None:
    r = t.recordings
    with connected(bind) as conn:
        row = conn.execute(select(r).where(r.c.id == recording)).first()
    return _row(row) if row is not None else None


def share_of(bind: Bind, campaign: str) -> int:
    """The percent of the campaign's calls to record (0 when it has no policy)."""
    p = t.recording_policies
    with connected(bind) as conn:
        row = conn.execute(
            select(p.c.mode, p.c.share_percent).where(p.c.campaign_id == campaign)
        ).first()
    if row is None or row.mode == "none":
        return 0
    return 100 if row.mode == "all" else max(0, min(100, int(row.share_percent)))


def policies(bind: Bind) -> list[tuple[str, str, int]]:
    """Every campaign's policy: (campaign, mode, share in percent), by campaign."""
    p = t.recording_policies
    with connected(bind) as conn:
        rows = conn.execute(
            select(p.c.campaign_id, p.c.mode, p.c.share_percent).order_by(p.c.campaign_id)
        ).all()
    return [(r.campaign_id, r.mode, int(r.share_percent)) for r in rows]


def set_policy(conn: Connection, campaign: str, mode: str, share: int, at: float) -> None:
    p = t.recording_policies
    conn.execute(delete(p).where(p.c.campaign_id == campaign))
    conn.execute(
        insert(p).values(campaign_id=campaign, mode=mode, share_percent=share, updated_at=at)
    )


def set_retention(conn: Connection, client: str, days: int, at: float) -> None:
    k = t.recording_retention
    conn.execute(delete(k).where(k.c.client_id == client))
    conn.execute(insert(k).values(client_id=client, days=days, updated_at=at))


def expired(bind: Bind, now: float) -> list[RecordingRow]:
    """The recordings older than their client's retention (clients without one keep all)."""
    r, k = t.recordings, t.recording_retention
    query = (
        select(r)
        .join(k, k.c.client_id == r.c.client_id)
        .where(r.c.created_at < now - k.c.days * 86400.0)
        .order_by(r.c.id)
    )
    with connected(bind) as conn:
        return [_row(x) for x in conn.execute(query).all()]


def remove(conn: Connection, recording: int) -> None:
    conn.execute(delete(t.recordings).where(t.recordings.c.id == recording))


def indexed(bind: Bind, call: str, kind: str = "call") -> bool:
    """Whether a recording of the call (of ``kind``: "call", "voicemail") is indexed."""
    r = t.recordings
    query = select(r.c.id).where(r.c.call_id == call, r.c.kind == kind).limit(1)
    with connected(bind) as conn:
        return conn.execute(query).first() is not None


def log_since(bind: Bind, codec: Codec, since: float, types: tuple[str, ...]) -> list[DomainEvent]:
    """The log's events of ``types`` from ``since`` on, in order. The log has no index by
    type: a scan, run only at a start that found a stopped server's pcaps."""
    e = t.events
    query = select(e.c.type, e.c.payload).where(e.c.type.in_(types), e.c.at >= since)
    with connected(bind) as conn:
        rows = conn.execute(query.order_by(e.c.id)).all()
    return [codec.decode(type_, payload) for type_, payload in rows]
