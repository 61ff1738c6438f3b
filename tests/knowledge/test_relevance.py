"""Relevance over the demo firm's articles: the labelled questions' recall at 5, on both
databases' own full-text engines, each question asked within its client company."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from hearthline.demo.knowledge import ARTICLES, save_searchable_firm
from hearthline.store.queries import knowledge as q
from tests.knowledge.questions import QUESTIONS

NOW = 1_000_000.0
RECALL_AT_5 = 0.9


def recall_at_5(engine: Engine) -> tuple[float, list[str]]:
    missed = []
    for client, typed, title in QUESTIONS:
        hits = q.search(engine, typed, clients=[client], limit=5, now=NOW, current_only=True)
        if title not in [h.article.title for h in hits]:
            missed.append(f"{typed!r} -> {[h.article.title for h in hits]}")
    return 1 - len(missed) / len(QUESTIONS), missed


@pytest.fixture
def demo_store(engine: Engine) -> Engine:
    save_searchable_firm(engine, at=NOW)
    return engine


def test_the_labelled_set_is_large_and_names_real_articles() -> None:
    titles = {a.title for a in ARTICLES}
    assert len(QUESTIONS) >= 100
    assert {title for _, _, title in QUESTIONS} == titles  # every article is asked for
    # Questions are what agents type, never a copy of the title.
    assert all(typed.lower() != title.lower() for _, typed, title in QUESTIONS)


def test_recall_at_5_of_the_labelled_questions(demo_store: Engine) -> None:
    recall, missed = recall_at_5(demo_store)
    assert recall >= RECALL_AT_5, f"recall@5 {recall:.3f}; missed:\n" + "\n".join(missed)
