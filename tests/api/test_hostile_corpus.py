"""A corpus of hostile inputs at every operation, on both databases: NUL bytes, integers
past any column, deep JSON, overlong strings, broken and odd Unicode, wrong types. Every
answer is a clear refusal (never a 5xx), and nothing stored changes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select

from hearthline.store import tables as t
from tests.api.support import Served, serve
from tests.api.test_roles import World, _bodies

# Replacements for one field of a valid body: each must be refused.
FIELD_VALUES: list[Any] = [
    "nul\x00inside",
    2**70,
    "x" * 70_000,
    ["a", {"list": None}],
    "\ud800lone surrogate",
]
# Whole bodies that are not what any operation takes.
RAW_BODIES: list[bytes] = [
    b"[" * 5_000 + b"]" * 5_000,
    b'{"a": ' * 3_000 + b"1" + b"}" * 3_000,
    b"\xff\xfe not utf-8",
    b"null",
]
# Path parameters: odd but harmless ones may be looked up (404), never stored.
PATH_VALUES = [
    "%00",
    "x" * 5000,
    "%E2%80%AE%F0%9F%92%A9",
    "..%2F..%2Fetc",
]
# Tables that change by themselves: sessions and sign-in counts, statistics refreshed on
# a timer, the snapshots the writer takes.
MOVING = {
    "sessions",
    "sign_in_throttle",
    "queue_interval_stats",
    "agent_interval_stats",
    "agent_not_ready_stats",
    "agent_outcome_stats",
    "queue_hour_stats",
    "agent_hour_stats",
    "agent_outcome_hour_stats",
    "queue_day_stats",
    "agent_day_stats",
    "agent_outcome_day_stats",
    "report_day_zone",
    "read_model_checkpoints",
    "snapshots",
}


def _stored(app: Served) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with app.writer.engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            if table.name in MOVING:
                continue
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def _operations(app: Served) -> list[tuple[str, str, bool]]:
    found = []
    for rc in iter_route_contexts(app.app.routes):
        route = rc.original_route
        if not isinstance(route, APIRoute):
            continue
        for method in sorted((rc.methods or set()) - {"HEAD"}):
            found.append((method, rc.path, route.body_field is not None))
    return found


def _call(c: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return c.request(method, path, **kwargs)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    """Heartbeats are not sent here: no agent may be found gone while the corpus runs."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = serve(url, heartbeat_timeout_s=3600)
    yield app
    app.stop()


def test_hostile_input_is_refused_everywhere_and_changes_nothing(served: Served) -> None:
    world = World(served)
    admin = served.login("admin")
    bodies = _bodies(due_at=time.time() + 3600)  # noqa: TID251 -- a time for the core's clock
    before = _stored(served)
    events_before = served.writer.last_event_id
    problems: list[str] = []

    def check(label: str, r: httpx.Response, *, writes: bool) -> None:
        if r.status_code >= 500:
            problems.append(f"{label}: {r.status_code} {r.text[:200]}")
        elif writes and 200 <= r.status_code < 300:
            problems.append(f"{label}: accepted ({r.status_code}) {r.text[:200]}")

    for method, template, has_body in _operations(served):
        key = f"{method} {template}"
        path = world.path(template)
        writes = method != "GET"
        if has_body:
            body = bodies[key]
            for field in list(body)[:4]:
                for value in FIELD_VALUES:
                    sent = json.dumps(body | {field: value}).encode()
                    r = _call(admin, method, path, content=sent, headers=_JSON)
                    check(f"{key} {field}={str(value)[:20]!r}", r, writes=writes)
            for raw in RAW_BODIES:
                r = _call(admin, method, path, content=raw, headers=_JSON)
                check(f"{key} body {raw[:20]!r}", r, writes=writes)
        if "{" in template:
            # A long number is a valid name for a new thing: only looked up.
            for value in PATH_VALUES + (["9" * 23] if method == "GET" else []):
                odd = template.split("{", 1)[0] + value + template.split("}", 1)[1]
                r = _call(admin, method, world.path(odd), json=bodies.get(key))
                check(f"{key} path {value[:20]!r}", r, writes=writes and "{" not in odd)
        for name in ("limit", "before_id", "last_event_id", "q"):
            r = _call(admin, "GET", path, params={name: "9" * 40}) if method == "GET" else None
            if r is not None:
                check(f"{key} ?{name}=9*40", r, writes=False)
    assert problems == [], "\n".join(problems[:40])
    assert served.writer.last_event_id == events_before
    assert _stored(served) == before


_JSON = {"Content-Type": "application/json"}
