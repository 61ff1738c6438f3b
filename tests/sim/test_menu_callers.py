"""Simulated callers walking real menu flows: a three-level menu against a one-level one
on the same callers, and their time in the menu and hang-ups."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.routing.events import ContactArrived, ContactOffered
from hearthline.sim import ScenarioError, build, parse_scenario
from hearthline.sim.menu_callers import MenuCallers, menu_day, walk
from hearthline.sim.report import text_report
from hearthline.sim.run import simulate
from hearthline.voice.menus import Flow, Node, check_flow, flow_to_dict

ONE_LEVEL = Flow(
    start="main",
    operator="help",
    nodes=(
        Node("main", "menu", prompt="main", options=(("1", "billing"), ("2", "returns"))),
        Node("billing", "queue", queue="billing"),
        Node("returns", "queue", queue="returns"),
    ),
)
THREE_LEVELS = Flow(
    start="main",
    operator="help",
    nodes=(
        Node("main", "menu", prompt="main", options=(("1", "money"),)),
        Node("money", "menu", prompt="money", options=(("1", "bills"), ("2", "returns"))),
        Node("bills", "menu", prompt="bills", options=(("1", "billing"),)),
        Node("billing", "queue", queue="billing"),
        Node("returns", "queue", queue="returns"),
    ),
)
CALLERS = MenuCallers(
    choices={
        "main": {"1": 0.9, "2": 0.05},
        "money": {"1": 0.6, "2": 0.35},
        "bills": {"1": 0.95},
    },
    patience_s=40.0,
    prompt_s={"main": 8.0, "money": 6.0, "bills": 5.0},
)


def test_a_three_level_menu_costs_more_time_and_more_hang_ups_than_one_level() -> None:
    for flow in (ONE_LEVEL, THREE_LEVELS):
        check_flow(flow, queues={"billing", "returns", "help"})
    one = menu_day(ONE_LEVEL, CALLERS, 4000, seed=11)
    three = menu_day(THREE_LEVELS, CALLERS, 4000, seed=11)
    assert one.callers == three.callers == 4000
    # Exponential patience of mean 40 s: a caller who needs 9.5 s (an 8 s prompt and a
    # 1.5 s key) stays with probability exp(-9.5/40); three levels need 23.5 s.
    assert one.hang_up_share == pytest.approx(1 - math.exp(-9.5 / 40), abs=0.03)
    assert three.hang_up_share == pytest.approx(1 - math.exp(-23.5 / 40), abs=0.04)
    assert three.mean_s > one.mean_s + 6.0
    assert sum(one.endings.values()) == 4000 and one.endings["queue:billing"] > 2700


def test_the_same_seed_gives_the_same_callers() -> None:
    assert menu_day(THREE_LEVELS, CALLERS, 200, seed=3) == menu_day(
        THREE_LEVELS, CALLERS, 200, seed=3
    )


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    patience=st.floats(0.0, 200.0),
    p=st.floats(0.0, 1.0),
)
def test_every_simulated_caller_leaves_within_their_patience_or_by_a_leaf(
    seed: int, patience: float, p: float
) -> None:
    callers = MenuCallers(
        choices={"main": {"1": p}, "money": {"1": p / 2, "2": p / 2}, "bills": {"1": p}},
        patience_s=patience,
        prompt_s={"main": 8.0},
    )
    how, spent, _ = walk(THREE_LEVELS, callers, random.Random(seed))
    assert how in {"queue:billing", "queue:returns", "queue:help", "hangup"}
    assert spent >= 0.0
    if patience == 0.0:  # no patience at all: gone before the first key
        assert (how, spent) == ("hangup", 0.0)


DAY = """
[simulation]
seed = 4
hours = 4

[[queues]]
id = "billing"
arrivals = { per_hour = 240 }
handle_time = { kind = "exponential", mean_s = 120 }
patience = { kind = "exponential", mean_s = 300 }

[queues.menu]
flow = "menu.json"
patience_s = 40
prompt_s = { main = 8, money = 6, bills = 5 }

[queues.menu.choices]
main = { "1" = 0.9, "2" = 0.05 }
money = { "1" = 0.6, "2" = 0.35 }
bills = { "1" = 0.95 }

[[queues]]
id = "returns"
arrivals = { per_hour = 0 }
handle_time = { kind = "exponential", mean_s = 120 }

[[queues]]
id = "help"
arrivals = { per_hour = 0 }
handle_time = { kind = "exponential", mean_s = 120 }

[[agents]]
count = 20
"""


@pytest.mark.parametrize("flow", [ONE_LEVEL, THREE_LEVELS], ids=["one-level", "three-levels"])
def test_a_simulated_day_with_callers_walking_the_menu(tmp_path: Path, flow: Flow) -> None:
    (tmp_path / "menu.json").write_text(json.dumps(flow_to_dict(flow)))
    results = simulate(parse_scenario(DAY, base_dir=tmp_path))
    run = results.run
    callers, hangups, mean_s = run["menu_callers"], run["menu_hangups"], run["menu_mean_s"]
    assert callers == pytest.approx(240 * 4, rel=0.15)
    # The callers who stayed reached the queues the menu sent them to, and no others.
    assert run["calls"] <= callers - hangups
    assert run["calls"] >= 0.9 * (callers - hangups)
    levels = 1 if flow is ONE_LEVEL else 3
    expected = 1 - math.exp(-(9.5 if levels == 1 else 23.5) / 40)
    assert hangups / callers == pytest.approx(expected, abs=0.06)
    assert (mean_s < 10.0) if levels == 1 else (mean_s > 14.0)


def test_a_menu_that_cannot_be_used_is_refused_naming_the_node(tmp_path: Path) -> None:
    broken = flow_to_dict(ONE_LEVEL)
    broken["nodes"] = [*broken["nodes"], {"id": "lost", "kind": "hangup"}]  # type: ignore[list-item]
    (tmp_path / "menu.json").write_text(json.dumps(broken))
    with pytest.raises(ScenarioError, match="node 'lost'"):
        build(parse_scenario(DAY, base_dir=tmp_path))


def test_per_node_figures_show_where_three_levels_cost_more_than_one() -> None:
    one = menu_day(ONE_LEVEL, CALLERS, 4000, seed=11)
    three = menu_day(THREE_LEVELS, CALLERS, 4000, seed=11)
    for day in (one, three):
        # The nodes account for every hang-up and every second of the day's total.
        assert sum(n.hangups for n in day.nodes) == day.hung_up
        assert sum(n.seconds for n in day.nodes) == pytest.approx(day.seconds, rel=1e-9)
        assert sum(n.zero_outs for n in day.nodes) == day.zero_outs
    node = {n.node: n for n in one.nodes}, {n.node: n for n in three.nodes}
    # Everyone starts at the first menu, which costs about the same in both flows (the
    # three-level one has no "2" there: the 5 % who press it hear the prompt again).
    assert node[0]["main"].visits == node[1]["main"].visits == 4000
    assert node[0]["main"].mean_s == pytest.approx(node[1]["main"].mean_s, abs=0.6)
    assert node[0]["main"].hangups == pytest.approx(node[1]["main"].hangups, rel=0.1)
    # The extra time and hang-ups are in the second and third levels.
    assert set(node[0]) == {"main", "billing", "returns"}
    assert {"money", "bills"} <= set(node[1])
    deeper = [node[1]["money"], node[1]["bills"]]
    assert sum(n.hangups for n in deeper) == three.hung_up - node[1]["main"].hangups > 500
    extra = sum(n.seconds for n in deeper)
    assert extra == pytest.approx(three.seconds - node[1]["main"].seconds, rel=1e-9)
    assert three.seconds - one.seconds == pytest.approx(extra, rel=0.1)
    # Exits per option: of those who pressed a key at "money", "2" as often as chosen.
    money = node[1]["money"]
    assert sum(money.exits.values()) == money.visits
    pressed = money.exits["option:1"] + money.exits["option:2"]
    assert money.exits["option:2"] / pressed == pytest.approx(0.35 / 0.95, abs=0.03)


def test_the_twins_report_gives_each_menu_node_so_two_flows_compare(tmp_path: Path) -> None:
    runs = {}
    for name, flow in (("one", ONE_LEVEL), ("three", THREE_LEVELS)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "menu.json").write_text(json.dumps(flow_to_dict(flow)))
        runs[name] = simulate(parse_scenario(DAY, base_dir=folder))  # the same seed (4)
    nodes = {
        name: {n["node"]: n for n in r.run["menu_nodes"] if n["menu"] == "billing"}
        for name, r in runs.items()
    }
    for name, r in runs.items():
        assert sum(n["hangups"] for n in nodes[name].values()) == r.run["menu_hangups"]
        assert nodes[name]["main"]["visits"] == r.run["menu_callers"]
        total = sum(n["seconds"] for n in nodes[name].values())
        assert total == pytest.approx(r.run["menu_mean_s"] * r.run["menu_callers"], rel=1e-9)
        report = text_report(r)
        assert "Menus, per node" in report and "menus: " in report
    assert "money" not in nodes["one"] and nodes["three"]["money"]["hangups"] > 0
    assert nodes["three"]["bills"]["hangups"] > 0
    # Time in the first menu is alike; the three-level menu's extra time is in its levels.
    assert nodes["one"]["main"]["mean_s"] == pytest.approx(nodes["three"]["main"]["mean_s"], abs=1)
    deeper = nodes["three"]["money"]["mean_s"] + nodes["three"]["bills"]["mean_s"]
    assert deeper > 10.0


SKILLED_DAY = """
[simulation]
seed = 7
hours = 2

[[queues]]
id = "billing"
arrivals = { per_hour = 120 }
handle_time = { kind = "exponential", mean_s = 60 }

[queues.menu]
flow = "menu.json"
patience_s = 600
prompt_s = { main = 4 }

[queues.menu.choices]
main = { "1" = 0.5, "2" = 0.5 }

[[agents]]
count = 3
prefix = "plain"

[[agents]]
count = 3
prefix = "french"
skills = { french = 2 }
"""
FRENCH = Flow(
    start="main",
    operator="billing",
    nodes=(
        Node("main", "menu", prompt="main", options=(("1", "plain"), ("2", "french"))),
        Node("plain", "queue", queue="billing"),
        Node("french", "queue", queue="billing", sets=(("skill", "french>=2"),)),
    ),
)


def test_a_skill_the_simulated_callers_path_sets_is_the_contacts_requirement(
    tmp_path: Path,
) -> None:
    (tmp_path / "menu.json").write_text(json.dumps(flow_to_dict(FRENCH)))
    trace: list[Any] = []
    simulate(parse_scenario(SKILLED_DAY, base_dir=tmp_path), trace=trace)
    needs = {e.contact: e.requirement for e in trace if isinstance(e, ContactArrived)}
    offered = [(e.contact, e.agent) for e in trace if isinstance(e, ContactOffered)]
    french = [agent for contact, agent in offered if needs[contact] == "french>=2"]
    plain = [agent for contact, agent in offered if needs[contact] is None]
    assert len(french) > 50 and len(plain) > 50
    assert all(a.startswith("french") for a in french)  # only agents with the skill
    assert any(a.startswith("plain") for a in plain)  # the others take the rest


def test_a_skill_that_is_no_requirement_refuses_the_scenario_naming_the_node(
    tmp_path: Path,
) -> None:
    broken = flow_to_dict(FRENCH)
    broken["nodes"][2]["sets"] = {"skill": "french >="}  # type: ignore[index]
    (tmp_path / "menu.json").write_text(json.dumps(broken))
    with pytest.raises(ScenarioError, match="node 'french': the skill it sets"):
        build(parse_scenario(SKILLED_DAY, base_dir=tmp_path))
