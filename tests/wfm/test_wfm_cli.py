"""The real console command: `hearthline erlang`, `forecast` and `plan`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import wfm_reference as ref

EXE = Path(sys.executable).parent / "hearthline"
COMMAND = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "hearthline.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=120)


def run_json(*args: str) -> dict[str, object]:
    done = run(*args, "--json")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert isinstance(data, dict)
    return data


BASE = ("erlang", "--calls", "100", "--interval", "1800", "--aht", "180")


def test_erlang_figures_at_a_staffing() -> None:
    text = run(*BASE, "--agents", "14", "--answer-time", "20")
    assert text.returncode == 0 and "service level" in text.stdout
    data = run_json(*BASE, "--agents", "14", "--answer-time", "20")
    for key in ("traffic_erlangs", "p_wait", "service_level", "asa_s", "occupancy"):
        assert isinstance(data[key], float)
    assert "p_abandon" not in data
    want = ref.erlang_c_figures(14, 10.0, 180.0, 20.0)
    assert data["traffic_erlangs"] == 10.0
    assert data["p_wait"] == pytest.approx(float(want["p_wait"]), rel=1e-12)
    assert data["service_level"] == pytest.approx(float(want["service_level"]), rel=1e-12)
    assert data["asa_s"] == pytest.approx(float(want["asa_s"]), rel=1e-12)
    assert data["occupancy"] == pytest.approx(10 / 14)
    assert data["unstable"] is False


def test_erlang_required_agents_for_a_service_level() -> None:
    data = run_json(*BASE, "--target-sl", "0.8", "--answer-time", "20")
    n = data["required_agents"]
    assert n == 14 and data["agents"] == 14
    assert data["service_level"] >= 0.8
    below = run_json(*BASE, "--agents", str(n - 1), "--answer-time", "20")
    assert below["service_level"] < 0.8


def test_erlang_overload_is_unstable_with_null_asa() -> None:
    data = run_json(*BASE, "--agents", "10")
    assert data["asa_s"] is None
    assert data["unstable"] is True
    assert data["p_wait"] == 1.0 and data["service_level"] == 0.0
    assert "unstable" in str(data["message"])
    assert "unstable" in run(*BASE, "--agents", "9").stdout


def test_erlang_a_with_patience() -> None:
    data = run_json(*BASE, "--agents", "9", "--patience", "60")
    want = ref.erlang_a_chain(9, 10.0, 180.0, 60.0)
    assert data["p_abandon"] == pytest.approx(float(want["p_abandon"]), rel=1e-9)
    assert data["asa_s"] == pytest.approx(float(want["asa_s"]), rel=1e-9)
    assert data["service_level"] == pytest.approx(
        float(ref.erlang_a_service_level(9, 10.0, 180.0, 60.0, 20.0)), abs=1e-10
    )
    assert data["unstable"] is False
    target = run_json(*BASE, "--target-sl", "0.8", "--patience", "60")
    assert target["service_level"] >= 0.8 and "p_abandon" in target


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--calls", "-5", "--aht", "180", "--agents", "3"), "--calls"),
        (("--calls", "ten", "--aht", "180", "--agents", "3"), "--calls must be a number"),
        (("--calls", "10", "--aht", "180", "--agents", "3", "--interval", "0"), "--interval"),
        (("--calls", "10", "--aht", "180"), "--agents"),
        (("--calls", "10", "--aht", "180", "--agents", "3", "--target-sl", "0.8"), "either"),
        (("--calls", "10", "--aht", "180", "--target-sl", "80"), "--target-sl"),
        (("--calls", "10", "--aht", "180", "--max-abandon", "0.1"), "--patience"),
    ],
)
def test_erlang_bad_input_is_one_line(args: tuple[str, ...], needle: str) -> None:
    done = run("erlang", *args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]


def test_forecast_json_covers_every_interval(bank_dir: Path) -> None:
    data = run_json(
        "forecast",
        "--history",
        str(bank_dir / "august_calls.csv"),
        "--format",
        "anonymous-bank",
        "--start",
        "2010-08-22",
        "--days",
        "2",
        "--interval",
        "30",
    )
    intervals = data["intervals"]
    assert isinstance(intervals, list) and len(intervals) == 96
    starts = [i["start"] for i in intervals]
    assert starts == [
        t.strftime("%Y-%m-%dT%H:%M:%S")
        for t in pd.date_range("2010-08-22", periods=96, freq="30min")
    ]
    assert intervals[16]["start"] == "2010-08-22T08:00:00"
    for i in intervals:
        assert set(i) == {"start", "calls", "aht_s"}
        assert i["calls"] >= 0 and i["aht_s"] > 0
    day_total = sum(i["calls"] for i in intervals[:48])
    assert 800 < day_total < 2500  # a Sunday; the real one had 1,585 offered calls


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--format", "excel"), "unknown history format"),
        (("--start", "22/08/2010"), "--start"),
        (("--history", "/nonexistent/calls.csv"), "not found"),
        (("--days", "0"), "--days"),
        (("--interval", "7"), "--interval"),
        (("--start", "2010-07-01"), "no history before"),
    ],
)
def test_forecast_bad_input(bank_dir: Path, args: tuple[str, ...], needle: str) -> None:
    base = {
        "--history": str(bank_dir / "one_day_calls.csv"),
        "--format": "anonymous-bank",
        "--start": "2010-08-02",
        "--days": "1",
        "--interval": "30",
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    done = run("forecast", *[x for kv in base.items() for x in kv])
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert needle in done.stderr.strip().splitlines()[-1]


def test_plan_writes_csv_and_png(bank_dir: Path, tmp_path: Path) -> None:
    done = run(
        "plan",
        "--history",
        str(bank_dir / "august_calls.csv"),
        "--format",
        "anonymous-bank",
        "--start",
        "2010-08-29",
        "--days",
        "1",
        "--by-queue",
        "--csv",
        str(tmp_path / "p.csv"),
        "--png",
        str(tmp_path / "p.png"),
        "--json",
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["rows"]) == 6 * 48
    frame = pd.read_csv(tmp_path / "p.csv")
    assert set(frame["queue"]) == {"IN", "NE", "NW", "PE", "PS", "TT"}
    assert (tmp_path / "p.png").stat().st_size > 20_000


def test_forecast_reads_the_bank_file_without_being_told_its_format(bank_dir: Path) -> None:
    common = ["--history", str(bank_dir / "one_day_calls.csv"), "--start", "2010-08-02"]
    common += ["--days", "1"]
    told = run_json("forecast", *common, "--format", "anonymous-bank")
    detected = run_json("forecast", *common)
    assert detected == told
    assert sum(i["calls"] for i in detected["intervals"]) > 0


def test_a_history_read_as_the_wrong_format_names_the_right_one(
    bank_dir: Path, tmp_path: Path
) -> None:
    bank = str(bank_dir / "one_day_calls.csv")
    done = run("forecast", "--history", bank, "--format", "generic", "--start", "2010-08-02")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "its header is the anonymous-bank format's" in last
    assert "use --format anonymous-bank" in last

    neither = tmp_path / "calls.csv"
    neither.write_text("when,line,waited\n2010-08-01T08:00:00,PS,3\n")
    done = run("forecast", "--history", str(neither), "--start", "2010-08-02")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "neither history format" in last and "arrival,queue" in last and "vru+line" in last
