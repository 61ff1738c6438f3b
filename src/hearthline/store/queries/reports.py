"""Statistics from the read models, and an agent's recorded outcomes from the log."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from hearthline.store import read_models
from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected


def queue_stats(bind: Bind, *, since: float | None) -> list[dict[str, Any]]:
    with connected(bind) as conn:
        return read_models.queue_stats(conn, since=since)


def agent_stats(
    bind: Bind, *, since: float | None, agent: str | None = None
) -> list[dict[str, Any]]:
    with connected(bind) as conn:
        rows = read_models.agent_stats(conn, since=since)
    return [r for r in rows if agent is None or r["agent_id"] == agent]


def outcomes(bind: Bind, *, agent: str, since: float) -> list[dict[str, Any]]:
    """The payloads of the agent's DispositionRecorded events since ``since``."""
    e = t.events
    query = select(e.c.payload).where(
        e.c.type == "DispositionRecorded", e.c.agent_id == agent, e.c.at >= since
    )
    with connected(bind) as conn:
        return [json.loads(p) for (p,) in conn.execute(query)]
