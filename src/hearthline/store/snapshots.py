"""Snapshots: the live state at one event id, so a restart replays only the tail.

A snapshot is a shortcut, never the truth: it is pickled state of this exact code, so
it carries ``CODE_VERSION`` (a digest of the code whose objects it holds) and one of any
other version is ignored -- the log is replayed instead.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, delete, insert, select

import hearthline
from hearthline.store.tables import snapshots

KEEP = 2


def code_version(packages: Iterable[str]) -> str:
    """A digest of the code of ``packages`` (the domains whose objects a snapshot holds)."""
    digest = hashlib.sha256(f"{hearthline.__version__} {sys.version_info[:2]}".encode())
    root = Path(hearthline.__file__).parent
    for package in packages:
        folder = root.joinpath(*package.split(".")[1:])
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:40]


@dataclass(frozen=True, slots=True)
class Snapshot:
    last_event_id: int
    code_version: str
    taken_at: float
    # Each domain's ``Live.dump()``, by domain name, pickled together.
    state: bytes


def write_snapshot(conn: Connection, snap: Snapshot, *, keep: int = KEEP) -> None:
    """Stores ``snap`` and prunes all but the ``keep`` newest snapshots."""
    conn.execute(
        insert(snapshots).values(
            last_event_id=snap.last_event_id,
            code_version=snap.code_version,
            taken_at=snap.taken_at,
            state=snap.state,
        )
    )
    newest = select(snapshots.c.id).order_by(snapshots.c.id.desc()).limit(keep)
    conn.execute(delete(snapshots).where(snapshots.c.id.not_in(newest.scalar_subquery())))


def latest_snapshot(conn: Connection, *, version: str) -> Snapshot | None:
    row = conn.execute(
        select(
            snapshots.c.last_event_id,
            snapshots.c.code_version,
            snapshots.c.taken_at,
            snapshots.c.state,
        )
        .where(snapshots.c.code_version == version)
        .order_by(snapshots.c.last_event_id.desc(), snapshots.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Snapshot(
        last_event_id=row[0],
        code_version=row[1],
        taken_at=row[2],
        state=bytes(row[3]),
    )
