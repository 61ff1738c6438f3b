"""Sampling each agent's contacts: exactly the quota, strata in proportion, reproducible."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.quality.analysis import Scored, calibration, trends
from hearthline.quality.sampling import Handled, sample

QUEUES = ("returns", "sales")
OUTCOMES = ("sold", "refunded", "abandoned")


@st.composite
def logs(draw: st.DrawFn) -> list[Handled]:
    out = []
    for a in range(draw(st.integers(1, 5))):
        for i in range(draw(st.integers(0, 40))):
            out.append(
                Handled(
                    contact=f"c{a}-{i}",
                    agent=f"a{a}",
                    queue=draw(st.sampled_from(QUEUES)),
                    outcome=draw(st.sampled_from(OUTCOMES)),
                    at=float(i),
                )
            )
    return out


@settings(max_examples=60)
@given(logs(), st.integers(1, 12), st.integers(0, 2**32))
def test_each_agent_gets_exactly_the_quota_with_strata_in_proportion_reproducibly(
    handled: list[Handled], quota: int, seed: int
) -> None:
    picked = sample(handled, quota=quota, seed=seed)
    # The same seed draws the same sample, whatever order the log was read in.
    assert picked == sample(list(reversed(handled)), quota=quota, seed=seed)
    for agent, mine in picked.items():
        own = [h for h in handled if h.agent == agent]
        assert len({h.contact for h in mine}) == len(mine)
        assert {h.contact for h in mine} <= {h.contact for h in own}
        if len(own) < quota:
            assert len(mine) == len(own)
            continue
        assert len(mine) == quota
        sizes = Counter(h.stratum for h in own)
        got = Counter(h.stratum for h in mine)
        for stratum, n in sizes.items():
            exact = quota * n / len(own)
            assert int(exact) <= got[stratum] <= int(exact) + 1, (stratum, exact, got)


def test_calibration_spread_and_weekly_trends_by_hand() -> None:
    ev = [
        Scored("sup1", "a0", "acme-returns", 10.0, 80.0, {"greet": 1.0, "tone": 0.5}),
        Scored("sup2", "a0", "acme-returns", 20.0, 60.0, {"greet": 0.0, "tone": 0.5}),
    ]
    total, greet, tone = calibration(ev)
    assert (total.low, total.high, total.mean, total.stdev) == (60, 80, 70, 10)
    assert (greet.question, greet.low, greet.high, greet.stdev) == ("greet", 0, 100, 50)
    assert tone.stdev == 0
    later = Scored("sup1", "a0", "acme-returns", 8 * 86_400.0, 90.0, {"greet": 1.0})
    points = trends([*ev, later], by=lambda s: s.agent, origin=0.0)
    assert [(p.period_start, p.evaluations, p.mean) for p in points] == [
        (0.0, 2, 70.0),
        (7 * 86_400.0, 1, 90.0),
    ]
    greet_points = trends([*ev, later], by=lambda s: s.team, origin=0.0, question="greet")
    assert [p.mean for p in greet_points] == [50.0, 100.0]
