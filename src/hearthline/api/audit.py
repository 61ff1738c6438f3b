"""The audit log: who changed what in the configuration, when, and from what to what."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, select

from hearthline.api.principal import Principal
from hearthline.store import tables as t


def record(
    conn: Connection,
    who: Principal,
    *,
    at: float,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
) -> None:
    conn.execute(
        insert(t.audit_log).values(
            at=at,
            user_id=who.user_id,
            username=who.username,
            action=action,
            target=target[:400],
            before=_dump(before),
            after=_dump(after),
        )
    )


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, default=str)


def entries(conn: Connection, *, limit: int, before_id: int | None) -> list[dict[str, Any]]:
    a = t.audit_log
    query = select(a).order_by(a.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(a.c.id < before_id)
    return [dict(r) for r in conn.execute(query).mappings()]
