"""The simulator beside SimPy and Ciw on one M/M/n model, plus a one-million-call day.

Model: 400 agents, Poisson arrivals of 7,200 calls an hour, exponential service of 180 s
(360 Erlangs: 90% load), callers who never give up, a first half hour cut as warm-up.
Each tool simulates the same hours over the same seeds; we report calls simulated per
second of wall clock, the ratio to SimPy, and the figures of the three beside Erlang C:
mean wait, probability of waiting, service level within 20 s (mean and standard error
over the replications). Hearthline runs its full routing core, events and all.

Then one day of a million calls on 5,000 agents (12 hours, 83,333 calls an hour,
exponential 180 s handle time, exponential patience of 120 s), run in a child process
whose peak resident memory is read from the operating system; a quarter of that day is
run the same way to show memory does not grow with the number of calls.

Then the same comparison with the core and the simulator compiled by mypyc
(``bench/compiled.py``), SimPy in the same child process; and 30 replications of an
8-hour day, one process and a pool of two, interpreted and compiled: wall clock, CPU
time of every process, and the load average of the machine beside them.

    make bench BENCH_ARGS=sim                 # everything
    python -m bench sim --quick               # fewer hours and replications, no big day
    python -m bench sim --no-compile          # leave out the compiled build
    python -m bench sim --compiled=DIR        # use a build made by python -m bench.compiled DIR
    python -m bench sim --no-big-day          # keep the last record's million-call day
    python -m bench sim --profile             # where the time goes, by function
"""

from __future__ import annotations

import cProfile
import json
import math
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

AGENTS = 400
PER_HOUR = 7200.0
AHT = 180.0
TARGET = 20.0
WARMUP_S = 1800.0
RESULTS = Path(__file__).parent / "results" / "sim.json"


def _summary(waits: list[float]) -> dict[str, float]:
    n = len(waits)
    return {
        "mean_wait_s": math.fsum(waits) / n,
        "p_wait": sum(w > 1e-9 for w in waits) / n,
        "sl_20s": sum(w <= TARGET for w in waits) / n,
    }


def run_simpy(seed: int, hours: float) -> tuple[int, float, dict[str, float]]:
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    staff = simpy.Resource(env, capacity=AGENTS)
    horizon = hours * 3600.0
    waits: list[float] = []
    lam, mu = PER_HOUR / 3600.0, 1.0 / AHT
    calls = 0

    def call(t0: float) -> Any:
        with staff.request() as req:
            yield req
            if t0 >= WARMUP_S:
                waits.append(env.now - t0)
            yield env.timeout(rng.expovariate(mu))

    def source() -> Any:
        nonlocal calls
        while True:
            yield env.timeout(rng.expovariate(lam))
            if env.now >= horizon:
                return
            calls += 1
            env.process(call(env.now))

    t = time.perf_counter()
    env.process(source())
    env.run()
    return calls, time.perf_counter() - t, _summary(waits)


def run_ciw(seed: int, hours: float) -> tuple[int, float, dict[str, float]]:
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(PER_HOUR / 3600.0)],
        service_distributions=[ciw.dists.Exponential(1.0 / AHT)],
        number_of_servers=[AGENTS],
    )
    ciw.seed(seed)
    t = time.perf_counter()
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(hours * 3600.0)
    wall = time.perf_counter() - t
    records = sim.get_all_records()
    waits = [r.waiting_time for r in records if r.arrival_date >= WARMUP_S]
    return len(records), wall, _summary(waits)


def _hearthline_scenario(hours: float, *, agents: int, per_hour: float, patience: str) -> Any:
    from hearthline.sim import parse_scenario

    return parse_scenario(
        f"""
[simulation]
hours = {hours}
warmup_minutes = {WARMUP_S / 60.0}
interval_minutes = 30

[[queues]]
id = "q"
service_target_s = {TARGET}
arrivals = {{ per_hour = {per_hour} }}
handle_time = {{ kind = "exponential", mean_s = {AHT} }}
patience = {patience}

[[agents]]
count = {agents}
"""
    )


def _cpu() -> float:
    """CPU seconds of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_hearthline(seed: int, hours: float) -> tuple[int, float, dict[str, float]]:
    from hearthline.sim import build, simulate

    built = build(
        _hearthline_scenario(hours, agents=AGENTS, per_hour=PER_HOUR, patience='{ kind = "none" }')
    )
    t = time.perf_counter()
    results = simulate(built, seed=seed)
    wall = time.perf_counter() - t
    day = results.day("q")
    figures = {"mean_wait_s": day.asa_s, "p_wait": day.p_wait, "sl_20s": day.service_level}
    return int(results.run["calls"]), wall, figures


def erlang_c() -> dict[str, float]:
    from hearthline.wfm.erlang import erlang_c_figures

    f = erlang_c_figures(
        calls=PER_HOUR, interval_s=3600, aht_s=AHT, agents=AGENTS, answer_time_s=TARGET
    )
    return {
        "mean_wait_s": float(f.asa_s),
        "p_wait": float(f.p_wait),
        "sl_20s": float(f.service_level),
    }


def compare(
    hours: float, seeds: list[int], *, tools: tuple[str, ...] = ("SimPy", "Ciw", "Hearthline")
) -> dict[str, Any]:
    everything = {"SimPy": run_simpy, "Ciw": run_ciw, "Hearthline": run_hearthline}
    pick = {name: everything[name] for name in tools}
    out: dict[str, Any] = {}
    for name, fn in pick.items():
        calls = wall = cpu = 0.0
        figures: dict[str, list[float]] = {}
        for seed in seeds:
            c0 = time.process_time()
            n, w, f = fn(seed, hours)
            cpu += time.process_time() - c0
            calls += n
            wall += w
            for k, v in f.items():
                figures.setdefault(k, []).append(v)
        out[name] = {
            "calls": int(calls),
            "wall_s": wall,
            "cpu_s": cpu,
            "calls_per_s": calls / wall,
            "calls_per_cpu_s": calls / cpu,
            **{
                k: {
                    "mean": statistics.fmean(v),
                    "se": statistics.stdev(v) / math.sqrt(len(v)) if len(v) > 1 else math.nan,
                }
                for k, v in figures.items()
            },
        }
        print(
            f"  {name:<10} {calls:>9,.0f} calls in {wall:6.2f} s (CPU {cpu:6.2f} s): "
            f"{calls / wall:>8,.0f} calls/s",
            flush=True,
        )
    out["Erlang C"] = erlang_c()
    return out


def core_ceiling(hours: float, seed: int) -> dict[str, Any]:
    """The most any simulator could get out of this routing core, measured, not argued.

    One Hearthline run of the M/M/n model records every event of its core. Then, on that
    trace alone: building each event anew from its fields (what the core pays to say what
    happened), and applying the trace to an empty core with ``Router.apply`` (what it pays
    to change its state: no routing decision, no command, no simulator). A simulator that
    cost nothing and a core that decided for free would still pay both, per call.
    """
    import dataclasses

    from hearthline.kernel.clock import ManualClock
    from hearthline.routing.events import Event
    from hearthline.routing.router import Router
    from hearthline.sim import build, simulate

    built = build(
        _hearthline_scenario(hours, agents=AGENTS, per_hour=PER_HOUR, patience='{ kind = "none" }')
    )
    trace: list[Event] = []
    calls = int(simulate(built, seed=seed, trace=trace).run["calls"])
    rows = [(type(e), tuple(getattr(e, f.name) for f in dataclasses.fields(e))) for e in trace]
    # CPU time, as SimPy's in the "x by CPU" column: on a busy machine the wall clock of
    # each part depends on what else ran in the meantime.
    t = time.process_time()
    for cls, values in rows:
        cls(*values)
    build_s = time.process_time() - t
    t = time.process_time()
    Router.replay(trace, clock=ManualClock(0.0), rng=random.Random(seed))
    apply_s = time.process_time() - t
    return {
        "calls": calls,
        "events_per_call": len(trace) / calls,
        "build_calls_per_s": calls / build_s,
        "apply_calls_per_s": calls / apply_s,
        "both_calls_per_s": calls / (build_s + apply_s),
    }


def compiled_child(hours: float, seeds: list[int]) -> None:
    """Runs in a child whose path starts with the compiled build: SimPy and Hearthline."""
    from bench.compiled import is_compiled
    from hearthline.routing import router
    from hearthline.sim import engine

    if not (is_compiled(router) and is_compiled(engine)):
        raise SystemExit("the compiled build is not first on the path")
    result = compare(hours, seeds, tools=("SimPy", "Hearthline"))
    print(json.dumps(result, allow_nan=True))


def compiled_compare(build_dir: Path, hours: float, seeds: list[int]) -> dict[str, Any]:
    return _child(build_dir, "--compiled-child", str(hours), ",".join(map(str, seeds)))


def _child(build_dir: Path | None, *args: str) -> dict[str, Any]:
    env = dict(os.environ)
    if build_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(build_dir), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_sim", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
        env=env,
    )
    sys.stdout.write("".join(f"  {line}\n" for line in proc.stdout.splitlines()[:-1]))
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


REPLICATIONS = 30
REPLICATION_HOURS = 8.0


def replications_child(jobs: int, n: int, hours: float) -> None:
    """Runs in a child: ``n`` replications of the M/M/n day in ``jobs`` processes."""
    from hearthline.sim import build
    from hearthline.sim.replications import replicate

    built = build(
        _hearthline_scenario(hours, agents=AGENTS, per_hour=PER_HOUR, patience='{ kind = "none" }')
    )
    load = os.getloadavg()[0]
    cpu = _cpu()
    t = time.perf_counter()
    days = replicate(built, range(1, n + 1), jobs=jobs)
    wall = time.perf_counter() - t
    cpu = _cpu() - cpu
    calls = sum(int(d.run["calls"]) for d in days)
    levels = [d.day("q").service_level for d in days]
    print(
        json.dumps(
            {
                "replications": n,
                "hours": hours,
                "jobs": jobs,
                "calls": calls,
                "wall_s": wall,
                "cpu_s": cpu,
                "calls_per_wall_s": calls / wall,
                "load_average_before": load,
                "load_average_after": os.getloadavg()[0],
                "service_level_mean": statistics.fmean(levels),
            }
        )
    )


def replications(build_dir: Path | None, n: int, hours: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, where in (("interpreted", None), ("compiled", build_dir)):
        if label == "compiled" and where is None:
            continue
        # The pool's CPU time is what one process would need: a serial run is not repeated.
        for jobs in (2,):
            r = _child(where, "--replications-child", str(jobs), str(n), str(hours))
            out[f"{label}, {jobs} process{'es' if jobs > 1 else ''}"] = r
            print(
                f"  {label:<11} {jobs} proc: {r['calls']:>9,} calls in {r['wall_s']:6.1f} s "
                f"(CPU {r['cpu_s']:6.1f} s, load {r['load_average_before']:.1f}), "
                f"{r['calls_per_wall_s']:>8,.0f} calls/s",
                flush=True,
            )
    return out


def big_day_child(hours: float) -> None:
    """Runs in a child process: prints the run's figures and its peak memory as JSON."""
    from hearthline.sim import build, simulate

    built = build(
        _hearthline_scenario(
            hours,
            agents=5000,
            per_hour=1_000_000 / 12.0,
            patience='{ kind = "exponential", mean_s = 120 }',
        )
    )
    t = time.perf_counter()
    results = simulate(built, seed=1)
    wall = time.perf_counter() - t
    day = results.day("q")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "hours": hours,
                "calls": results.run["calls"],
                "agents": 5000,
                "wall_s": wall,
                "calls_per_s": results.run["calls"] / wall,
                "peak_rss_mib": peak_kib / 1024.0,
                "service_level": day.service_level,
                "abandon_rate": day.abandon_rate,
                "occupancy": day.occupancy,
                "refused_commands": results.run["refused_commands"],
            }
        )
    )


def big_day(hours: float) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_sim", "--big-day-child", str(hours)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def baseline_rss_mib() -> float:
    """Peak memory of a child that only imports the simulator: the floor under the runs."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, hearthline.sim, hearthline.wfm.importers;"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout.strip()) / 1024.0


def profile(hours: float) -> None:
    """Where an M/M/n run spends its time: top functions by own time, grouped by package."""
    run_hearthline(1, 0.6)  # imports and first-call costs stay out of the profile
    prof = cProfile.Profile()
    prof.enable()
    run_hearthline(1, hours)
    prof.disable()
    stats = pstats.Stats(prof)
    rows = []
    total = 0.0
    by_area: dict[str, float] = {}
    for (path, line, func), (_, ncalls, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        total += tottime
        area = _area(path)
        by_area[area] = by_area.get(area, 0.0) + tottime
        rows.append((tottime, ncalls, f"{_short(path)}:{line}({func})"))
    print(f"\nProfile of one {hours:g} h run ({total:.2f} s own time under cProfile):")
    for area, t in sorted(by_area.items(), key=lambda x: -x[1]):
        print(f"  {area:<28} {t:6.2f} s  {100 * t / total:5.1f}%")
    print("\n  top functions by own time:")
    for tottime, ncalls, name in sorted(rows, reverse=True)[:30]:
        print(f"  {tottime:6.3f} s {100 * tottime / total:5.1f}% {ncalls:>9} {name}")
    _construction_costs()


def _construction_costs() -> None:
    # cProfile does not see the generated __init__ of frozen dataclasses: time them apart.
    import timeit

    from hearthline.kernel.ids import AgentId, ContactId, QueueId
    from hearthline.routing import commands as cmd
    from hearthline.routing import events as ev

    n = 200_000
    empty = timeit.timeit(lambda: None, number=n)
    cases = {
        "ContactQueued(...)": lambda: ev.ContactQueued(
            at=1.0, contact=ContactId("c"), queue=QueueId("q"), priority=0, waiting_since=1.0, seq=3
        ),
        "OfferAccepted(...)": lambda: ev.OfferAccepted(
            at=1.0, contact=ContactId("c"), agent=AgentId("a")
        ),
        "ArriveContact(...)": lambda: cmd.ArriveContact(contact=ContactId("c"), queue=QueueId("q")),
    }
    print("\n  building one frozen event or command (not in the profile above):")
    for name, fn in cases.items():
        t = (timeit.timeit(fn, number=n) - empty) / n
        print(f"  {name:<22} {1e6 * t:5.2f} us")


def _area(path: str) -> str:
    for key in ("routing/", "sim/"):
        if f"hearthline/{key}" in path:
            return f"hearthline.{key.rstrip('/')} ({Path(path).name})"
    if path == "~":
        return "builtins (heapq, dict...)"
    return "other (random, ...)"


def _short(path: str) -> str:
    return path.split("src/", 1)[-1] if "src/" in path else path


def main(argv: list[str]) -> int:
    if "--big-day-child" in argv:
        big_day_child(float(argv[argv.index("--big-day-child") + 1]))
        return 0
    if "--compiled-child" in argv:
        i = argv.index("--compiled-child")
        compiled_child(float(argv[i + 1]), [int(x) for x in argv[i + 2].split(",")])
        return 0
    if "--replications-child" in argv:
        i = argv.index("--replications-child")
        replications_child(int(argv[i + 1]), int(argv[i + 2]), float(argv[i + 3]))
        return 0
    quick = "--quick" in argv
    hours = 2.0 if quick else 4.0
    seeds = [1, 2, 3] if quick else [1, 2, 3, 4, 5]
    if "--profile" in argv:
        profile(hours)
        return 0
    print(
        f"M/M/n: {AGENTS} agents, {PER_HOUR:,.0f} calls/h, exp {AHT:g} s (90% load), "
        f"{hours:g} h x {len(seeds)} seeds, warm-up {WARMUP_S / 60:g} min"
    )
    compared = compare(hours, seeds)
    simpy_rate = compared["SimPy"]["calls_per_s"]
    simpy_cpu_rate = compared["SimPy"]["calls_per_cpu_s"]
    print(
        f"\n  {'':<10} {'calls/s':>9} {'x SimPy':>8} {'x by CPU':>8} {'mean wait s':>14} "
        f"{'P(wait)':>14} {'SL 20 s':>14}"
    )
    for name in ("SimPy", "Ciw", "Hearthline", "Erlang C"):
        r = compared[name]
        rate = r.get("calls_per_s")
        cells = []
        for k in ("mean_wait_s", "p_wait", "sl_20s"):
            v = r[k]
            cells.append(f"{v['mean']:.3f}±{v['se']:.3f}" if isinstance(v, dict) else f"{v:.3f}")
        speed = (
            f"{rate:>9,.0f} {rate / simpy_rate:>8.2f} {r['calls_per_cpu_s'] / simpy_cpu_rate:>8.2f}"
            if rate
            else f"{'':>9} {'':>8} {'':>8}"
        )
        print(f"  {name:<10} {speed} {cells[0]:>14} {cells[1]:>14} {cells[2]:>14}")
    ceiling = core_ceiling(hours, seeds[0])
    print(
        f"\nCeiling of the routing core ({ceiling['events_per_call']:.1f} events per call, "
        f"no decisions, no simulator), in calls per CPU second and x SimPy by CPU:"
    )
    for key, what in (
        ("build_calls_per_s", "building its events only"),
        ("apply_calls_per_s", "applying its events only"),
        ("both_calls_per_s", "both"),
    ):
        print(f"  {what:<26} {ceiling[key]:>9,.0f} {ceiling[key] / simpy_cpu_rate:>8.2f}")
    build_dir: Path | None = None
    compiled: dict[str, Any] | None = None
    if "--no-compile" not in argv:
        from bench.compiled import ROOT, build

        took: float | None = None
        given = [a.removeprefix("--compiled=") for a in argv if a.startswith("--compiled=")]
        if given:
            build_dir = Path(given[0]).resolve()
            print(f"\nThe compiled build in {build_dir}:", flush=True)
        else:
            build_dir = ROOT / "build" / "compiled"
            print(f"\nCompiling the core and the simulator (mypyc) into {build_dir}...")
            took = build(build_dir)
            print(f"  built in {took:.0f} s; the same comparison on the compiled build:")
        compiled = compiled_compare(build_dir, hours, seeds)
        compiled["build_s"] = took
        wall_ref = compiled["SimPy"]["calls_per_s"]
        cpu_ref = compiled["SimPy"]["calls_per_cpu_s"]
        for name in ("SimPy", "Hearthline"):
            r = compiled[name]
            print(
                f"  {name:<10} {r['calls_per_s']:>9,.0f} calls/s, "
                f"{r['calls_per_s'] / wall_ref:.2f}x SimPy; per CPU second "
                f"{r['calls_per_cpu_s']:>9,.0f}, {r['calls_per_cpu_s'] / cpu_ref:.2f}x SimPy"
            )
    n_rep = 4 if quick else REPLICATIONS
    rep_hours = 1.0 if quick else REPLICATION_HOURS
    print(
        f"\n{n_rep} replications of the {rep_hours:g}-hour day (seeds 1-{n_rep}), "
        f"machine load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores:",
        flush=True,
    )
    reps = replications(build_dir, n_rep, rep_hours)
    out: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "load_average": os.getloadavg(),
        "machine": f"{platform.processor() or platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}",
        "hours": hours,
        "seeds": seeds,
        "compare": compared,
        "core_ceiling": ceiling,
        "compiled": compiled,
        "replications": reps,
    }
    if "--no-big-day" in argv and RESULTS.exists():
        last = json.loads(RESULTS.read_text(encoding="utf-8"))
        if "big_day" in last:
            out["big_day"] = {**last["big_day"], "kept_from": last.get("date")}
    elif not quick:
        base = baseline_rss_mib()
        quarter, full = big_day(3.0), big_day(12.0)
        out["big_day"] = {"baseline_rss_mib": base, "quarter": quarter, "full": full}
        print(
            f"\nOne-million-call day, 5,000 agents (peak memory; importing alone: {base:.0f} MiB):"
        )
        for r in (quarter, full):
            print(
                f"  {r['hours']:>4g} h {r['calls']:>9,} calls: {r['wall_s']:6.1f} s "
                f"({r['calls_per_s']:,.0f} calls/s), peak {r['peak_rss_mib']:.0f} MiB, "
                f"SL {r['service_level']:.3f}, abandon {r['abandon_rate']:.3f}, "
                f"refused {r['refused_commands']}"
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
