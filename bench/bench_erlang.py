"""Erlang C/A: our kernels beside pyworkforce, call-center-tools and pyqueueing.

Measures, in one run and on one machine:

* time per evaluation (P(wait), service level and ASA at a given staffing) and per
  required-agents search (the fewest agents for 80% of calls answered in 20 s), at about
  10, 100, 1,000 and 10,000 agents;
* the share of a shared grid of cases each library gets right, judged against an
  independent mpmath reference: Erlang C figures (light load to overload, whole-number
  traffic), required agents (including answers equal to ceil(traffic)), and Erlang A
  figures (pyqueueing is the only peer with Erlang A).

Each peer is called through its documented API with its own units. Writes
bench/results/erlang.json. ``--quick`` shortens the timing loops.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np

from hearthline.wfm import erlang as erl
from hearthline.wfm.staffing import Targets, required_agents

RESULTS = Path(__file__).parent / "results" / "erlang.json"
INTERVAL_S = 1800.0
AHT_S = 180.0
ANSWER_S = 20.0
TARGET_SL = 0.8
SIZES = (10, 100, 1000, 10_000)
REL_TOL = 1e-6
ABS_TOL = 1e-9

mp.mp.dps = 40

Figures = dict[str, float]


# --- reference ------------------------------------------------------------------------


def ref_c(n: int, a: float, aht: float, t: float) -> Figures:
    """Erlang C in mpmath from the Poisson law (overload: the limits)."""
    if a >= n:
        return {"p_wait": 1.0, "service_level": 0.0, "asa_s": math.inf}
    am = mp.mpf(a)
    b = mp.exp(n * mp.log(am) - am - mp.loggamma(n + 1)) / mp.gammainc(
        n + 1, am, mp.inf, regularized=True
    )
    c = n * b / (n - am * (1 - b))
    return {
        "p_wait": float(c),
        "service_level": float(1 - c * mp.exp(-(n - am) * t / aht)),
        "asa_s": float(c * aht / (n - am)),
    }


def ref_required(a: float, aht: float, t: float, s: float) -> int:
    n = math.floor(a) + 1
    while ref_c(n, a, aht, t)["service_level"] < s:
        n += 1
    return n


def ref_a(n: int, a: float, aht: float, patience: float, t: float) -> Figures:
    """Erlang A by summing the birth-death chain in mpmath; service level from the
    hypoexponential time to reach an agent (evaluated with the Beta form of its CDF)."""
    am, ahtm, pm = mp.mpf(a), mp.mpf(aht), mp.mpf(patience)
    x, y = n * pm / ahtm, am * pm / ahtm
    low = [k * mp.log(am) - mp.loggamma(k + 1) for k in range(n + 1)]
    queue = [low[n]]
    j = 0
    while True:
        j += 1
        queue.append(queue[-1] + mp.log(y / (x + j)))
        if j > y - x and queue[-1] < max(queue) - 90:
            break
    top = max(max(low), max(queue))
    total = mp.fsum(mp.exp(v - top) for v in low) + mp.fsum(mp.exp(v - top) for v in queue[1:])
    pq = [mp.exp(v - top) / total for v in queue]
    p_wait = mp.fsum(pq)
    p_ab = mp.fsum(k * p for k, p in enumerate(pq)) / y
    acc, w = mp.mpf(0), mp.mpf(0)
    z0 = mp.exp(-mp.mpf(t) / pm)
    sl = 1 - p_wait
    for k, p in enumerate(pq):
        if k:
            w += x / (x + k)
        acc += p * w
        # Position k + 1: e^{-theta V} ~ Beta(x, k + 1); answered within t with
        # probability x/(x+k+1) * P(Beta(x + 1, k + 1) >= e^{-theta t}).
        if p > mp.mpf(10) ** -30:
            sl += p * x / (x + k + 1) * (1 - mp.betainc(x + 1, k + 1, 0, z0, regularized=True))
    asa = acc / (am / ahtm) / (1 - p_ab)
    return {
        "p_wait": float(p_wait),
        "p_abandon": float(p_ab),
        "service_level": float(sl),
        "asa_s": float(asa),
    }


# --- the libraries, each through its own API ------------------------------------------


def ours_eval(n: int, a: float, aht: float, t: float) -> Figures:
    f = erl.erlang_c_figures(
        calls=a * INTERVAL_S / aht, interval_s=INTERVAL_S, aht_s=aht, agents=n, answer_time_s=t
    )
    return {
        "p_wait": float(f.p_wait),
        "service_level": float(f.service_level),
        "asa_s": float(f.asa_s),
    }


def ours_search(a: float, aht: float, t: float, s: float) -> int:
    targets = Targets(service_level=s, answer_time_s=t)
    return int(
        required_agents(
            calls=a * INTERVAL_S / aht, interval_s=INTERVAL_S, aht_s=aht, targets=targets
        )
    )


def ours_a(n: int, a: float, aht: float, patience: float, t: float) -> Figures:
    f = erl.erlang_a_figures(
        calls=a * INTERVAL_S / aht,
        interval_s=INTERVAL_S,
        aht_s=aht,
        agents=n,
        answer_time_s=t,
        patience_s=patience,
    )
    return {
        "p_wait": float(f.p_wait),
        "p_abandon": float(f.p_abandon),
        "service_level": float(f.service_level),
        "asa_s": float(f.asa_s),
    }


def pyworkforce_eval(n: int, a: float, aht: float, t: float) -> Figures:
    from pyworkforce.queuing import ErlangC

    # pyworkforce works in minutes: transactions per interval, AHT and answer time.
    q = ErlangC(transactions=a * 30 / (aht / 60), aht=aht / 60, asa=t / 60, interval=30)
    return {
        "p_wait": float(q.waiting_probability(n)),
        "service_level": float(q.service_level(n)),
    }


def pyworkforce_search(a: float, aht: float, t: float, s: float) -> int:
    from pyworkforce.queuing import ErlangC

    q = ErlangC(transactions=a * 30 / (aht / 60), aht=aht / 60, asa=t / 60, interval=30)
    return int(q.required_positions(service_level=s, max_occupancy=1.0)["raw_positions"])


def cct_eval(n: int, a: float, aht: float, t: float) -> Figures:
    import call_center_tools as cct

    r = cct.calc_staffing(
        calls_per_hour=a * 3600 / aht,
        aht=aht,
        agents=n,
        max_occupancy=1.0,
        target_answer_time=t,
        target_service_level=TARGET_SL,
    )
    return {
        "p_wait": float(r.wait_probability),
        "service_level": float(r.service_level),
        "asa_s": float(r.average_speed_of_answer),
    }


def cct_search(a: float, aht: float, t: float, s: float) -> int:
    import call_center_tools as cct

    r = cct.calc_staffing(
        calls_per_hour=a * 3600 / aht,
        aht=aht,
        max_occupancy=1.0,
        target_answer_time=t,
        target_service_level=s,
    )
    return int(r.agents)


def pyqueueing_eval(n: int, a: float, aht: float, t: float) -> Figures:
    from pyqueueing import ErlangC

    q = ErlangC(arrival_rate=a / aht, service_rate=1 / aht, servers=n)
    return {
        "p_wait": float(q.prob_wait()),
        "service_level": float(q.service_level(t)),
        "asa_s": float(q.mean_wait()),
    }


def pyqueueing_search(a: float, aht: float, t: float, s: float) -> int:
    from pyqueueing import ErlangC

    q = ErlangC(arrival_rate=a / aht, service_rate=1 / aht)
    return int(q.required_servers(target_service_level=(t, s)))


def pyqueueing_a(n: int, a: float, aht: float, patience: float, t: float) -> Figures:
    from pyqueueing import ErlangA

    q = ErlangA(arrival_rate=a / aht, service_rate=1 / aht, servers=n, patience_rate=1 / patience)
    return {
        "p_wait": float(q.prob_wait()),
        "p_abandon": float(q.prob_abandon()),
        "service_level": float(q.service_level(t)),
        "asa_s": float(q.mean_wait_answered()),
    }


LIBS: dict[str, dict[str, Any]] = {
    "hearthline": {"eval": ours_eval, "search": ours_search, "a": ours_a, "dist": None},
    "pyworkforce": {"eval": pyworkforce_eval, "search": pyworkforce_search, "dist": "pyworkforce"},
    "call-center-tools": {"eval": cct_eval, "search": cct_search, "dist": "call-center-tools"},
    "pyqueueing": {
        "eval": pyqueueing_eval,
        "search": pyqueueing_search,
        "a": pyqueueing_a,
        "dist": "pyqueueing",
    },
}


def available(name: str) -> tuple[bool, str]:
    dist = LIBS[name]["dist"]
    if dist is None:
        return True, "this tree"
    try:
        version = importlib.metadata.version(dist)
        LIBS[name]["eval"](5, 2.0, AHT_S, ANSWER_S)
    except Exception as exc:
        return False, f"unavailable: {exc}"
    return True, version


# --- correctness on a shared grid --------------------------------------------------------


def close(got: float, want: float) -> bool:
    if math.isinf(want):
        return math.isinf(got) and got > 0
    if not math.isfinite(got):
        return False
    return abs(got - want) <= max(ABS_TOL, REL_TOL * abs(want))


def eval_grid() -> list[tuple[int, float]]:
    cases: list[tuple[int, float]] = []
    for n in (1, 5, 10, 50, 100, 500, 1000, 5000, 10_000):
        for f in (0.5, 0.9, 0.99):
            cases.append((n, n * f))
        cases.append((n, float(max(n - 1, 1)) if n > 1 else 0.5))  # whole-number traffic
        cases.append((n, float(n)))  # traffic equal to agents: unstable
        cases.append((n, n * 1.2))  # overloaded
    return cases


def search_grid() -> list[tuple[float, float, float]]:
    cases = []
    for a in (0.3, 2.0, 9.6, 10.0, 37.4, 100.0, 250.5, 1000.0, 2400.7):
        for t, s in ((20.0, 0.8), (0.0, 0.9), (600.0, 0.5), (60.0, 0.95)):
            cases.append((a, t, s))
    return cases


def a_grid() -> list[tuple[int, float, float]]:
    cases = []
    for n in (5, 50, 200, 600, 2000):
        for f in (0.8, 1.0, 1.2):
            cases.append((n, n * f, 60.0))
    return cases


def score(
    name: str,
    kind: str,
    cases: list[Any],
    call: Callable[..., Any],
    check: Callable[[Any, Any], bool],
    want: list[Any],
) -> dict[str, Any]:
    right, wrong, raised = 0, [], []
    per_metric: dict[str, int] = {}
    for case, w in zip(cases, want, strict=True):
        try:
            got = call(*case)
        except Exception as exc:
            raised.append({"case": list(case), "error": f"{type(exc).__name__}: {exc}"[:120]})
            continue
        if isinstance(got, dict):
            for k, v in got.items():
                per_metric[k] = per_metric.get(k, 0) + int(close(float(v), float(w[k])))
        if check(got, w):
            right += 1
        else:
            wrong.append({"case": list(case), "got": got, "want": w})
    return {
        "library": name,
        "grid": kind,
        "cases": len(cases),
        "right": right,
        "wrong": len(wrong),
        "raised": len(raised),
        "share_right": right / len(cases),
        "right_per_metric": per_metric,
        "wrong_examples": wrong[:6],
        "raised_examples": raised[:3],
    }


def figures_right(got: Figures, want: Figures) -> bool:
    return all(close(float(got[k]), float(want[k])) for k in got)


# --- timing ----------------------------------------------------------------------------


def per_call(fn: Callable[[], object], budget_s: float) -> float:
    """Mean seconds per call over at least three calls and about ``budget_s``."""
    fn()
    runs, start = 0, time.perf_counter()
    while True:
        fn()
        runs += 1
        elapsed = time.perf_counter() - start
        if runs >= 3 and elapsed >= budget_s:
            return elapsed / runs
        if elapsed > 20 * budget_s:
            return elapsed / runs


def timing(libs: list[str], budget_s: float) -> list[dict[str, Any]]:
    rows = []
    for size in SIZES:
        # Fractional traffic keeps call-center-tools off its whole-number division by zero.
        a = 0.97 * size + 0.37
        need = ours_search(a, AHT_S, ANSWER_S, TARGET_SL)
        row: dict[str, Any] = {"agents": size, "traffic": a, "required": need}
        for name in libs:
            ev = LIBS[name]["eval"]
            se = LIBS[name]["search"]
            row[f"{name}/eval_s"] = per_call(partial(ev, need, a, AHT_S, ANSWER_S), budget_s)
            row[f"{name}/search_s"] = per_call(partial(se, a, AHT_S, ANSWER_S, TARGET_SL), budget_s)
        calls = np.full(10_000, a * INTERVAL_S / AHT_S)
        vectorised = partial(
            erl.erlang_c_figures,
            calls=calls,
            interval_s=INTERVAL_S,
            aht_s=AHT_S,
            agents=need,
            answer_time_s=ANSWER_S,
        )
        row["hearthline/eval_vectorised_s"] = per_call(vectorised, budget_s) / calls.size
        rows.append(row)
    return rows


def fmt_time(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:8.1f} us"
    if s < 1:
        return f"{s * 1e3:8.2f} ms"
    return f"{s:8.2f} s "


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    budget = 0.05 if quick else 0.4
    libs, versions = [], {}
    for name in LIBS:
        ok, version = available(name)
        versions[name] = version
        if ok:
            libs.append(name)
        else:
            print(f"{name}: {version}")
    peers = [n for n in libs if n != "hearthline"]
    print("libraries:", ", ".join(f"{n} {versions[n]}" for n in LIBS))

    print("\ncorrectness against mpmath (share right; wrong; raised)")
    ev_cases = [(n, a, AHT_S, ANSWER_S) for n, a in eval_grid()]
    ev_want = [ref_c(*c) for c in ev_cases]
    se_cases = [(a, AHT_S, t, s) for a, t, s in search_grid()]
    se_want = [ref_required(*c) for c in se_cases]
    a_cases = [(n, a, AHT_S, p, ANSWER_S) for n, a, p in a_grid()]
    a_want = [ref_a(*c) for c in a_cases]
    correctness = []
    for name in libs:
        correctness.append(
            score(name, "erlang-c figures", ev_cases, LIBS[name]["eval"], figures_right, ev_want)
        )
        correctness.append(
            score(name, "required agents", se_cases, LIBS[name]["search"], int.__eq__, se_want)
        )
        if "a" in LIBS[name]:
            correctness.append(
                score(name, "erlang-a figures", a_cases, LIBS[name]["a"], figures_right, a_want)
            )
    for c in correctness:
        metrics = ", ".join(f"{k} {v}" for k, v in c["right_per_metric"].items())
        print(
            f"  {c['library']:18s} {c['grid']:17s} {100 * c['share_right']:5.1f}% "
            f"of {c['cases']:3d}; wrong {c['wrong']:3d}; raised {c['raised']:3d}"
            + (f"  (right per figure: {metrics})" if metrics else "")
        )

    print(f"\ntiming (budget {budget:g} s per measurement; ratio = peer time / ours)")
    rows = timing(libs, budget)
    header = f"{'agents':>7s} {'library':18s} {'per evaluation':>16s} {'per search':>14s}"
    print(header + f" {'eval ratio':>10s} {'search ratio':>12s}")
    for row in rows:
        for name in libs:
            ev, se = row[f"{name}/eval_s"], row[f"{name}/search_s"]
            ev_ratio = ev / row["hearthline/eval_s"]
            se_ratio = se / row["hearthline/search_s"]
            print(
                f"{row['agents']:7d} {name:18s} {fmt_time(ev):>16s} {fmt_time(se):>14s}"
                f" {ev_ratio:10.1f} {se_ratio:12.1f}"
            )
        vec = fmt_time(row["hearthline/eval_vectorised_s"])
        print(f"{'':7s} {'hearthline (x10^4)':18s} {vec:>16s}   per evaluation, 10,000 in one call")
    goal = []
    for row in rows:
        if row["agents"] >= 1000 and peers:
            fastest = min(row[f"{p}/search_s"] for p in peers)
            goal.append(
                {
                    "agents": row["agents"],
                    "speedup_vs_fastest_peer": fastest / row["hearthline/search_s"],
                }
            )
    for g in goal:
        print(
            f"search at {g['agents']} agents: {g['speedup_vs_fastest_peer']:.1f}x the fastest peer"
        )

    result = {
        "benchmark": "erlang",
        "command": "make bench BENCH_ARGS=erlang",
        "date": time.strftime("%Y-%m-%d"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
        },
        "versions": versions,
        "settings": {
            "aht_s": AHT_S,
            "answer_time_s": ANSWER_S,
            "target_service_level": TARGET_SL,
            "rel_tol": REL_TOL,
            "abs_tol": ABS_TOL,
            "quick": quick,
        },
        "correctness": correctness,
        "timing": rows,
        "search_speedup_vs_fastest_peer": goal,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, default=str) + "\n")
    tmp.replace(RESULTS)
    print(f"\nwrote {RESULTS}")
    ours_ok = all(c["share_right"] == 1.0 for c in correctness if c["library"] == "hearthline")
    return 0 if ours_ok else 1


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
