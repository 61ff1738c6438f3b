"""Scenario files: good ones load, bad ones are refused with a message naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthline.cli import main
from hearthline.routing import Overflow, OverflowKind
from hearthline.sim import ScenarioError, build, load_scenario, parse_scenario
from hearthline.sim.distributions import Empirical, Lognormal, Never

GOOD = """
[simulation]
seed = 1
hours = 8

[[queues]]
id = "main"
arrivals = { per_hour = 7200 }
handle_time = { kind = "exponential", mean_s = 180 }
patience = { kind = "exponential", mean_s = 120 }

[[agents]]
count = 400
"""


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="s.toml")
    return str(info.value)


def test_the_issue_scenario_is_expressible() -> None:
    built = build(parse_scenario(GOOD))
    assert len(built.agents) == 400
    assert built.end - built.start == 8 * 3600
    (q,) = built.queues
    assert q.arrivals.expected_calls() == pytest.approx(7200 * 8)
    assert q.handle.mean == 180
    assert q.patience.mean == 120


def test_patience_none_never_runs_out() -> None:
    built = build(
        parse_scenario(GOOD.replace('{ kind = "exponential", mean_s = 120 }', '{ kind = "none" }'))
    )
    assert isinstance(built.queues[0].patience, Never)


def test_unknown_key_is_named_with_its_line() -> None:
    msg = _error(GOOD.replace("count = 400", "count = 400\nskils = { a = 1 }"))
    assert "agents[0].skils" in msg
    assert "line 14" in msg
    assert "unknown key" in msg


def test_bad_value_names_the_key_and_line() -> None:
    msg = _error(GOOD.replace("mean_s = 180", "mean_s = -3"))
    assert "queues[0].handle_time.mean_s" in msg
    assert "line 9" in msg
    assert "greater than 0" in msg


def test_unknown_distribution_kind_is_refused() -> None:
    msg = _error(GOOD.replace('kind = "exponential", mean_s = 180', 'kind = "gamma", mean_s = 180'))
    assert "queues[0].handle_time" in msg
    assert "gamma" in msg


def test_arrivals_need_exactly_one_source() -> None:
    msg = _error(GOOD.replace("{ per_hour = 7200 }", "{ per_hour = 1, per_interval = [1, 2] }"))
    assert "queues[0].arrivals" in msg
    assert "exactly one of" in msg


def test_missing_section_is_named() -> None:
    msg = _error(GOOD.replace("[[agents]]\ncount = 400", ""))
    assert "agents: required key is missing" in msg


def test_syntax_error_reports_toml_position() -> None:
    msg = _error(GOOD + "\n[[agents]\n")
    assert "not valid TOML" in msg
    assert "line 15" in msg


def test_day_length_must_be_given_once() -> None:
    msg = _error(GOOD.replace("hours = 8", 'hours = 8\nend = "10:00"'))
    assert "either hours" in msg


def test_a_day_that_is_not_a_date_is_refused_when_the_scenario_is_read() -> None:
    msg = _error(GOOD.replace("{ per_hour = 7200 }", '{ history = "h.csv", date = "22/08/2010" }'))
    assert "date must be YYYY-MM-DD, got '22/08/2010'" in msg
    assert "line" in msg


def test_unknown_overflow_queue_is_refused() -> None:
    msg = _error(
        GOOD.replace('id = "main"', 'id = "main"\nmax_wait_s = 60\non_max_wait = "queue:nope"')
    )
    assert "unknown queue 'nope'" in msg


def test_bad_skill_requirement_is_refused_clearly() -> None:
    scenario = parse_scenario(GOOD.replace('id = "main"', 'id = "main"\nrequirement = "a >= "'))
    with pytest.raises(ScenarioError, match="requirement"):
        build(scenario)


def test_unknown_break_reason_is_refused() -> None:
    text = GOOD.replace(
        "count = 400", 'count = 4\nbreaks = [{ at = "01:00", minutes = 5, reason = "nap" }]'
    )
    with pytest.raises(ScenarioError, match="'nap'"):
        build(parse_scenario(text))


def test_lognormal_is_given_by_mean_and_spread() -> None:
    d = Lognormal(200.0, 150.0)
    mu, sigma = d.mu_sigma
    import math
    import random

    assert math.exp(mu + sigma**2 / 2) == pytest.approx(200.0)
    draw = d.sampler(random.Random(5))
    xs = [draw() for _ in range(200_000)]
    mean = sum(xs) / len(xs)
    sd = (sum((x - mean) ** 2 for x in xs) / len(xs)) ** 0.5
    assert mean == pytest.approx(200.0, rel=0.02)
    assert sd == pytest.approx(150.0, rel=0.05)


def test_empirical_values_come_from_the_list() -> None:
    import random

    draw = Empirical((1.0, 2.0, 3.0)).sampler(random.Random(1))
    assert {draw() for _ in range(100)} == {1.0, 2.0, 3.0}


def test_profile_arrivals_are_cut_to_the_day() -> None:
    text = GOOD.replace(
        "{ per_hour = 7200 }",
        '{ per_interval = [100, 200, 300], start = "07:00", interval_minutes = 60 }',
    )
    text = text.replace("hours = 8", 'start = "08:00"\nhours = 8')
    (q,) = build(parse_scenario(text)).queues
    assert q.arrivals.expected_calls() == pytest.approx(500)
    assert q.arrivals.starts[0] == 8 * 3600


def test_forecast_file_is_read_relative_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text("start,calls\n08:00,60\n08:30,120\n", encoding="utf-8")
    text = GOOD.replace("{ per_hour = 7200 }", '{ forecast = "f.csv" }').replace(
        "hours = 8", 'start = "08:00"\nhours = 1'
    )
    (q,) = build(parse_scenario(text, base_dir=tmp_path)).queues
    assert q.arrivals.expected_calls() == pytest.approx(180)


def test_missing_forecast_file_is_a_clear_error(tmp_path: Path) -> None:
    text = GOOD.replace("{ per_hour = 7200 }", '{ forecast = "nope.csv" }')
    with pytest.raises(ScenarioError, match="cannot read forecast"):
        build(parse_scenario(text, base_dir=tmp_path))


def test_cli_prints_one_line_and_exits_2_on_a_bad_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("mean_s = 180", "mean_s = 0"), encoding="utf-8")
    assert main(["simulate", str(bad), "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "handle_time.mean_s" in err
    assert main(["simulate", str(tmp_path / "missing.toml")]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["simulate", str(bad), "--seed", "x"]) == 2


def test_escalation_steps_reach_the_routing_core(tmp_path: Path) -> None:
    path = tmp_path / "steps.toml"
    path.write_text(
        """
[simulation]
start = "08:00"
hours = 1

[[queues]]
id = "sales"
requirement = "sales>=3"
steps = [
  { after_s = 30, requirement = "sales>=1" },
  { after_s = 120, priority = 2 },
  { after_s = 600, overflow = "callback" },
]
arrivals = { per_hour = 10 }
handle_time = { kind = "exponential", mean_s = 60 }

[[agents]]
count = 2
skills = { sales = 1 }
"""
    )
    built = build(load_scenario(path))
    (queue,) = built.routing.queues
    assert [s.after_s for s in queue.steps] == [30, 120, 600]
    assert queue.steps[0].requirement == "sales>=1"
    assert queue.steps[1].priority == 2
    assert queue.steps[2].overflow == Overflow(OverflowKind.CALLBACK)


def test_a_bad_escalation_step_names_the_queue(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        """
[simulation]
start = "08:00"
hours = 1

[[queues]]
id = "sales"
steps = [{ after_s = 30, requirement = "sales >=" }]
arrivals = { per_hour = 10 }
handle_time = { kind = "exponential", mean_s = 60 }

[[agents]]
count = 1
"""
    )
    with pytest.raises(ScenarioError, match=r"queues 'sales': steps: .*expected a level"):
        build(load_scenario(path))


def test_a_line_with_opening_hours_gets_no_calls_while_it_is_closed() -> None:
    text = GOOD.replace("hours = 8", "hours = 24").replace(
        "{ per_hour = 7200 }", '{ per_hour = 60, open = "08:00-18:00" }'
    )
    (q,) = build(parse_scenario(text)).queues
    assert q.arrivals.expected_calls() == pytest.approx(60 * 10)
    pieces = list(zip(q.arrivals.starts, q.arrivals.rates, strict=True))
    assert all(rate == 0.0 for start, rate in pieces if not 8 * 3600 <= start < 18 * 3600)
    assert "closes before it opens" in _error(text.replace("08:00-18:00", "18:00-08:00"))
