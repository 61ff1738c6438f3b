"""The agent's procedures for offline reading: a sync whose copy is current against one
that reads the whole set.

    make bench BENCH_ARGS=procedures      # SQLite and PostgreSQL, 5,000 articles a client
    python -m bench procedures --quick    # 500 articles a client, for a smoke run

Two client companies hold 5,000 articles each (bodies of about 1,500 characters, rendered
and sanitized as a save does); the agent works two of Acme's three campaigns, so the
audience gives them about two thirds of Acme's articles, and the guides of both. The
figure is ``api.procedures.agent_set`` as the route runs it: with the desk's ETag (the
304 path: one aggregate per client, no article read) and without it (the 200 path:
every text read and the set built). The peer is the full read, so the ratio is what the
ETag saves. Goal: an unchanged sync under 10 % of a full one, and its p95 under 100 ms
on each database.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.databases import database
from hearthline.api.procedures import agent_set
from hearthline.demo.guides import GUIDES
from hearthline.knowledge.render import plain, to_html
from hearthline.store import tables as t
from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade
from hearthline.store.queries.guides import dump_steps

RESULTS = Path(__file__).parent / "results" / "procedures.json"
CAMPAIGNS = {"returns": "acme", "sales": "acme", "help": "acme", "g-sales": "globex"}
WORDS = [
    "refund", "order", "parcel", "damaged", "photo", "exchange", "size", "colour", "credit",
    "customer", "address", "delivery", "courier", "label", "return", "warehouse", "manager",
    "approval", "invoice", "payment", "card",
]  # fmt: skip


def _body(rng: random.Random) -> str:
    paragraphs = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 60))).capitalize() + "."
        for _ in range(3)
    ]
    return "\n\n".join(paragraphs) + "\n\n- **Ask** for the order number.\n- Check the photo."


def _fill(url: str, per_client: int) -> None:
    engine = create_store_engine(url)
    upgrade(engine)
    rng = random.Random(11)
    with engine.begin() as conn:
        conn.execute(insert(t.firm).values(id="firm", name="Bench"))
        for client in ("acme", "globex"):
            conn.execute(insert(t.clients).values(id=client, firm_id="firm", name=client))
        for campaign, client in CAMPAIGNS.items():
            conn.execute(insert(t.campaigns).values(id=campaign, client_id=client, name=campaign))
        conn.execute(insert(t.agents).values(id="a1", name="Agent"))
        for n, campaign in enumerate(("returns", "sales")):
            made = list(GUIDES.values())[n]
            row = {"campaign_id": campaign, "version": 1, "steps": dump_steps(made)}
            row |= {"created_at": float(n), "created_by": "admin"}
            conn.execute(insert(t.call_guides).values(**row))
        rows: list[dict[str, Any]] = []
        for client, audiences in (("acme", ([], ["returns"], ["help"])), ("globex", ([],))):
            for i in range(per_client):
                body = _body(rng)
                rows.append(
                    {
                        "client_id": client,
                        "title": f"{client} procedure {i}",
                        "body": body,
                        "html": to_html(body),
                        "plain": plain(body),
                        "tags": "refund\nreturns",
                        "campaigns": json.dumps(audiences[i % len(audiences)]),
                        "version": 1,
                        "created_at": 0.0,
                        "updated_at": 0.0,
                    }
                )
        for start in range(0, len(rows), 1000):
            conn.execute(insert(t.knowledge_articles), rows[start : start + 1000])
    engine.dispose()


def _timed(run: Any, repeats: int) -> dict[str, float]:
    walls: list[float] = []
    cpu0 = time.process_time()
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        walls.append((time.perf_counter() - start) * 1000)
    cpu = (time.process_time() - cpu0) * 1000 / repeats
    walls.sort()
    return {
        "p50_ms": round(statistics.median(walls), 2),
        "p95_ms": round(walls[max(0, int(len(walls) * 0.95) - 1)], 2),
        "cpu_ms_mean": round(cpu, 2),
    }


def _measure(kind: str, per_client: int, repeats: int) -> dict[str, Any]:
    with database(kind) as url:
        _fill(url, per_client)
        engine = create_store_engine(url)
        args: dict[str, Any] = {
            "agent": "a1",
            "campaigns": frozenset({"returns", "sales"}),
            "campaign_client": CAMPAIGNS,
            "skills": frozenset(),
            "now": 1.0,
        }
        etag, found = agent_set(engine, **args)
        assert found is not None
        size = len(found.model_dump_json())

        def full() -> None:
            _, got = agent_set(engine, **args)
            assert got is not None
            got.model_dump_json()  # the route serializes it too

        def unchanged() -> None:
            _, got = agent_set(engine, **args, known_etag=etag)
            assert got is None

        out: dict[str, Any] = {
            "articles_per_client": per_client,
            "items_synced": len(found.items),
            "body_bytes": size,
            "unchanged_304": _timed(unchanged, repeats),
            "full_200": _timed(full, max(3, repeats // 4)),
        }
        engine.dispose()
    out["ratio_unchanged_to_full_p50"] = round(
        out["unchanged_304"]["p50_ms"] / out["full_200"]["p50_ms"], 3
    )
    return out


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    per_client = 500 if quick else 5_000
    repeats = 20 if quick else 60
    results: dict[str, Any] = {"machine": "2 cores, shared with other test runs (busy)"}
    ok = True
    for kind in ("sqlite", "postgres"):
        r = _measure(kind, per_client, repeats)
        results[kind] = r
        met = r["ratio_unchanged_to_full_p50"] < 0.1 and r["unchanged_304"]["p95_ms"] < 100
        ok &= met
        same, full = r["unchanged_304"], r["full_200"]
        print(
            f"{kind:8} {r['items_synced']} items ({r['body_bytes'] / 1e6:.1f} MB): "
            f"unchanged p50 {same['p50_ms']} ms p95 {same['p95_ms']} ms "
            f"(cpu {same['cpu_ms_mean']} ms); full p50 {full['p50_ms']} ms "
            f"p95 {full['p95_ms']} ms (cpu {full['cpu_ms_mean']} ms); "
            f"ratio {r['ratio_unchanged_to_full_p50']} -> goal {'met' if met else 'NOT met'}",
            flush=True,
        )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results["process_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if ok else 1
