"""Articles, search and bulletins, as stored: plain rows for the API and the actions.

Search runs on each database's own full-text engine (``knowledge_fts`` on SQLite, the
GIN-indexed tsvector on PostgreSQL) with the query ``knowledge.search`` builds; scope is
a ``client_id IN (...)`` on the article row itself, so nothing of another client is
ever ranked, highlighted or returned.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    RowMapping,
    Select,
    and_,
    case,
    column,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    union_all,
)

from hearthline.knowledge import search as ks
from hearthline.knowledge.articles import Audience
from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected
from hearthline.store.tables.knowledge import scope_token

SNIPPET_WORDS = 24
# The most matches one step of a search ranks: the newest, when more match (words so
# common that ranking every article holding them would cost a scan of the client).
CANDIDATES = 500
_ARTICLE_FIELDS = (
    "id", "client_id", "title", "body", "html", "tags", "campaigns", "skills", "owner",
    "review_at", "expires_at", "archived", "version", "created_at", "updated_at",
    "updated_by", "bulletin_id",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ArticleRow:
    id: int
    client_id: str
    title: str
    body: str
    html: str
    tags: list[str]
    campaigns: list[str]
    skills: list[str]
    owner: str
    review_at: float | None
    expires_at: float | None
    archived: bool
    version: int
    created_at: float
    updated_at: float
    updated_by: str
    bulletin_id: int | None

    @property
    def audience(self) -> Audience:
        return Audience(frozenset(self.campaigns), frozenset(self.skills))


@dataclass(frozen=True, slots=True)
class VersionRow:
    article_id: int
    version: int
    title: str
    body: str
    changed_by: str
    changed_at: float
    note: str


@dataclass(frozen=True, slots=True)
class Hit:
    article: ArticleRow
    # Title and a passage of the body with the matched words between ks.HIT_START/END.
    title_marked: str
    snippet_marked: str
    rank: int


def _tags(raw: str) -> list[str]:
    return [s for s in raw.split("\n") if s]


def _article(r: RowMapping) -> ArticleRow:
    values = {name: r[name] for name in _ARTICLE_FIELDS}
    values["tags"] = _tags(r["tags"])
    values["campaigns"] = json.loads(r["campaigns"])
    values["skills"] = json.loads(r["skills"])
    values["archived"] = bool(r["archived"])
    return ArticleRow(**values)


def _columns() -> list[Column[Any]]:
    a = t.knowledge_articles
    return [a.c[name] for name in _ARTICLE_FIELDS]


def article(bind: Bind, ident: int) -> ArticleRow | None:
    a = t.knowledge_articles
    with connected(bind) as conn:
        row = conn.execute(select(*_columns()).where(a.c.id == ident)).mappings().first()
    return _article(row) if row is not None else None


def articles(
    bind: Bind,
    *,
    clients: Collection[str] | None,
    limit: int = 500,
    include_archived: bool = False,
) -> list[ArticleRow]:
    """Articles of ``clients`` (None: all), newest change first."""
    a = t.knowledge_articles
    query = select(*_columns())
    if clients is not None:
        query = query.where(a.c.client_id.in_(sorted(clients)))
    if not include_archived:
        query = query.where(a.c.archived.is_(False))
    query = query.order_by(a.c.updated_at.desc(), a.c.id.desc()).limit(limit)
    with connected(bind) as conn:
        return [_article(r) for r in conn.execute(query).mappings()]


def versions(bind: Bind, article_id: int) -> list[VersionRow]:
    v = t.knowledge_versions
    query = select(v).where(v.c.article_id == article_id).order_by(v.c.version.desc())
    with connected(bind) as conn:
        return [VersionRow(**dict(r)) for r in conn.execute(query).mappings()]


# Search ----------------------------------------------------------------------------------


def search(
    bind: Bind,
    typed: str,
    *,
    clients: Collection[str] | None,
    limit: int,
    now: float,
    current_only: bool,
    audience: tuple[Collection[str], Collection[str]] | None = None,
) -> list[Hit]:
    """The best ``limit`` articles of ``clients`` (None: every client) for ``typed``.

    ``current_only`` leaves out archived and expired articles (what agents see);
    ``audience`` (campaigns, skills) keeps the articles meant for such an agent.

    Two steps: rank the ids (the index does the work), then read and highlight only the
    ``limit`` kept."""
    query = ks.parse(typed)
    if query.empty or (clients is not None and not clients):
        return []
    with connected(bind) as conn:
        query = query.with_corrections(_corrections(conn, query, clients))
        # Audience is checked on the rows (JSON lists): rank more to keep ``limit``.
        fetch = limit * 5 if audience is not None else limit
        sqlite = conn.dialect.name == "sqlite"
        rank = _rank_sqlite if sqlite else _rank_pg
        kept: list[int] = []
        for mode in ks.Mode:
            for ident, meant in rank(conn, query, mode, clients, fetch, now, current_only):
                if ident in kept:
                    continue
                if audience is None or meant.reaches(campaigns=audience[0], skills=audience[1]):
                    kept.append(ident)
            if len(kept) >= limit:
                break
        kept = kept[:limit]
        if not kept:
            return []
        a = t.knowledge_articles
        found = conn.execute(select(*_columns(), a.c.plain).where(a.c.id.in_(kept))).mappings()
        rows = {r["id"]: r for r in found}
    # Marked here rather than by each database (highlight(), ts_headline()): the same on
    # both, and a tenth of their cost, which re-parses every text.
    return [
        Hit(
            _article(rows[ident]),
            ks.mark(rows[ident]["title"], query),
            ks.mark(rows[ident]["plain"], query, window=SNIPPET_WORDS),
            i + 1,
        )
        for i, ident in enumerate(kept)
        if ident in rows
    ]


def _scope(
    clients: Collection[str] | None, now: float, current_only: bool
) -> list[ColumnElement[bool]]:
    a = t.knowledge_articles
    where: list[ColumnElement[bool]] = []
    if clients is not None:
        where.append(a.c.client_id.in_(sorted(clients)))
    if current_only:
        where.append(a.c.archived.is_(False))
        where.append(or_(a.c.expires_at.is_(None), a.c.expires_at > now))
    return where


Ranked = list[tuple[int, Audience]]
_FTS = table("knowledge_fts", column("rowid"))
_FTS_REF: ColumnElement[Any] = literal_column("knowledge_fts")
_DOCUMENT: ColumnElement[Any] = literal_column("knowledge_articles.knowledge_document")
_HEADING: ColumnElement[Any] = literal_column("knowledge_articles.knowledge_heading")


def _ranked(rows: Iterable[Any]) -> Ranked:
    return [(int(i), _audience(c, s)) for i, c, s in rows]


@lru_cache(maxsize=1024)  # a client's articles share a few audiences; most have none
def _audience(campaigns: str, skills: str) -> Audience:
    return Audience(frozenset(json.loads(campaigns)), frozenset(json.loads(skills)))


def _match(query: ks.Query, mode: ks.Mode, clients: Collection[str] | None) -> str:
    """The FTS5 expression: the client's token first, so the index intersects with that
    client's rows before ranking (the ``client_id`` condition still decides scope)."""
    terms = ks.fts5_match(query, mode)
    if clients is None:
        return terms
    tokens = " OR ".join(f'"{scope_token(c)}"' for c in sorted(clients))
    return f"scope : ({tokens}) AND ({terms})"


def _rank_sqlite(
    conn: Connection,
    query: ks.Query,
    mode: ks.Mode,
    clients: Collection[str] | None,
    limit: int,
    now: float,
    current_only: bool,
) -> Ranked:
    a = t.knowledge_articles
    match = _match(query, mode, clients)
    stmt = (
        select(a.c.id, a.c.campaigns, a.c.skills)
        .select_from(_FTS.join(a, a.c.id == _FTS.c.rowid))
        .where(_FTS_REF.op("MATCH")(match))
        .where(*_scope(clients, now, current_only))
        .order_by(func.bm25(_FTS_REF, 10.0, 5.0, 1.0, 0.0), a.c.id)
        .limit(limit)
    )
    # Reading matches in rowid order costs little; ranking them is what grows with their
    # number. Past CANDIDATES matches only the newest are ranked (FTS5 narrows by rowid).
    floor = conn.execute(
        select(_FTS.c.rowid)
        .where(_FTS_REF.op("MATCH")(match))
        .order_by(_FTS.c.rowid.desc())
        .limit(1)
        .offset(CANDIDATES - 1)
    ).scalar()
    if floor is not None:
        stmt = stmt.where(_FTS.c.rowid >= floor)
    return _ranked(conn.execute(stmt))


def _rank_pg(
    conn: Connection,
    query: ks.Query,
    mode: ks.Mode,
    clients: Collection[str] | None,
    limit: int,
    now: float,
    current_only: bool,
) -> Ranked:
    a = t.knowledge_articles
    if mode is ks.Mode.ANY_TITLE:
        # Title and tags have their own small vector: no weights to check against the
        # whole document, and the same rank (only A and B lexemes count either way).
        document, tsq = _HEADING, func.to_tsquery("english", ks.tsquery(query, ks.Mode.ANY))
    else:
        document, tsq = _DOCUMENT, func.to_tsquery("english", ks.tsquery(query, mode))
    # The index finds the matches; ranking reads each one's vector, so past CANDIDATES
    # matches only the newest are ranked. "id + 0": ordered by the primary key itself,
    # the planner would walk it backwards and test every article's vector in turn.
    candidates = (
        select(a.c.id, a.c.campaigns, a.c.skills, document.label("document"))
        .where(document.op("@@")(tsq), *_scope(clients, now, current_only))
        .order_by((a.c.id + 0).desc())
        .limit(CANDIDATES)
        .subquery()
    )
    stmt = (
        select(candidates.c.id, candidates.c.campaigns, candidates.c.skills)
        .order_by(func.ts_rank_cd(candidates.c.document, tsq).desc(), candidates.c.id)
        .limit(limit)
    )
    return _ranked(conn.execute(stmt))


def _corrections(
    conn: Connection, query: ks.Query, clients: Collection[str] | None
) -> dict[str, Sequence[str]]:
    """Indexed words near the typed ones the index does not hold (see ``knowledge.search``):
    one look-up for the words as typed, one more only if some are unknown."""
    k = t.knowledge_terms
    scoped = [k.c.client_id.in_(sorted(clients))] if clients is not None else []
    last = len(query.terms) - 1
    checked = [
        (term, query.prefix_last and i == last)
        for i, term in enumerate(query.terms)
        if ks.allowed_distance(term) > 0
    ]
    exact = [term for term, prefix in checked if not prefix]
    # One round trip: the words as typed, and for the word still being typed the first
    # indexed word starting so (known if there is one).
    looks: list[Select[Any]] = []
    if exact:
        looks.append(select(k.c.term).where(k.c.term.in_(exact), *scoped))
    for term, prefix in checked:
        if prefix:
            first = select(k.c.term).where(
                k.c.term >= term, k.c.term < term + "\U0010ffff", *scoped
            )
            looks.append(select(first.limit(1).subquery().c.term))
    found: set[str] = set()
    if looks:
        both = union_all(*looks) if len(looks) > 1 else looks[0]
        found.update(str(term) for term in conn.execute(both).scalars())
    known = {
        term
        for term, prefix in checked
        if term in found or (prefix and any(w.startswith(term) for w in found))
    }
    unknown = [term for term, _ in checked if term not in known]
    if not unknown:
        return {}
    near = [
        and_(
            func.length(k.c.term).between(
                len(term) - ks.allowed_distance(term), len(term) + ks.allowed_distance(term)
            ),
            k.c.term >= term[0],
            k.c.term < term[0] + "\U0010ffff",
        )
        for term in unknown
    ]
    vocabulary = set(conn.execute(select(k.c.term).where(or_(*near), *scoped).distinct()).scalars())
    out: dict[str, Sequence[str]] = {}
    for term in unknown:
        corrected = ks.corrections(term, vocabulary)
        if corrected:
            out[term] = corrected
    return out


# Bulletins -------------------------------------------------------------------------------

_BULLETIN_FIELDS = (
    "id", "client_id", "title", "body", "html", "question", "mandatory", "due_at",
    "campaigns", "skills", "published_by", "published_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class BulletinRow:
    id: int
    client_id: str | None
    title: str
    body: str
    html: str
    question: str
    mandatory: bool
    due_at: float
    campaigns: list[str]
    skills: list[str]
    published_by: str
    published_at: float


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    bulletin_id: int
    agent_id: str
    agent_name: str
    read_at: float | None
    acked_at: float | None
    answer: str | None


@dataclass(frozen=True, slots=True)
class QuestionRow:
    id: int
    bulletin_id: int
    agent_id: str
    text: str
    asked_at: float
    answer: str | None
    answered_by: str | None
    answered_at: float | None


def _bulletin(r: RowMapping) -> BulletinRow:
    values = {name: r[name] for name in _BULLETIN_FIELDS}
    values["campaigns"] = json.loads(r["campaigns"])
    values["skills"] = json.loads(r["skills"])
    values["mandatory"] = bool(r["mandatory"])
    return BulletinRow(**values)


def bulletin(bind: Bind, ident: int) -> BulletinRow | None:
    b = t.bulletins
    with connected(bind) as conn:
        row = conn.execute(select(b).where(b.c.id == ident)).mappings().first()
    return _bulletin(row) if row is not None else None


def bulletins(
    bind: Bind, *, clients: Collection[str] | None, firm_wide: bool, limit: int = 200
) -> list[BulletinRow]:
    """Newest first: of ``clients`` (None: all), and the firm's own if ``firm_wide``."""
    b = t.bulletins
    query = select(b)
    if clients is not None:
        scope = b.c.client_id.in_(sorted(clients))
        query = query.where(or_(scope, b.c.client_id.is_(None)) if firm_wide else scope)
    elif not firm_wide:
        query = query.where(b.c.client_id.is_not(None))
    with connected(bind) as conn:
        rows = conn.execute(query.order_by(b.c.id.desc()).limit(limit)).mappings()
        return [_bulletin(r) for r in rows]


def receipts(
    bind: Bind, bulletin_id: int, *, limit: int | None = None, offset: int = 0
) -> list[ReceiptRow]:
    """Agents the bulletin went to, with where they are with it, by agent id (a page of
    ``limit`` from ``offset``, or all)."""
    r, ag = t.bulletin_receipts, t.agents
    query = (
        select(r.c.bulletin_id, r.c.agent_id, ag.c.name, r.c.read_at, r.c.acked_at, r.c.answer)
        .join(ag, ag.c.id == r.c.agent_id)
        .where(r.c.bulletin_id == bulletin_id)
        .order_by(r.c.agent_id)
        .offset(offset)
        .limit(limit)
    )
    with connected(bind) as conn:
        # Plain tuples: a floor of thousands of agents is read on every refresh.
        return [ReceiptRow(*row) for row in conn.execute(query)]


def receipt_counts(bind: Bind, bulletin_id: int, *, due_at: float, now: float) -> dict[str, int]:
    """How many of the agents the bulletin went to are at each step, and overdue (as
    ``knowledge.bulletins.progress`` and ``overdue`` decide), in one aggregate."""
    r = t.bulletin_receipts
    answered = and_(r.c.answer.is_not(None), r.c.answer != "")
    acked = and_(~answered, r.c.acked_at.is_not(None))
    read = and_(~answered, r.c.acked_at.is_(None), r.c.read_at.is_not(None))
    unread = and_(~answered, r.c.acked_at.is_(None), r.c.read_at.is_(None))
    late = r.c.acked_at.is_(None) if now > due_at else false()

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = select(
        func.count(),
        count(unread),
        count(read),
        count(acked),
        count(answered),
        count(late),
    ).where(r.c.bulletin_id == bulletin_id)
    with connected(bind) as conn:
        total, *steps = conn.execute(query).one()
    names = ("unread", "read", "acknowledged", "answered", "overdue")
    return {name: int(n) for name, n in zip(names, steps, strict=True)} | {"total": int(total)}


def receipt(bind: Bind, bulletin_id: int, agent: str) -> ReceiptRow | None:
    for row in agent_receipts(bind, agent, bulletin_id):
        return row[1]
    return None


def agent_bulletins(bind: Bind, agent: str) -> list[tuple[BulletinRow, ReceiptRow]]:
    """The bulletins sent to ``agent``, newest first, each with the agent's receipt."""
    return agent_receipts(bind, agent, None)


def agent_receipts(
    bind: Bind, agent: str, bulletin_id: int | None
) -> list[tuple[BulletinRow, ReceiptRow]]:
    b, r = t.bulletins, t.bulletin_receipts
    query = (
        select(
            b,
            r.c.agent_id,
            r.c.read_at,
            r.c.acked_at,
            r.c.answer,
        )
        .join(r, and_(r.c.bulletin_id == b.c.id, r.c.agent_id == agent))
        .order_by(b.c.id.desc())
        .limit(200)
    )
    if bulletin_id is not None:
        query = query.where(b.c.id == bulletin_id)
    out = []
    with connected(bind) as conn:
        for row in conn.execute(query).mappings():
            receipt = ReceiptRow(
                row["id"], agent, "", row["read_at"], row["acked_at"], row["answer"]
            )
            out.append((_bulletin(row), receipt))
    return out


def unacknowledged_mandatory(bind: Bind, agent: str) -> list[str]:
    """Titles of the mandatory bulletins ``agent`` has not acknowledged, oldest first."""
    b, r = t.bulletins, t.bulletin_receipts
    query = (
        select(b.c.title)
        .join(r, r.c.bulletin_id == b.c.id)
        .where(r.c.agent_id == agent, r.c.acked_at.is_(None), b.c.mandatory.is_(True))
        .order_by(b.c.id)
    )
    with connected(bind) as conn:
        return [title for (title,) in conn.execute(query)]


def questions(bind: Bind, bulletin_id: int) -> list[QuestionRow]:
    q = t.bulletin_questions
    query = select(q).where(q.c.bulletin_id == bulletin_id).order_by(q.c.id)
    with connected(bind) as conn:
        return [QuestionRow(**dict(r)) for r in conn.execute(query).mappings()]


def question(bind: Bind, ident: int) -> QuestionRow | None:
    q = t.bulletin_questions
    with connected(bind) as conn:
        row = conn.execute(select(q).where(q.c.id == ident)).mappings().first()
    return QuestionRow(**dict(row)) if row is not None else None


def ack_before_ready(bind: Bind) -> bool:
    s = t.knowledge_settings
    with connected(bind) as conn:
        value = conn.execute(select(s.c.ack_before_ready).where(s.c.id == 1)).scalar()
    return bool(value)


def agent_skills(bind: Bind, agent: str) -> frozenset[str]:
    """The skills an article's or bulletin's audience is matched on."""
    s = t.agent_skills
    with connected(bind) as conn:
        found = conn.execute(select(s.c.skill_id).where(s.c.agent_id == agent)).scalars()
        return frozenset(str(x) for x in found)
