"""The simulator: the real routing core on a virtual clock, driven by simulated callers
and agents described in a scenario file. See docs/simulator.md.

    from hearthline.sim import load_scenario, simulate
    results = simulate(load_scenario("examples/scenarios/mmn-400.toml"))
"""

# Eager, unlike the other packages' exports: ``build`` is also the name of a submodule,
# which would shadow a lazily exported function of that name.
from hearthline.sim.build import Built, build
from hearthline.sim.results import AgentRow, QueueRow, Results
from hearthline.sim.run import simulate
from hearthline.sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = [
    "AgentRow",
    "Built",
    "QueueRow",
    "Results",
    "Scenario",
    "ScenarioError",
    "build",
    "load_scenario",
    "parse_scenario",
    "simulate",
]
