"""Articles and their search, in-context suggestions, bulletins and their receipts.

Reading: everyone signed in, within their clients (``scope.visible_clients``); agents
see only current articles meant for their campaigns and skills. Writing: administrators,
and supervisors within their client. The agent's own side (suggestions for the contact
in hand, their bulletins) is under ``/api/agent/``, where an agent acts only for itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from hearthline.api.deps import Admin, AgentCaller, AppContext, Ctx, Person, Staff
from hearthline.api.errors import ERROR_RESPONSES, conflict, forbidden, not_found
from hearthline.api.principal import Principal, Role
from hearthline.api.schemas.common import IDENT_PATTERN, ROW_ID_MAX
from hearthline.api.schemas.knowledge import (
    AcknowledgeIn,
    ArchiveIn,
    ArticleIn,
    ArticleOut,
    ArticleSummary,
    BulletinIn,
    BulletinOut,
    KnowledgeSettings,
    MyBulletin,
    Piece,
    PublishedOut,
    QuestionIn,
    QuestionOut,
    ReceiptsOut,
    SearchHit,
    ToArticleIn,
)
from hearthline.api.scope import client_visible, visible_clients
from hearthline.knowledge import bulletins as kb
from hearthline.knowledge import search as ks
from hearthline.knowledge.articles import ArticleDraft, status
from hearthline.service.actions import knowledge as actions
from hearthline.store.queries import knowledge as q
from hearthline.store.queries.knowledge import ArticleRow, BulletinRow

router = APIRouter(prefix="/api/knowledge", tags=["knowledge"], responses=ERROR_RESPONSES)
desk = APIRouter(prefix="/api/agent", tags=["knowledge"], responses=ERROR_RESPONSES)

RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
# The most receipts one request returns: the whole floor of a large firm.
RECEIPTS_PAGE_MAX = 5000
Typed = Annotated[str, Query(min_length=1, max_length=500)]
ClientQuery = Annotated[str | None, Query(pattern=IDENT_PATTERN)]


def _summary(row: ArticleRow, now: float) -> ArticleSummary:
    return ArticleSummary(
        **{name: getattr(row, name) for name in ArticleSummary.model_fields if name != "status"},
        status=status(
            archived=row.archived, review_at=row.review_at, expires_at=row.expires_at, now=now
        ),
    )


def _article(row: ArticleRow, now: float) -> ArticleOut:
    s = _summary(row, now)
    return ArticleOut(
        **s.model_dump(),
        body=row.body,
        html=row.html,
        created_at=row.created_at,
        bulletin_id=row.bulletin_id,
    )


def _pieces(marked: str) -> list[Piece]:
    return [Piece(text=text, hit=hit) for text, hit in ks.segments(marked)]


async def _audience(ctx: AppContext, me: Principal) -> tuple[frozenset[str], frozenset[str]]:
    agent = me.agent_id or ""
    campaigns = ctx.directory.agent_campaigns.get(agent, frozenset())
    return campaigns, await ctx.db(q.agent_skills, ctx.engine, agent)


def _clients(ctx: AppContext, me: Principal, client: str | None) -> frozenset[str] | None:
    """The clients a read covers: the one asked for (if visible) or all visible ones."""
    visible = visible_clients(ctx.directory, me)
    if client is None:
        return visible
    if visible is not None and client not in visible:
        raise not_found("client", client)
    return frozenset({client})


async def _readable(ctx: AppContext, me: Principal, ident: int) -> ArticleRow:
    row = await ctx.db(q.article, ctx.engine, ident)
    if row is None or not client_visible(ctx.directory, me, row.client_id):
        raise not_found("article", ident)
    if me.role is Role.AGENT:
        campaigns, skills = await _audience(ctx, me)
        current = status(
            archived=row.archived, review_at=None, expires_at=row.expires_at, now=ctx.now()
        )
        if str(current) != "current" or not row.audience.reaches(
            campaigns=campaigns, skills=skills
        ):
            raise not_found("article", ident)
    return row


def _editable(ctx: AppContext, me: Principal) -> Callable[[str], bool]:
    return lambda client: client_visible(ctx.directory, me, client)


# Reading ----------------------------------------------------------------------------------


@router.get("/search", response_model=list[SearchHit])
async def search(
    me: Person,
    ctx: Ctx,
    q_: Annotated[str, Query(alias="q", min_length=1, max_length=500)],
    client_id: ClientQuery = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[SearchHit]:
    """Full-text search with highlights, tolerant of typos and unfinished words."""
    clients = _clients(ctx, me, client_id)
    audience = await _audience(ctx, me) if me.role is Role.AGENT else None
    hits = await ctx.db(
        q.search,
        ctx.engine,
        q_,
        clients=clients,
        limit=limit,
        now=ctx.now(),
        current_only=me.role is Role.AGENT,
        audience=audience,
    )
    now = ctx.now()
    return [
        SearchHit(
            article=_summary(h.article, now),
            title=_pieces(h.title_marked),
            snippet=_pieces(h.snippet_marked),
        )
        for h in hits
    ]


@router.get("/articles", response_model=list[ArticleSummary])
async def list_articles(
    me: Person,
    ctx: Ctx,
    client_id: ClientQuery = None,
    archived: bool = False,
) -> list[ArticleSummary]:
    clients = _clients(ctx, me, client_id)
    staff = me.role in (Role.ADMIN, Role.SUPERVISOR)
    rows = await ctx.db(
        q.articles, ctx.engine, clients=clients, include_archived=archived and staff
    )
    now = ctx.now()
    out = [_summary(r, now) for r in rows]
    if me.role is Role.AGENT:
        campaigns, skills = await _audience(ctx, me)
        keep = {r.id for r in rows if r.audience.reaches(campaigns=campaigns, skills=skills)}
        out = [a for a in out if a.id in keep and a.status in ("current", "review-due")]
    return out


@router.get("/articles/{article_id}", response_model=ArticleOut)
async def get_article(article_id: RowId, me: Person, ctx: Ctx) -> ArticleOut:
    return _article(await _readable(ctx, me, article_id), ctx.now())


# Editing ----------------------------------------------------------------------------------


def _draft(body: ArticleIn) -> ArticleDraft:
    return ArticleDraft(
        client=body.client_id,
        title=body.title,
        body=body.body,
        campaigns=tuple(body.campaigns),
        skills=tuple(body.skills),
        tags=tuple(body.tags),
        owner=body.owner,
        review_at=body.review_at,
        expires_at=body.expires_at,
        note=body.note,
    )


@router.get("/articles/{article_id}/versions", response_model=list[dict[str, object]])
async def article_versions(article_id: RowId, me: Staff, ctx: Ctx) -> list[dict[str, object]]:
    """Every version, newest first: who changed it, when, and why."""
    await _readable(ctx, me, article_id)
    rows = await ctx.db(q.versions, ctx.engine, article_id)
    return [
        {
            "version": v.version,
            "title": v.title,
            "body": v.body,
            "changed_by": v.changed_by,
            "changed_at": v.changed_at,
            "note": v.note,
        }
        for v in rows
    ]


@router.post("/articles", response_model=ArticleOut, status_code=201)
async def create_article(body: ArticleIn, me: Staff, ctx: Ctx) -> ArticleOut:
    row = await ctx.db(
        actions.save_article,
        ctx.engine,
        me,
        at=ctx.now(),
        draft=_draft(body),
        editable=_editable(ctx, me),
    )
    return _article(row, ctx.now())


@router.put("/articles/{article_id}", response_model=ArticleOut)
async def save_article(article_id: RowId, body: ArticleIn, me: Staff, ctx: Ctx) -> ArticleOut:
    """The next version; with ``version`` set, refused if someone saved meanwhile."""
    row = await ctx.db(
        actions.save_article,
        ctx.engine,
        me,
        at=ctx.now(),
        draft=_draft(body),
        article_id=article_id,
        expected_version=body.version,
        editable=_editable(ctx, me),
    )
    return _article(row, ctx.now())


@router.post("/articles/{article_id}/archive", response_model=ArticleOut)
async def archive_article(article_id: RowId, body: ArchiveIn, me: Staff, ctx: Ctx) -> ArticleOut:
    row = await ctx.db(
        actions.set_archived,
        ctx.engine,
        me,
        at=ctx.now(),
        article_id=article_id,
        archived=body.archived,
        editable=_editable(ctx, me),
    )
    return _article(row, ctx.now())


# Bulletins (staff) ------------------------------------------------------------------------


def _bulletin_visible(ctx: AppContext, me: Principal) -> Callable[[BulletinRow], bool]:
    def visible(b: BulletinRow) -> bool:
        return (
            me.firm_wide if b.client_id is None else client_visible(ctx.directory, me, b.client_id)
        )

    return visible


def _bulletin_out(row: BulletinRow) -> BulletinOut:
    return BulletinOut.model_validate(row, from_attributes=True)


async def _staff_bulletin(ctx: AppContext, me: Principal, ident: int) -> BulletinRow:
    row = await ctx.db(q.bulletin, ctx.engine, ident)
    if row is None or not _bulletin_visible(ctx, me)(row):
        raise not_found("bulletin", ident)
    return row


@router.get("/bulletins", response_model=list[BulletinOut])
async def list_bulletins(me: Staff, ctx: Ctx) -> list[BulletinOut]:
    clients = visible_clients(ctx.directory, me)
    rows = await ctx.db(q.bulletins, ctx.engine, clients=clients, firm_wide=me.firm_wide)
    return [_bulletin_out(r) for r in rows]


@router.post("/bulletins", response_model=PublishedOut, status_code=201)
async def publish(body: BulletinIn, me: Staff, ctx: Ctx) -> PublishedOut:
    """Sends the bulletin to every agent of its audience, on their streams at once."""
    if body.client_id is None and not me.firm_wide:
        raise forbidden("a bulletin to every client company needs a firm-wide role")
    if body.client_id is not None and not client_visible(ctx.directory, me, body.client_id):
        raise not_found("client", body.client_id)
    draft = kb.BulletinDraft(
        client=body.client_id,
        title=body.title,
        body=body.body,
        due_at=body.due_at,
        mandatory=body.mandatory,
        question=body.question,
        campaigns=tuple(body.campaigns),
        skills=tuple(body.skills),
    )
    row, agents = await ctx.db(actions.publish_bulletin, ctx.engine, me, at=ctx.now(), draft=draft)
    out = _bulletin_out(row)
    ctx.hub.notify_agents({"type": "bulletin", "bulletin": out.model_dump()}, agents)
    return PublishedOut(**out.model_dump(), agents=len(agents))


@router.get("/bulletins/{bulletin_id}/receipts", response_model=ReceiptsOut)
async def receipts(
    bulletin_id: RowId,
    me: Staff,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=RECEIPTS_PAGE_MAX)] = RECEIPTS_PAGE_MAX,
    offset: Annotated[int, Query(ge=0, le=ROW_ID_MAX)] = 0,
) -> Response:
    """Per agent it went to (by agent id, ``limit`` from ``offset``): read, acknowledged,
    answered, overdue; and the totals over all of them."""
    row = await _staff_bulletin(ctx, me, bulletin_id)
    now = ctx.now()
    counts = await ctx.db(q.receipt_counts, ctx.engine, bulletin_id, due_at=row.due_at, now=now)
    rows = await ctx.db(q.receipts, ctx.engine, bulletin_id, limit=limit, offset=offset)
    # Written straight to JSON in the shape of ReceiptsOut: checking thousands of rows
    # built here, field by field, cost more than reading them.
    out = {
        "bulletin": _bulletin_out(row).model_dump(mode="json"),
        "counts": counts,
        "receipts": [
            {
                "agent_id": r.agent_id,
                "agent_name": r.agent_name,
                "progress": kb.progress(
                    read_at=r.read_at, acked_at=r.acked_at, answered=bool(r.answer)
                ).value,
                "read_at": r.read_at,
                "acked_at": r.acked_at,
                "answer": r.answer,
                "overdue": kb.overdue(acked_at=r.acked_at, due_at=row.due_at, now=now),
            }
            for r in rows
        ],
    }
    return Response(json.dumps(out, ensure_ascii=False), media_type="application/json")


@router.get("/bulletins/{bulletin_id}/questions", response_model=list[QuestionOut])
async def staff_questions(bulletin_id: RowId, me: Staff, ctx: Ctx) -> list[QuestionOut]:
    await _staff_bulletin(ctx, me, bulletin_id)
    rows = await ctx.db(q.questions, ctx.engine, bulletin_id)
    return [QuestionOut.model_validate(r, from_attributes=True) for r in rows]


@router.post("/questions/{question_id}/answer", response_model=QuestionOut)
async def answer_question(question_id: RowId, body: QuestionIn, me: Staff, ctx: Ctx) -> QuestionOut:
    """The answer goes to everyone the bulletin went to."""
    row = await ctx.db(
        actions.answer_question,
        ctx.engine,
        me,
        at=ctx.now(),
        question_id=question_id,
        text_=body.text,
        visible=_bulletin_visible(ctx, me),
    )
    out = QuestionOut.model_validate(row, from_attributes=True)
    agents = [r.agent_id for r in await ctx.db(q.receipts, ctx.engine, row.bulletin_id)]
    ctx.hub.notify_agents({"type": "bulletin-question", "question": out.model_dump()}, agents)
    return out


@router.post("/bulletins/{bulletin_id}/article", response_model=ArticleOut, status_code=201)
async def to_article(bulletin_id: RowId, body: ToArticleIn, me: Staff, ctx: Ctx) -> ArticleOut:
    """A new article from the bulletin (its title, body and audience)."""
    if not client_visible(ctx.directory, me, body.client_id):
        raise not_found("client", body.client_id)
    row = await ctx.db(
        actions.bulletin_to_article,
        ctx.engine,
        me,
        at=ctx.now(),
        bulletin_id=bulletin_id,
        client=body.client_id,
        visible=_bulletin_visible(ctx, me),
    )
    return _article(row, ctx.now())


@router.get("/settings", response_model=KnowledgeSettings)
async def get_settings(me: Staff, ctx: Ctx) -> KnowledgeSettings:
    return KnowledgeSettings(ack_before_ready=await ctx.db(q.ack_before_ready, ctx.engine))


@router.put("/settings", response_model=KnowledgeSettings)
async def put_settings(body: KnowledgeSettings, me: Admin, ctx: Ctx) -> KnowledgeSettings:
    """Whether agents must acknowledge mandatory bulletins before going ready."""
    value = await ctx.db(
        actions.set_ack_before_ready, ctx.engine, me, at=ctx.now(), value=body.ack_before_ready
    )
    return KnowledgeSettings(ack_before_ready=value)


# The agent's side -------------------------------------------------------------------------


def _me(me: Principal) -> str:
    if me.agent_id is None:
        raise forbidden("this user is not linked to an agent")
    return me.agent_id


@desk.get("/suggestions", response_model=list[SearchHit])
async def suggestions(
    me: AgentCaller,
    ctx: Ctx,
    text: Annotated[str, Query(max_length=4000)] = "",
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[SearchHit]:
    """Articles for the contact in hand: of its client only, meant for its campaign, and
    matching what the notes and form say so far (the campaign's own articles when they
    say nothing yet). No contact in hand: nothing."""
    agent = _me(me)
    contact = await ctx.query(lambda r: r.agent(agent).contact if agent in r.agent_ids() else None)
    if contact is None:
        return []
    queue = await ctx.query(lambda r: r.contact(contact).queue)
    client = ctx.tenancy.client_of_contact(contact) or ctx.directory.queue_client(queue)
    campaign = ctx.directory.queue_campaign.get(queue) if queue is not None else None
    if client is None or campaign is None:
        return []
    _, skills = await _audience(ctx, me)
    now = ctx.now()
    words = " ".join(ks.words(text)[-40:])
    hits: list[SearchHit] = []
    if words:
        found = await ctx.db(
            q.search,
            ctx.engine,
            words,
            clients=[client],
            limit=limit,
            now=now,
            current_only=True,
            audience=([campaign], skills),
        )
        hits = [
            SearchHit(
                article=_summary(h.article, now),
                title=_pieces(h.title_marked),
                snippet=_pieces(h.snippet_marked),
            )
            for h in found
        ]
    if not hits:
        rows = await ctx.db(q.articles, ctx.engine, clients=[client], limit=200)
        rows = [
            r
            for r in rows
            if campaign in r.campaigns
            and r.audience.reaches(campaigns=[campaign], skills=skills)
            and (r.expires_at is None or r.expires_at > now)
        ]
        hits = [
            SearchHit(article=_summary(r, now), title=[Piece(text=r.title, hit=False)], snippet=[])
            for r in rows[:limit]
        ]
    return hits


def _mine(pair: tuple[BulletinRow, q.ReceiptRow], now: float) -> MyBulletin:
    b, r = pair
    return MyBulletin(
        **_bulletin_out(b).model_dump(),
        read_at=r.read_at,
        acked_at=r.acked_at,
        answer=r.answer,
        overdue=kb.overdue(acked_at=r.acked_at, due_at=b.due_at, now=now),
    )


@desk.get("/bulletins", response_model=list[MyBulletin])
async def my_bulletins(me: AgentCaller, ctx: Ctx) -> list[MyBulletin]:
    rows = await ctx.db(q.agent_bulletins, ctx.engine, _me(me))
    now = ctx.now()
    return [_mine(p, now) for p in rows]


async def _my_bulletin(ctx: AppContext, agent: str, ident: int) -> MyBulletin:
    pairs = await ctx.db(q.agent_receipts, ctx.engine, agent, ident)
    if not pairs:
        raise not_found("bulletin", ident)
    return _mine(pairs[0], ctx.now())


@desk.post("/bulletins/{bulletin_id}/read", response_model=MyBulletin)
async def read_bulletin(bulletin_id: RowId, me: AgentCaller, ctx: Ctx) -> MyBulletin:
    agent = _me(me)
    await ctx.db(actions.mark_read, ctx.engine, at=ctx.now(), bulletin_id=bulletin_id, agent=agent)
    return await _my_bulletin(ctx, agent, bulletin_id)


@desk.post("/bulletins/{bulletin_id}/acknowledge", response_model=MyBulletin)
async def acknowledge(
    bulletin_id: RowId, body: AcknowledgeIn, me: AgentCaller, ctx: Ctx
) -> MyBulletin:
    """Read and understood, with the answer to the check question if it asks one."""
    agent = _me(me)
    await ctx.db(
        actions.acknowledge,
        ctx.engine,
        at=ctx.now(),
        bulletin_id=bulletin_id,
        agent=agent,
        answer=body.answer,
    )
    return await _my_bulletin(ctx, agent, bulletin_id)


@desk.get("/bulletins/{bulletin_id}/questions", response_model=list[QuestionOut])
async def bulletin_questions(bulletin_id: RowId, me: AgentCaller, ctx: Ctx) -> list[QuestionOut]:
    """Everyone's questions on it and the answers: everyone it went to sees them."""
    await _my_bulletin(ctx, _me(me), bulletin_id)
    rows = await ctx.db(q.questions, ctx.engine, bulletin_id)
    return [QuestionOut.model_validate(r, from_attributes=True) for r in rows]


@desk.post("/bulletins/{bulletin_id}/questions", response_model=QuestionOut, status_code=201)
async def ask(bulletin_id: RowId, body: QuestionIn, me: AgentCaller, ctx: Ctx) -> QuestionOut:
    agent = _me(me)
    row = await ctx.db(
        actions.ask_question,
        ctx.engine,
        at=ctx.now(),
        bulletin_id=bulletin_id,
        agent=agent,
        text_=body.text,
    )
    if row is None:
        raise conflict("the question was not stored")
    return QuestionOut.model_validate(row, from_attributes=True)
