"""A simulated day as a manager reads it: a summary, tables per interval and per agent,
and charts (PNG, drawn with Matplotlib's file-only Agg backend)."""

from __future__ import annotations

import csv
import math
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from hearthline.sim.results import AgentRow, QueueRow, Results


def clock(seconds: float) -> str:
    """Seconds since midnight as HH:MM."""
    m = round(seconds / 60.0)
    return f"{m // 60:02d}:{m % 60:02d}"


def _pct(x: float) -> str:
    return "-" if math.isnan(x) else f"{100 * x:5.1f}%"


def _sec(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:7.1f}"


def summary(results: Results) -> str:
    """A few lines: the day per queue, and how the run went."""
    r = results
    lines = [
        f"Simulated day {r.name or ''} (seed {r.seed}): "
        f"{clock(r.start_s)}-{clock(r.end_s)}, {r.run.get('calls', 0):,} calls, "
        f"{len(r.agents)} agents",
    ]
    if r.warmup_end_s > r.start_s:
        lines.append(f"Day figures count calls arriving from {clock(r.warmup_end_s)} (warm-up).")
    for d in r.days:
        lines.append(
            f"  {d.queue}: offered {d.offered:,}, answered {d.answered:,}, abandoned "
            f"{d.abandoned:,} ({_pct(d.abandon_rate).strip()}), service level "
            f"{_pct(d.service_level).strip()}, ASA {_sec(d.asa_s).strip()} s, AHT "
            f"{_sec(d.aht_s).strip()} s, occupancy {_pct(d.occupancy).strip()}"
        )
    run = r.run
    if run.get("menu_callers"):
        lines.append(
            f"  menus: {run['menu_callers']:,} callers, {run['menu_mean_s']:.1f} s in the menu "
            f"on average, {run['menu_hangups']:,} hung up there"
        )
    lines.append(
        f"Run: {run.get('wall_s', 0.0):.2f} s wall clock, "
        f"{run.get('calls_per_s', 0.0):,.0f} calls/s; refused commands: "
        f"{run.get('refused_commands', 0)}"
    )
    return "\n".join(lines)


def interval_table(rows: list[QueueRow]) -> str:
    head = (
        f"{'queue':<10} {'start':>5} {'offered':>8} {'answered':>8} {'abandon':>7} "
        f"{'SL':>6} {'ASA s':>7} {'wait s':>7} {'AHT s':>7} {'occ':>6} {'agents':>7}"
    )
    out = [head, "-" * len(head)]
    for r in rows:
        out.append(
            f"{r.queue:<10} {clock(r.start_s):>5} {r.offered:>8} {r.answered:>8} "
            f"{r.abandoned:>7} {_pct(r.service_level):>6} {_sec(r.asa_s):>7} "
            f"{_sec(r.mean_wait_s):>7} {_sec(r.aht_s):>7} {_pct(r.occupancy):>6} "
            f"{r.agents:>7.1f}"
        )
    return "\n".join(out)


def agent_table(rows: list[AgentRow], *, limit: int = 20) -> str:
    head = (
        f"{'agent':<14} {'handled':>7} {'talk h':>7} {'wrap h':>7} {'idle h':>7} "
        f"{'break h':>7} {'away h':>7} {'occ':>6}"
    )
    out = [head, "-" * len(head)]
    for a in rows[:limit]:
        out.append(
            f"{a.agent:<14} {a.handled:>7} {a.talk_s / 3600:>7.2f} {a.wrap_s / 3600:>7.2f} "
            f"{a.idle_s / 3600:>7.2f} {a.break_s / 3600:>7.2f} {a.away_s / 3600:>7.2f} "
            f"{_pct(a.occupancy):>6}"
        )
    if len(rows) > limit:
        out.append(f"... and {len(rows) - limit} more agents (all in agents.csv with --out)")
    return "\n".join(out)


def menu_table(nodes: list[dict[str, Any]]) -> str:
    """Per menu and node: visits, mean time there, hang-ups, zero-outs, timeouts."""
    head = (
        f"{'menu':<10} {'node':<14} {'visits':>7} {'mean s':>7} {'hang-ups':>8} "
        f"{'zero-outs':>9} {'timeouts':>8}"
    )
    out = [head, "-" * len(head)]
    for n in nodes:
        out.append(
            f"{n['menu']:<10} {n['node']:<14} {n['visits']:>7} {n['mean_s']:>7.1f} "
            f"{n['hangups']:>8} {n['zero_outs']:>9} {n['timeouts']:>8}"
        )
    return "\n".join(out)


def text_report(results: Results) -> str:
    parts = [
        summary(results),
        "Per interval (calls counted in the interval they arrived)",
        interval_table(results.intervals),
        "Per agent",
        agent_table(results.agents),
    ]
    nodes = results.run.get("menu_nodes")
    if nodes:
        parts += ["Menus, per node (time there, and callers who hung up there)", menu_table(nodes)]
    return "\n\n".join(parts)


def write_report(results: Results, out: Path) -> list[Path]:
    """Writes report.txt, intervals.csv, agents.csv and the charts into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "report.txt", out / "intervals.csv", out / "agents.csv"]
    written[0].write_text(text_report(results) + "\n", encoding="utf-8")
    _write_csv(written[1], results.intervals, QueueRow)
    _write_csv(written[2], results.agents, AgentRow)
    for queue in sorted({r.queue for r in results.intervals}):
        written.append(plot_queue(results, queue, out / f"queue-{queue}.png"))
    written.append(plot_agents(results, out / "agents.png"))
    return written


def _write_csv(path: Path, rows: list[QueueRow] | list[AgentRow], kind: type) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=[f.name for f in fields(kind)])
        w.writeheader()
        for row in rows:
            w.writerow(asdict(row))


def plot_queue(results: Results, queue: str, path: Path) -> Path:
    """Offered and answered calls, service level and occupancy, ASA per interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in results.intervals if r.queue == queue]
    hours = [r.start_s / 3600.0 for r in rows]
    width = results.interval_s / 3600.0 * 0.8
    fig, (ax1, ax2, ax3) = plt.subplots(3, 1, figsize=(10, 9), sharex=True)
    ax1.bar(hours, [r.offered for r in rows], width=width, align="edge", label="offered")
    ax1.bar(hours, [r.abandoned for r in rows], width=width, align="edge", label="abandoned")
    ax1.set_ylabel("calls per interval")
    ax1.legend()
    ax1.set_title(f"Queue {queue}: simulated day (seed {results.seed})")
    ax2.plot(hours, [100 * r.service_level for r in rows], marker="o", label="service level")
    ax2.plot(hours, [100 * r.occupancy for r in rows], marker="s", label="occupancy")
    ax2.set_ylabel("percent")
    ax2.set_ylim(0, 105)
    ax2.legend()
    ax3.plot(hours, [r.asa_s for r in rows], marker="o", label="ASA")
    ax3.plot(hours, [r.mean_wait_s for r in rows], marker="x", label="mean wait")
    ax3.set_ylabel("seconds")
    ax3.set_xlabel("hour of day")
    ax3.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_agents(results: Results, path: Path) -> Path:
    """How agents spent the day: hours per state, summed over all agents."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    parts = {
        "talk": sum(a.talk_s for a in results.agents),
        "wrap-up": sum(a.wrap_s for a in results.agents),
        "ringing": sum(a.ring_s for a in results.agents),
        "idle": sum(a.idle_s for a in results.agents),
        "break": sum(a.break_s for a in results.agents),
        "away": sum(a.away_s for a in results.agents),
    }
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(list(parts), [v / 3600.0 for v in parts.values()])
    ax.set_ylabel("agent hours")
    ax.set_xlabel("state")
    ax.set_title("Agent time by state (all agents)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
