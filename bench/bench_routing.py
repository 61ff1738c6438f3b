"""Routing core throughput, decision latency and memory.

A steady call-center day driven straight into the core (no I/O): Poisson arrivals over
50 skill-based queues, exponential talk times, agents who answer at once. Measures
routing events per second on one core and the latency of each command that makes a
routing decision, for 100, 1,000 and 10,000 agents, at 85% load and in overload (where
queues grow long and every free agent must choose across many waiting contacts).

The peer is a naive matcher that scans every waiting contact and every agent per
decision, the way Asterisk's app_queue and FreeSWITCH's mod_callcenter do; it runs the
same decisions in the same run, so the ratio shows what indexing by bucket buys.
Then memory: 10,000 agents and 100,000 waiting contacts.
"""

from __future__ import annotations

import gc
import heapq
import json
import random
import time
import tracemalloc
from pathlib import Path
from typing import Any

from hearthline.kernel.ids import AgentId, CampaignId, ClientId, ContactId, QueueId
from hearthline.routing import (
    AgentProfile,
    CampaignConfig,
    EscalationStep,
    ManualClock,
    QueueConfig,
    Router,
    RoutingConfig,
    WrapUpPolicy,
)
from hearthline.routing import commands as cmd
from hearthline.routing.events import ContactOffered

N_QUEUES = 50
N_SKILLS = 20
N_CAMPAIGNS = 5
HANDLE_S = 180.0
RESULTS = Path(__file__).parent / "results" / "routing.json"


def build_config(n_agents: int, seed: int) -> RoutingConfig:
    rnd = random.Random(seed)
    campaigns = tuple(
        CampaignConfig(CampaignId(f"camp{i}"), ClientId(f"client{i % 2}"))
        for i in range(N_CAMPAIGNS)
    )
    queues = tuple(
        QueueConfig(
            QueueId(f"q{i}"),
            CampaignId(f"camp{i % N_CAMPAIGNS}"),
            requirement=f"s{i % N_SKILLS}>=3",
            steps=(EscalationStep(30, requirement=f"s{i % N_SKILLS}>=1"),),
            wrap_up=WrapUpPolicy(seconds=0),
        )
        for i in range(N_QUEUES)
    )
    agents = tuple(
        AgentProfile.of(
            f"a{i}",
            {f"s{s}": rnd.randint(1, 5) for s in rnd.sample(range(N_SKILLS), 4)},
            [f"camp{c}" for c in rnd.sample(range(N_CAMPAIGNS), 3)],
        )
        for i in range(n_agents)
    )
    return RoutingConfig(campaigns=campaigns, queues=queues, agents=agents)


def run_day(n_agents: int, load: float, n_calls: int, seed: int = 1) -> dict[str, Any]:
    """Drives the core through ``n_calls`` arrivals; returns throughput and latencies."""
    rnd = random.Random(seed)
    clock = ManualClock(0.0)
    router = Router(clock=clock, rng=random.Random(seed))
    router.configure(build_config(n_agents, seed))
    for i in range(n_agents):
        router.handle(cmd.SignIn(AgentId(f"a{i}"), ready=True))
    rate = load * n_agents / HANDLE_S  # calls per second over all queues
    agenda: list[tuple[float, int, int, str, str]] = []  # (time, seq, kind, contact, agent)
    seq = 0
    t = 0.0
    for i in range(n_calls):
        t += rnd.expovariate(rate)
        agenda.append((t, seq, 0, f"c{i}", ""))
        seq += 1
    heapq.heapify(agenda)
    queues = [f"q{i}" for i in range(N_QUEUES)]
    events = 0
    waiting = max_waiting = 0
    decisions: list[int] = []
    perf = time.perf_counter_ns
    gc.collect()
    started = perf()
    while agenda:
        at, _, kind, contact, agent = heapq.heappop(agenda)
        deadline = router.next_deadline()
        while deadline is not None and deadline <= at:
            clock.set(deadline)
            events += len(router.tick())
            deadline = router.next_deadline()
        clock.set(at)
        if kind == 0:
            command: cmd.Command = cmd.ArriveContact(
                ContactId(contact), caller="1", queue=QueueId(rnd.choice(queues))
            )
        elif kind == 1:
            command = cmd.AcceptOffer(AgentId(agent), ContactId(contact))
        else:
            command = cmd.EndContact(AgentId(agent), ContactId(contact))
        t0 = perf()
        out = router.handle(command)
        took = perf() - t0
        events += len(out)
        decided = False
        waiting += kind == 0
        for e in out:
            if type(e) is ContactOffered:
                decided = True
                waiting -= 1
                heapq.heappush(agenda, (at, seq, 1, e.contact, e.agent))
                seq += 1
        if kind == 1:
            heapq.heappush(agenda, (at + rnd.expovariate(1 / HANDLE_S), seq, 2, contact, agent))
            seq += 1
        if decided:
            decisions.append(took)
        max_waiting = max(max_waiting, waiting)
    wall = (perf() - started) / 1e9
    decisions.sort()
    return {
        "agents": n_agents,
        "load": load,
        "calls": n_calls,
        "events": events,
        "wall_s": round(wall, 3),
        "events_per_s": round(events / wall),
        "decisions": len(decisions),
        "p50_us": round(decisions[len(decisions) // 2] / 1000, 1),
        "p99_us": round(decisions[int(len(decisions) * 0.99)] / 1000, 1),
        "max_waiting": max_waiting,
    }


def naive_decision_us(n_agents: int, n_waiting: int, seed: int = 1, repeats: int = 200) -> float:
    """One decision by scanning everything: the best waiting contact a freed agent may take."""
    rnd = random.Random(seed)
    config = build_config(n_agents, seed)
    from hearthline.routing.skills import compile_requirement

    reqs = {q.id: (q.campaign, compile_requirement(q.requirement)) for q in config.queues}
    agents = [(a.campaigns, a.levels) for a in config.agents]
    waiting = [
        (rnd.choice(list(reqs)), -rnd.randint(0, 2), rnd.random() * 100, i)
        for i in range(n_waiting)
    ]
    perf = time.perf_counter_ns
    took = []
    for r in range(repeats):
        campaigns, levels = agents[r % len(agents)]
        t0 = perf()
        best = None
        for queue, prio, since, s in waiting:  # every contact in every queue...
            campaign, req = reqs[queue]
            if campaign in campaigns and req(levels):  # ...checked against this agent
                key = (prio, since, s)
                if best is None or key < best:
                    best = key
        took.append(perf() - t0)
    took.sort()
    return took[len(took) // 2] / 1000


def memory(n_agents: int, n_waiting: int) -> dict[str, Any]:
    gc.collect()
    tracemalloc.start()
    clock = ManualClock(0.0)
    router = Router(clock=clock, rng=random.Random(1))
    router.configure(build_config(n_agents, 1))
    for i in range(n_agents):
        router.handle(cmd.SignIn(AgentId(f"a{i}")))  # signed in, not ready: contacts pile up
    for i in range(n_waiting):
        router.handle(
            cmd.ArriveContact(
                ContactId(f"c{i}"), caller="+331234", queue=QueueId(f"q{i % N_QUEUES}")
            )
        )
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert sum(router.queue(f"q{q}").waiting for q in range(N_QUEUES)) == n_waiting
    return {
        "agents": n_agents,
        "waiting": n_waiting,
        "held_mb": round(current / 2**20, 1),
        "peak_mb": round(peak / 2**20, 1),
    }


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    rows = []
    for n_agents in (100, 1_000, 10_000):
        for load in (0.85, 1.10):
            calls = 3_000 if quick else max(40_000, n_agents * 8)
            rows.append(run_day(n_agents, load, calls))
            r = rows[-1]
            print(
                f"{r['agents']:>6} agents  load {r['load']:.2f}  {r['events_per_s']:>8,} events/s  "
                f"decision p50 {r['p50_us']:>6} us  p99 {r['p99_us']:>6} us  "
                f"(most waiting {r['max_waiting']:,}, {r['events']:,} events in {r['wall_s']} s)",
                flush=True,
            )
    print("\nnaive full scan (peer) vs indexed core, one decision with long queues:")
    naive = []
    for r in rows:
        if r["load"] > 1:
            waiting = max(r["max_waiting"], 1_000)
            us = naive_decision_us(r["agents"], waiting)
            naive.append(
                {
                    "agents": r["agents"],
                    "waiting": waiting,
                    "naive_p50_us": round(us, 1),
                    "core_p50_us": r["p50_us"],
                    "ratio": round(us / r["p50_us"], 1),
                }
            )
            n = naive[-1]
            print(
                f"{n['agents']:>6} agents, {n['waiting']:>7,} waiting: "
                f"naive {n['naive_p50_us']:>9} us  core {n['core_p50_us']:>6} us"
                f"  -> core is {n['ratio']}x faster"
            )
    mem = memory(10_000, 10_000 if quick else 100_000)
    print(
        f"\nmemory: {mem['agents']:,} agents and {mem['waiting']:,} waiting contacts hold "
        f"{mem['held_mb']} MB (peak {mem['peak_mb']} MB, Python allocations)"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"runs": rows, "naive": naive, "memory": mem}, indent=2))
    return 0
