"""Report figures over HTTP: each role sees its own, the exports carry the page's numbers."""

from __future__ import annotations

import csv
import io
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
import pytest
from openpyxl import load_workbook

from hearthline.reports.definitions import FIGURE_NAMES, FIGURES
from tests.api.support import Served, serve
from tests.databases import PG_ADMIN, PG_HOST


def _a_sale_for_acme_and_an_abandon_for_globex(app: Served) -> None:
    agent = app.login("a000")
    channel = app.channel()
    assert agent.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
    made = channel.post("/api/channels/contacts", json={"queue": "returns", "caller": "+1555"})
    contact = made.json()["contact_id"]
    for path, body in (
        (f"/api/agent/offers/{contact}/accept", None),
        (f"/api/agent/contacts/{contact}/hang-up", None),
        (
            f"/api/agent/contacts/{contact}/finish",
            {"disposition": "prevented-resale", "fields": {"order_number": "o1"}},
        ),
        ("/api/agent/ready", None),
    ):
        r = agent.post(path, json=body)
        assert r.status_code == 200, (path, r.text)
    gone = channel.post("/api/channels/contacts", json={"queue": "sales", "caller": "+1666"})
    r = channel.post(f"/api/channels/contacts/{gone.json()['contact_id']}/hang-up")
    assert r.status_code == 200, r.text


def _figures(c: httpx.Client, **params: str) -> dict[str, Any]:
    r = c.get("/api/reports/figures", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _by(body: dict[str, Any], dim: str) -> dict[str, dict[str, Any]]:
    return {row["key"][dim]: row["figures"] for row in body["rows"]}


def _stored(app: Served) -> None:
    """Waits for the read models (written every few tenths of a second here)."""
    admin = app.login("admin")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = _by(_figures(admin, group="client"), "client")
        if rows.get("acme", {}).get("outcomes") == 1 and rows.get("globex", {}).get("abandoned"):
            return
        time.sleep(0.1)
    raise AssertionError(f"the figures never showed the day: {rows}")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def day(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """One served day per database for the whole module: the tests only read it."""
    if request.param == "sqlite":
        app = serve(f"sqlite:///{tmp_path_factory.mktemp('db') / 'hearthline.sqlite3'}")
        yield from _with_day(app)
        return
    with postgres_database() as url:
        yield from _with_day(serve(url))


@contextmanager
def postgres_database() -> Iterator[str]:
    name = f"hl_rep_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_HOST}: {exc}", pytrace=False)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_day(app: Served) -> Iterator[Served]:
    try:
        _a_sale_for_acme_and_an_abandon_for_globex(app)
        _stored(app)
        yield app
    finally:
        app.stop()


def test_each_role_sees_only_its_own_figures(day: Served) -> None:
    admin = _by(_figures(day.login("admin"), group="client"), "client")
    assert admin["acme"]["offered"] == 1 and admin["acme"]["answered"] == 1
    assert admin["acme"]["sales"] == 1 and admin["acme"]["save_rate"] == 1.0
    assert admin["globex"]["offered"] == 1 and admin["globex"]["abandoned"] == 1
    assert admin["globex"]["service_level"] == 0.0

    viewer = day.login("acme-viewer")
    assert set(_by(_figures(viewer, group="client"), "client")) == {"acme"}
    queues = _by(_figures(viewer, group="queue"), "queue")
    assert set(queues) == {"returns"}
    assert queues["returns"]["occupancy"] is None  # agents' time is the firm's own
    refused = viewer.get("/api/reports/figures", params={"group": "agent"})
    assert refused.status_code == 403 and "firm's own" in refused.json()["message"]
    assert set(_by(_figures(day.login("globex-viewer"), group="queue"), "queue")) == {"sales"}

    agents = _by(_figures(day.login("sup-acme"), group="agent"), "agent")
    assert "g000" not in agents and agents["a000"]["answered"] == 1
    assert agents["a000"]["occupancy"] is not None

    own = _figures(day.login("a000"), group="agent")
    assert [r["key"]["agent"] for r in own["rows"]] == ["a000"]
    assert own["rows"][0]["figures"]["offered"] is None  # no queue figures for agents
    assert _figures(day.login("a001"), group="agent")["rows"] == []
    assert _figures(day.login("a000"), group="queue")["rows"] == []


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"group": "colour"}, "unknown grouping"),
        ({"group": "queue,agent"}, "at most one"),
        ({"start": "2026-03-01"}, "both start and end"),
        ({"start": "2026-03-02", "end": "2026-03-01"}, "before it starts"),
        ({"start": "2024-01-01", "end": "2026-01-01"}, "at most 367 days"),
        ({"start": "1900-01-01", "end": "1900-01-02"}, "from 1970"),
        ({"period": "year"}, "period"),
        ({"period": "month", "date": "9999-12-31"}, "before 9000"),
        ({"period": "week", "date": "0001-01-01"}, "from 1970"),
        ({"date": "2026-13-01"}, "date"),
        ({"start": "2026-03-01", "end": "2026-03-02", "period": "day"}, "either"),
    ],
)
def test_bad_ranges_and_groupings_are_refused_by_name(
    day: Served, params: dict[str, str], says: str
) -> None:
    r = day.login("admin").get("/api/reports/figures", params=params)
    assert r.status_code == 422, r.text
    assert says in r.json()["message"]


def _csv_rows(text: str) -> tuple[list[str], list[list[str]]]:
    comments = [line for line in text.splitlines() if line.startswith("#")]
    body = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    return comments, body


def _number(cell: str | float | None) -> float | None:
    return None if cell in ("", None) else float(cell)  # type: ignore[arg-type]


def test_exports_carry_the_definitions_and_the_pages_numbers(day: Served) -> None:
    admin = day.login("admin")
    params = {"group": "queue,interval"}
    page = _figures(admin, **params)["rows"]
    assert page and all(r["figures"]["offered"] is not None for r in page)
    want = [
        [*(r["key"][d] for d in ("queue", "interval")), *(r["figures"][n] for n in FIGURE_NAMES)]
        for r in page
    ]

    r = admin.get("/api/reports/export.csv", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    comments, body = _csv_rows(r.text)
    assert len(comments) == 1 + len(FIGURES)
    assert all(any(f.definition in c for c in comments) for f in FIGURES)
    assert body[0] == ["queue", "interval", *FIGURE_NAMES]
    assert [[*row[:2], *map(_number, row[2:])] for row in body[1:]] == want

    r = admin.get("/api/reports/export.xlsx", params=params)
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    assert book.sheetnames == ["Definitions", "Report"]
    defs = list(book["Definitions"].iter_rows(values_only=True))
    assert [d[1] for d in defs[2:]] == list(FIGURE_NAMES)
    assert [d[3] for d in defs[2:]] == [f.definition for f in FIGURES]
    sheet = [list(row) for row in book["Report"].iter_rows(values_only=True)]
    assert sheet[0] == ["queue", "interval", *FIGURE_NAMES]
    # A workbook holds a number to Excel's precision (about 16 significant digits).
    got = [[*row[:2], *map(_number, row[2:])] for row in sheet[1:]]
    assert got == [
        [*w[:2], *(None if v is None else pytest.approx(v, rel=1e-15) for v in w[2:])] for w in want
    ]


def test_a_client_viewer_exports_only_its_own_client(day: Served) -> None:
    viewer = day.login("globex-viewer")
    text = viewer.get("/api/reports/export.csv", params={"group": "campaign"}).text
    _, body = _csv_rows(text)
    assert [row[0] for row in body[1:]] == ["globex-sales"]
    assert "acme" not in text and "returns" not in text
    assert viewer.get("/api/reports/export.xlsx", params={"group": "agent"}).status_code == 403
