"""The real day replayed on the routing core, compared with what happened."""

from __future__ import annotations

import json
import math

import pytest

from hearthline.cli import main
from hearthline.sim.replay import replay_day
from tests.sim.conftest import BANK

ONE_DAY = BANK / "one_day_calls.csv"


def test_replay_offers_every_real_call_and_compares_sanely() -> None:
    replay = replay_day(ONE_DAY, date="2010-08-01")
    real, sim = replay.day.real, replay.day.simulated
    assert replay.results.run["refused_commands"] == 0
    assert sim.offered == real.offered == 2239  # answered + abandoned in queue that day
    assert sim.answered + sim.abandoned == sim.offered
    for figures in (real, sim):
        assert 0 <= figures.service_level <= 1
        assert 0 <= figures.abandon_rate <= 1
        assert 0 <= figures.mean_wait_s < 3600
    # The real bank's figures, computed independently of the simulator.
    assert real.abandon_rate == pytest.approx(728 / 2239, abs=0.01)
    assert 0 < 1 / replay.patience_rate_per_s < 3600
    assert sum(r.real.offered for r in replay.intervals) == real.offered
    diff = replay.differences()
    assert all(math.isfinite(v) for v in diff.values())


def test_replay_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate-replay", str(ONE_DAY), "--date", "2010-08-01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["day"]["real"]["offered"] == data["day"]["simulated"]["offered"]
    assert set(data["difference"]) == {"mean_wait_s", "service_level", "abandon_rate"}


def test_replay_of_a_day_not_in_the_log_is_a_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["simulate-replay", str(ONE_DAY), "--date", "2010-08-09"]) == 2
    assert "no calls offered" in capsys.readouterr().err
