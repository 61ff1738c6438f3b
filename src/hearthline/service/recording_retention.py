"""Retention of recorded calls: the files and index rows past their client's retention are
deleted, each deletion with its audit record (what it was, and by which job)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from hearthline.service.actions.audit import plain, record, transaction
from hearthline.store.queries import recordings as recordings_q


@dataclass(frozen=True, slots=True)
class _Job:
    """The audit record's author: the retention job, not a person."""

    user_id: int = 0
    username: str = "recording-retention"


def enforce(engine: Engine, store: Path, *, now: float) -> list[recordings_q.RecordingRow]:
    """Deletes what is past retention under ``store`` (``<data_dir>/recordings``); the rows
    deleted. The row goes with its audit record; the file after, so a failed commit never
    leaves an index row without its file."""
    deleted: list[recordings_q.RecordingRow] = []
    for row in recordings_q.expired(engine, now):
        with transaction(engine) as conn:
            recordings_q.remove(conn, row.id)
            record(
                conn, _Job(), at=now, action="recording.deleted",
                target=f"{row.client_id}/{row.contact_id}", before=plain(row),
            )  # fmt: skip
        path = (store / row.file).resolve()
        if path.is_relative_to(store.resolve()):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        deleted.append(row)
    return deleted
