"""Voicemails turned into callbacks from the console (``recordings.callback_id``), and the
first playback of voicemails played before 0025 taken from the audit log

0025 added ``played_at`` empty for every voicemail already indexed, so one heard before it
showed "Not played" although the audit log says who played it and when (``voicemail.played``
or ``voicemail.downloaded``, ``after`` naming the recording's id): the earliest of those is
its first playback.

Revision ID: 0026_voicemail_callbacks
Revises: 0025_voicemail_dealt
Create Date: 2026-12-01 22:30:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_voicemail_callbacks"
down_revision: str | None = "0025_voicemail_dealt"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200
_PLAYED = ("voicemail.played", "voicemail.downloaded")


def upgrade() -> None:
    op.add_column("recordings", sa.Column("callback_id", sa.String(ID), nullable=True))
    op.create_index("ix_recordings_callback_id", "recordings", ["callback_id"])
    _played_from_the_audit_log(op.get_bind())


def _played_from_the_audit_log(conn: sa.Connection) -> None:
    unplayed = {
        int(i)
        for (i,) in conn.execute(
            sa.text("SELECT id FROM recordings WHERE kind = 'voicemail' AND played_at IS NULL")
        )
    }
    if not unplayed:
        return
    first: dict[int, float] = {}
    rows = conn.execute(
        sa.text("SELECT at, after FROM audit_log WHERE action IN :actions").bindparams(
            sa.bindparam("actions", expanding=True)
        ),
        {"actions": list(_PLAYED)},
    )
    for at, after in rows:
        try:
            ident = json.loads(after or "{}").get("id")
        except (ValueError, AttributeError):
            continue  # not a row this migration can read: left as it is
        if isinstance(ident, int) and ident in unplayed:
            first[ident] = min(float(at), first.get(ident, float("inf")))
    for ident, at in sorted(first.items()):
        conn.execute(
            sa.text("UPDATE recordings SET played_at = :at WHERE id = :id"),
            {"at": at, "id": ident},
        )


def downgrade() -> None:
    # The playbacks taken from the audit log stay: 0025's column holds them truthfully.
    op.drop_index("ix_recordings_callback_id", table_name="recordings")
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("callback_id")
