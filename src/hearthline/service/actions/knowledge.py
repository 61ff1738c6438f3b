"""Articles and bulletins: every write with its audit record, in one transaction.

An article's save writes the article, its new version (who, when, why), its row in the
full-text index on SQLite (PostgreSQL indexes the row itself) and the words the typo
fallback may correct to. A bulletin's publication resolves its audience into one receipt
per agent, so who it went to is fixed when it is sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection

from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from hearthline.knowledge import bulletins as kb
from hearthline.knowledge import search as ks
from hearthline.knowledge.articles import ArticleDraft, check_draft
from hearthline.knowledge.errors import KnowledgeError
from hearthline.knowledge.render import plain, to_html
from hearthline.service.actions.audit import Actor, record, transaction
from hearthline.service.errors import BadCommand, Conflict, NotFound
from hearthline.store import tables as t
from hearthline.store.queries import knowledge as q
from hearthline.store.queries.knowledge import ArticleRow, BulletinRow, QuestionRow
from hearthline.store.tables.knowledge import scope_token


def _refused(exc: KnowledgeError) -> BadCommand:
    return BadCommand(str(exc))


def _campaign_clients(conn: Connection) -> dict[str, str]:
    c = t.campaigns
    return {str(i): str(cl) for i, cl in conn.execute(select(c.c.id, c.c.client_id))}


def _skills(conn: Connection) -> frozenset[str]:
    return frozenset(str(s) for s in conn.execute(select(t.skills.c.id)).scalars())


def _client_exists(conn: Connection, client: str) -> bool:
    return conn.execute(select(t.clients.c.id).where(t.clients.c.id == client)).first() is not None


# Articles ----------------------------------------------------------------------------------


def save_article(
    engine: Engine,
    who: Actor,
    *,
    at: float,
    draft: ArticleDraft,
    article_id: int | None = None,
    expected_version: int | None = None,
    editable: Callable[[str], bool] = lambda _client: True,
    from_bulletin: int | None = None,
) -> ArticleRow:
    """Creates an article (``article_id`` None) or saves its next version. A save based
    on another version than the stored one is refused (someone saved meanwhile)."""
    a = t.knowledge_articles
    with transaction(engine) as conn:
        if not _client_exists(conn, draft.client) or not editable(draft.client):
            raise NotFound("client", draft.client)
        try:
            clean = check_draft(
                draft, campaign_clients=_campaign_clients(conn), skills=_skills(conn)
            )
        except KnowledgeError as exc:
            raise _refused(exc) from None
        before = q.article(conn, article_id) if article_id is not None else None
        if article_id is not None and (before is None or not editable(before.client_id)):
            raise NotFound("article", article_id)
        if (
            before is not None
            and expected_version is not None
            and before.version != expected_version
        ):
            raise Conflict(
                f"article {article_id} is at version {before.version}, not {expected_version}: "
                "someone saved it meanwhile; reload it and apply your change again"
            )
        body_text = plain(clean.body)
        values = {
            "client_id": clean.client,
            "title": clean.title,
            "body": clean.body,
            "html": to_html(clean.body),
            "plain": body_text,
            "tags": "\n".join(clean.tags),
            "campaigns": json.dumps(list(clean.campaigns)),
            "skills": json.dumps(list(clean.skills)),
            "owner": clean.owner or who.username,
            "review_at": clean.review_at,
            "expires_at": clean.expires_at,
            "updated_at": at,
            "updated_by": who.username,
        }
        if before is None:
            version = 1
            ident = conn.execute(
                insert(a)
                .values(**values, version=1, created_at=at, bulletin_id=from_bulletin)
                .returning(a.c.id)
            ).scalar_one()
        else:
            ident, version = before.id, before.version + 1
            conn.execute(update(a).where(a.c.id == ident).values(**values, version=version))
        conn.execute(
            insert(t.knowledge_versions).values(
                article_id=ident,
                version=version,
                title=clean.title,
                body=clean.body,
                changed_by=who.username,
                changed_at=at,
                note=clean.note,
            )
        )
        _index(conn, ident, clean.client, clean.title, " ".join(clean.tags), body_text)
        after = q.article(conn, ident)
        assert after is not None
        record(
            conn,
            who,
            at=at,
            action="knowledge.article.save",
            target=f"article {ident} v{version}",
            before=_summary(before),
            after=_summary(after),
        )
    return after


def set_archived(
    engine: Engine,
    who: Actor,
    *,
    at: float,
    article_id: int,
    archived: bool,
    editable: Callable[[str], bool] = lambda _client: True,
) -> ArticleRow:
    a = t.knowledge_articles
    with transaction(engine) as conn:
        before = q.article(conn, article_id)
        if before is None or not editable(before.client_id):
            raise NotFound("article", article_id)
        conn.execute(
            update(a)
            .where(a.c.id == article_id)
            .values(archived=archived, updated_at=at, updated_by=who.username)
        )
        after = q.article(conn, article_id)
        assert after is not None
        action = "knowledge.article.archive" if archived else "knowledge.article.restore"
        record(conn, who, at=at, action=action, target=f"article {article_id}",
               before=_summary(before), after=_summary(after))  # fmt: skip
    return after


def _summary(row: ArticleRow | None) -> object:
    if row is None:
        return None
    return {
        "client": row.client_id,
        "title": row.title,
        "version": row.version,
        "campaigns": row.campaigns,
        "skills": row.skills,
        "owner": row.owner,
        "review_at": row.review_at,
        "expires_at": row.expires_at,
        "archived": row.archived,
    }


def _index(conn: Connection, ident: int, client: str, title: str, tags: str, body: str) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text("DELETE FROM knowledge_fts WHERE rowid = :id"), {"id": ident})
        conn.execute(
            text(
                "INSERT INTO knowledge_fts (rowid, title, tags, plain, scope) "
                "VALUES (:id, :title, :tags, :plain, :scope)"
            ),
            {
                "id": ident,
                "title": title,
                "tags": tags,
                "plain": body,
                "scope": scope_token(client),
            },
        )
    add_terms(conn, client, ks.index_terms(title, tags, body))


def add_terms(conn: Connection, client: str, terms: Collection[str]) -> None:
    """The words the typo fallback may correct to; kept when an article changes (an old
    word only costs a search that finds nothing better)."""
    k = t.knowledge_terms
    if not terms:
        return
    known = set(
        conn.execute(
            select(k.c.term).where(k.c.client_id == client, k.c.term.in_(sorted(terms)))
        ).scalars()
    )
    new = sorted(set(terms) - known)
    if new:
        conn.execute(insert(k), [{"client_id": client, "term": w} for w in new])


# Bulletins ---------------------------------------------------------------------------------


def _profiles(conn: Connection) -> list[kb.AgentProfile]:
    ag, ac, ask, c = t.agents, t.agent_campaigns, t.agent_skills, t.campaigns
    campaigns: dict[str, set[str]] = {}
    clients: dict[str, set[str]] = {}
    skills: dict[str, set[str]] = {}
    active = [
        str(a) for a in conn.execute(select(ag.c.id).where(ag.c.retired_at.is_(None))).scalars()
    ]
    for agent, campaign, client in conn.execute(
        select(ac.c.agent_id, ac.c.campaign_id, c.c.client_id).join(c, c.c.id == ac.c.campaign_id)
    ):
        campaigns.setdefault(agent, set()).add(campaign)
        clients.setdefault(agent, set()).add(client)
    for agent, skill in conn.execute(select(ask.c.agent_id, ask.c.skill_id)):
        skills.setdefault(agent, set()).add(skill)
    return [
        kb.AgentProfile(
            a,
            frozenset(clients.get(a, ())),
            frozenset(campaigns.get(a, ())),
            frozenset(skills.get(a, ())),
        )
        for a in active
    ]


def publish_bulletin(
    engine: Engine, who: Actor, *, at: float, draft: kb.BulletinDraft
) -> tuple[BulletinRow, list[str]]:
    """Stores the bulletin and a receipt for each agent of its audience; returns both."""
    b = t.bulletins
    with transaction(engine) as conn:
        if draft.client is not None and not _client_exists(conn, draft.client):
            raise NotFound("client", draft.client)
        try:
            clean = kb.check_draft(
                draft, now=at, campaign_clients=_campaign_clients(conn), skills=_skills(conn)
            )
        except KnowledgeError as exc:
            raise _refused(exc) from None
        agents = kb.recipients(clean, _profiles(conn))
        if not agents:
            raise Conflict("no agent is in this audience: the bulletin would reach no one")
        ident = conn.execute(
            insert(b)
            .values(
                client_id=clean.client,
                title=clean.title,
                body=clean.body,
                html=to_html(clean.body),
                question=clean.question,
                mandatory=clean.mandatory,
                due_at=clean.due_at,
                campaigns=json.dumps(list(clean.campaigns)),
                skills=json.dumps(list(clean.skills)),
                published_by=who.username,
                published_at=at,
            )
            .returning(b.c.id)
        ).scalar_one()
        conn.execute(
            insert(t.bulletin_receipts), [{"bulletin_id": ident, "agent_id": a} for a in agents]
        )
        row = q.bulletin(conn, ident)
        assert row is not None
        record(conn, who, at=at, action="knowledge.bulletin.publish", target=f"bulletin {ident}",
               after={"title": row.title, "client": row.client_id, "agents": len(agents),
                      "mandatory": row.mandatory, "due_at": row.due_at})  # fmt: skip
    return row, agents


def mark_read(engine: Engine, *, at: float, bulletin_id: int, agent: str) -> None:
    """The first time the agent opened it; later openings change nothing."""
    r = t.bulletin_receipts
    with transaction(engine) as conn:
        _receipt_or_404(conn, bulletin_id, agent)
        conn.execute(
            update(r)
            .where(r.c.bulletin_id == bulletin_id, r.c.agent_id == agent, r.c.read_at.is_(None))
            .values(read_at=at)
        )


def acknowledge(engine: Engine, *, at: float, bulletin_id: int, agent: str, answer: str) -> None:
    """Read and acknowledged, with the answer to its check question if it asks one. A
    second acknowledgement is refused: the first one, and its answer, stand."""
    r = t.bulletin_receipts
    with transaction(engine) as conn:
        bulletin, receipt = _receipt_or_404(conn, bulletin_id, agent)
        if receipt.acked_at is not None:
            raise Conflict(f"bulletin {bulletin_id} is acknowledged already")
        try:
            answer = kb.check_acknowledgement(question=bulletin.question, answer=answer)
        except KnowledgeError as exc:
            raise _refused(exc) from None
        conn.execute(
            update(r)
            .where(r.c.bulletin_id == bulletin_id, r.c.agent_id == agent)
            .values(
                read_at=receipt.read_at if receipt.read_at is not None else at,
                acked_at=at,
                answer=answer or None,
            )
        )


def _receipt_or_404(
    conn: Connection, bulletin_id: int, agent: str
) -> tuple[BulletinRow, q.ReceiptRow]:
    pair = q.agent_receipts(conn, agent, bulletin_id)
    if not pair:
        raise NotFound("bulletin", bulletin_id)
    return pair[0]


def ask_question(
    engine: Engine, *, at: float, bulletin_id: int, agent: str, text_: str
) -> QuestionRow:
    qt = t.bulletin_questions
    with transaction(engine) as conn:
        _receipt_or_404(conn, bulletin_id, agent)
        ident = conn.execute(
            insert(qt)
            .values(bulletin_id=bulletin_id, agent_id=agent, text=text_, asked_at=at)
            .returning(qt.c.id)
        ).scalar_one()
        row = q.question(conn, ident)
    assert row is not None
    return row


def answer_question(
    engine: Engine,
    who: Actor,
    *,
    at: float,
    question_id: int,
    text_: str,
    visible: Callable[[BulletinRow], bool],
) -> QuestionRow:
    qt = t.bulletin_questions
    with transaction(engine) as conn:
        before = q.question(conn, question_id)
        bulletin = q.bulletin(conn, before.bulletin_id) if before is not None else None
        if before is None or bulletin is None or not visible(bulletin):
            raise NotFound("question", question_id)
        conn.execute(
            update(qt)
            .where(qt.c.id == question_id)
            .values(answer=text_, answered_by=who.username, answered_at=at)
        )
        row = q.question(conn, question_id)
        assert row is not None
        record(conn, who, at=at, action="knowledge.bulletin.answer",
               target=f"question {question_id} on bulletin {bulletin.id}",
               before=before.answer, after=text_)  # fmt: skip
    return row


def bulletin_to_article(
    engine: Engine,
    who: Actor,
    *,
    at: float,
    bulletin_id: int,
    client: str,
    visible: Callable[[BulletinRow], bool],
) -> ArticleRow:
    """A new article with the bulletin's title, body and audience, for ``client``."""
    bulletin = q.bulletin(engine, bulletin_id)
    if bulletin is None or not visible(bulletin):
        raise NotFound("bulletin", bulletin_id)
    if bulletin.client_id is not None and bulletin.client_id != client:
        raise Conflict(f"bulletin {bulletin_id} belongs to client {bulletin.client_id!r}")
    draft = ArticleDraft(
        client=client,
        title=bulletin.title,
        body=bulletin.body,
        campaigns=tuple(bulletin.campaigns) if bulletin.client_id is not None else (),
        skills=tuple(bulletin.skills),
        note=f"from bulletin {bulletin_id}",
    )
    return save_article(engine, who, at=at, draft=draft, from_bulletin=bulletin_id)


def set_ack_before_ready(engine: Engine, who: Actor, *, at: float, value: bool) -> bool:
    s = t.knowledge_settings
    with transaction(engine) as conn:
        before = q.ack_before_ready(conn)
        conn.execute(delete(s).where(s.c.id == 1))
        conn.execute(insert(s).values(id=1, ack_before_ready=value))
        record(conn, who, at=at, action="knowledge.settings", target="ack_before_ready",
               before=before, after=value)  # fmt: skip
    return value
