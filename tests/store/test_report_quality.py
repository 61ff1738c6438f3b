"""Quality evaluations in the reports: counted and averaged per group and per day of the
firm, calibration scorings and overturned evaluations left out, scoped like the rest."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert

from hearthline.demo.sample import CAMPAIGN, CLIENT, agent_id
from hearthline.reports.periods import Span
from hearthline.store import tables as t
from hearthline.store.queries.reports import ReportScope, report

PARIS = ZoneInfo("Europe/Paris")
DAY1 = dt.datetime(2026, 10, 24, 23, 30, tzinfo=PARIS).timestamp()  # late on the 24th
DAY2 = dt.datetime(2026, 10, 25, 10, 0, tzinfo=PARIS).timestamp()  # the 25-hour day


def _evaluations(engine: Engine) -> None:
    a0, a1 = agent_id(0), agent_id(1)
    rows = [
        # (agent, at, score, calibration, status)
        (a0, DAY1, 80.0, False, "open"),
        (a0, DAY2, 90.0, False, "upheld"),
        (a1, DAY2 + 60, 70.0, False, "acknowledged"),
        (a1, DAY2 + 120, 0.0, False, "disputed"),  # a critical question failed
        (a1, DAY2 + 180, 100.0, True, "open"),  # calibration: left out
        (a0, DAY2 + 240, 10.0, False, "overturned"),  # overturned: left out
    ]
    with engine.begin() as conn:
        conn.execute(
            insert(t.quality_templates),
            [
                {
                    "campaign_id": CAMPAIGN,
                    "version": 1,
                    "sections": "[]",
                    "created_at": 0.0,
                    "created_by": "admin",
                }
            ],
        )
        conn.execute(
            insert(t.quality_evaluations),
            [
                {
                    "contact_id": f"k{i}",
                    "agent_id": agent,
                    "client_id": CLIENT,
                    "campaign_id": CAMPAIGN,
                    "version": 1,
                    "evaluator": "sup",
                    "answers": "{}",
                    "score": score,
                    "calibration": calibration,
                    "at": at,
                    "status": status,
                }
                for i, (agent, at, score, calibration, status) in enumerate(rows)
            ],
        )


SPAN = Span.of(dt.date(2026, 10, 24), dt.date(2026, 10, 25), PARIS)
FIRM = ReportScope(clients=None, agents=None)


def test_quality_figures_per_agent_day_and_in_total(seeded: Engine) -> None:
    _evaluations(seeded)
    total = report(seeded, span=SPAN, by=(), scope=FIRM)[0].figures
    assert total["evaluations"] == 4
    assert total["quality_score"] == pytest.approx((80 + 90 + 70 + 0) / 4)
    by_agent = {
        r.key["agent"]: r.figures for r in report(seeded, span=SPAN, by=("agent",), scope=FIRM)
    }
    assert by_agent[agent_id(0)]["quality_score"] == pytest.approx(85.0)
    assert by_agent[agent_id(1)]["evaluations"] == 2
    by_day = {r.key["day"]: r.figures for r in report(seeded, span=SPAN, by=("day",), scope=FIRM)}
    assert by_day["2026-10-24"]["evaluations"] == 1
    assert by_day["2026-10-25"]["quality_score"] == pytest.approx(160 / 3)
    rows = report(seeded, span=SPAN, by=("campaign", "interval"), scope=FIRM)
    assert sum(r.figures["evaluations"] or 0 for r in rows) == 4
    assert {r.key["campaign"] for r in rows} == {CAMPAIGN}
    # A day with none: no evaluations, and no score (a mean of nothing).
    other = Span.of(dt.date(2026, 10, 26), dt.date(2026, 10, 26), PARIS)
    nothing = report(seeded, span=other, by=(), scope=FIRM)[0].figures
    assert nothing["evaluations"] == 0 and nothing["quality_score"] is None


def test_quality_figures_are_scoped(seeded: Engine) -> None:
    _evaluations(seeded)
    other_client = ReportScope(clients=frozenset({"someone-else"}), agents=None, agent_time=False)
    assert report(seeded, span=SPAN, by=(), scope=other_client)[0].figures["evaluations"] == 0
    viewer = ReportScope(clients=frozenset({CLIENT}), agents=None, agent_time=False)
    assert report(seeded, span=SPAN, by=(), scope=viewer)[0].figures["evaluations"] == 4
    own = ReportScope(clients=None, agents=frozenset({agent_id(1)}), contacts=False)
    mine = report(seeded, span=SPAN, by=(), scope=own)[0].figures
    assert mine["evaluations"] == 2 and mine["quality_score"] == pytest.approx(35.0)
