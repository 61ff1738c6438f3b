"""Administration: client companies, campaigns, queues, skills, agents, users, reasons,
outcomes and forms, numbers, API tokens, center settings; every change audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from hearthline.api import accounts, admin_store, audit
from hearthline.api.deps import Admin, AppContext, Ctx
from hearthline.api.errors import ERROR_RESPONSES, ApiError, conflict, not_found
from hearthline.api.principal import Principal
from hearthline.api.schemas import (
    IDENT_PATTERN,
    PHONE_PATTERN,
    AgentIn,
    AgentOut,
    AuditOut,
    CampaignIn,
    CampaignOut,
    ClientIn,
    ClientOut,
    FormsIn,
    FormsOut,
    NewTokenOut,
    NumberIn,
    NumberOut,
    QueueIn,
    QueueOut,
    ReasonOut,
    ReasonsIn,
    RoleName,
    ScriptIn,
    SettingsIn,
    SkillIn,
    SkillOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)
from hearthline.api.views import forms_of
from hearthline.crm.config import CampaignForms, Disposition, FieldKind, FormField
from hearthline.kernel.ids import AgentId, ReasonId
from hearthline.routing.config import SYSTEM_REASONS, CenterSettings, NotReadyReason
from hearthline.routing.errors import ConfigError
from hearthline.service.writer import Around
from hearthline.store import config_repo
from hearthline.store import tables as s
from hearthline.store import tables as t
from hearthline.store.log import StoredEvent

T = TypeVar("T")
router = APIRouter(prefix="/api/admin", tags=["admin"], responses=ERROR_RESPONSES)
IdPath = Annotated[str, Path(pattern=IDENT_PATTERN)]
UserIdPath = Annotated[int, Path(ge=1, le=2**31)]


async def _read(ctx: AppContext, fn: Callable[[Connection], T]) -> T:
    def run() -> T:
        with ctx.engine.connect() as conn:
            return fn(conn)

    return await ctx.db(run)


async def _write(ctx: AppContext, fn: Callable[[Connection], T]) -> T:
    def run() -> T:
        with ctx.engine.begin() as conn:
            return fn(conn)

    try:
        return await ctx.db(run)
    except IntegrityError as exc:
        raise conflict(f"refused by the database: {str(exc.orig)[:300]}") from None


def _audited(
    ctx: AppContext,
    me: Principal,
    action: str,
    target: str,
    read: Callable[[Connection], Any],
) -> Around:
    """A change with its audit record, in the change's own transaction: ``read`` (the
    stored value, as JSON data) before the change and after it, so the record says what
    the change replaced and what it left, and neither is stored without the other."""
    now = ctx.now()

    def around(conn: Connection, change: Callable[[Connection], None]) -> None:
        before = read(conn)
        change(conn)
        audit.record(
            conn, me, at=now, action=action, target=target, before=before, after=read(conn)
        )

    return around


async def _routed(
    ctx: AppContext,
    me: Principal,
    update: Callable[..., list[StoredEvent]],
    config: object,
    action: str,
    target: str,
    read: Callable[[Connection], list[Any]],
) -> None:
    """A routed change (the core, the log and the tables at once) with its audit record."""

    def one(conn: Connection) -> Any:
        found = read(conn)
        return _dump(found[0]) if found else None

    record = _audited(ctx, me, action, target, one)
    _follow(ctx, await ctx.db(update, config, around=record))


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json") if model is not None else None


def _follow(ctx: AppContext, stored: list[StoredEvent]) -> None:
    for item in stored:
        ctx.directory.follow(item.event)


def _first(items: list[T], what: str, ident: object) -> T:
    if not items:
        raise not_found(what, ident)
    return items[0]


# Clients ----------------------------------------------------------------------------------------


@router.get("/clients", response_model=list[ClientOut])
async def list_clients(me: Admin, ctx: Ctx) -> list[ClientOut]:
    return await _read(ctx, admin_store.clients)


@router.put("/clients/{client_id}", response_model=ClientOut)
async def put_client(client_id: IdPath, body: ClientIn, me: Admin, ctx: Ctx) -> ClientOut:
    """Creates or renames a client company."""
    now = ctx.now()

    def write(conn: Connection) -> ClientOut:
        firm = admin_store.firm_id(conn)
        if firm is None:
            raise conflict("no firm yet: run `hearthline init` first")
        before = next((c for c in admin_store.clients(conn) if c.id == client_id), None)
        config_repo.save_client(conn, client_id, firm=firm, name=body.name)
        after = ClientOut(id=client_id, name=body.name)
        audit.record(
            conn,
            me,
            at=now,
            action="client.put",
            target=client_id,
            before=_dump(before),
            after=_dump(after),
        )
        return after

    return await _write(ctx, write)


# Campaigns --------------------------------------------------------------------------------------


@router.get("/campaigns", response_model=list[CampaignOut])
async def list_campaigns(me: Admin, ctx: Ctx) -> list[CampaignOut]:
    return await _read(ctx, admin_store.campaigns)


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut)
async def get_campaign(campaign_id: IdPath, me: Admin, ctx: Ctx) -> CampaignOut:
    found = await _read(ctx, lambda c: admin_store.campaigns(c, ident=campaign_id))
    return _first(found, "campaign", campaign_id)


@router.put("/campaigns/{campaign_id}", response_model=CampaignOut)
async def put_campaign(campaign_id: IdPath, body: CampaignIn, me: Admin, ctx: Ctx) -> CampaignOut:
    """Creates or changes a campaign; routing uses the new policy at once."""
    if not await _read(ctx, lambda c: admin_store.client_exists(c, body.client_id)):
        raise not_found("client", body.client_id)
    before = await _read(ctx, lambda c: admin_store.campaigns(c, ident=campaign_id))
    if before and before[0].client_id != body.client_id:
        raise conflict(f"campaign {campaign_id!r} belongs to client {before[0].client_id!r}")
    await _routed(
        ctx,
        me,
        ctx.writer.update_campaign,
        admin_store.campaign_config(campaign_id, body),
        "campaign.put",
        campaign_id,
        lambda c: admin_store.campaigns(c, ident=campaign_id),
    )
    return CampaignOut(id=campaign_id, **body.model_dump())


# Queues -----------------------------------------------------------------------------------------


@router.get("/queues", response_model=list[QueueOut])
async def list_queues(me: Admin, ctx: Ctx) -> list[QueueOut]:
    return await _read(ctx, admin_store.queues)


@router.get("/queues/{queue_id}", response_model=QueueOut)
async def get_queue(queue_id: IdPath, me: Admin, ctx: Ctx) -> QueueOut:
    found = await _read(ctx, lambda c: admin_store.queues(c, ident=queue_id))
    return _first(found, "queue", queue_id)


@router.put("/queues/{queue_id}", response_model=QueueOut)
async def put_queue(queue_id: IdPath, body: QueueIn, me: Admin, ctx: Ctx) -> QueueOut:
    """Creates or changes a queue: requirement, escalation steps, limits, strategy..."""
    d = ctx.directory
    if body.campaign_id not in d.campaign_client:
        raise not_found("campaign", body.campaign_id)
    named = [o.queue for o in (body.on_full, body.on_max_wait) if o.queue]
    named += [st.overflow.queue for st in body.steps if st.overflow and st.overflow.queue]
    for other in named:
        if other not in d.queue_campaign and other != queue_id:
            raise not_found("queue", other)
    try:
        config = admin_store.queue_config(queue_id, body)
    except ConfigError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    before = await _read(ctx, lambda c: admin_store.queues(c, ident=queue_id))
    if before and before[0].campaign_id != body.campaign_id:
        raise conflict(f"queue {queue_id!r} belongs to campaign {before[0].campaign_id!r}")
    await _routed(
        ctx,
        me,
        ctx.writer.update_queue,
        config,
        "queue.put",
        queue_id,
        lambda c: admin_store.queues(c, ident=queue_id),
    )
    return QueueOut(id=queue_id, **body.model_dump())


# Skills -----------------------------------------------------------------------------------------


@router.get("/skills", response_model=list[SkillOut])
async def list_skills(me: Admin, ctx: Ctx) -> list[SkillOut]:
    return await _read(ctx, admin_store.skills)


@router.put("/skills/{skill_id}", response_model=SkillOut)
async def put_skill(skill_id: IdPath, body: SkillIn, me: Admin, ctx: Ctx) -> SkillOut:
    now = ctx.now()

    def write(conn: Connection) -> SkillOut:
        before = next((k for k in admin_store.skills(conn) if k.id == skill_id), None)
        config_repo.save_skill(conn, skill_id, name=body.name)
        after = SkillOut(id=skill_id, name=body.name)
        audit.record(
            conn,
            me,
            at=now,
            action="skill.put",
            target=skill_id,
            before=_dump(before),
            after=_dump(after),
        )
        return after

    return await _write(ctx, write)


# Agents -----------------------------------------------------------------------------------------


@router.get("/agents", response_model=list[AgentOut])
async def list_agents(me: Admin, ctx: Ctx) -> list[AgentOut]:
    return await _read(ctx, admin_store.agents)


@router.get("/agents/{agent_id}", response_model=AgentOut)
async def get_agent(agent_id: IdPath, me: Admin, ctx: Ctx) -> AgentOut:
    found = await _read(ctx, lambda c: admin_store.agents(c, ident=agent_id))
    return _first(found, "agent", agent_id)


@router.put("/agents/{agent_id}", response_model=AgentOut)
async def put_agent(agent_id: IdPath, body: AgentIn, me: Admin, ctx: Ctx) -> AgentOut:
    """Creates or changes an agent: skills with levels and campaign certifications."""
    unknown = sorted(c for c in body.campaigns if c not in ctx.directory.campaign_client)
    if unknown:
        raise not_found("campaign", ", ".join(unknown))
    try:
        profile = admin_store.agent_profile(agent_id, body)
    except ConfigError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    after = AgentOut(
        id=agent_id, name=body.name, skills=dict(body.skills), campaigns=sorted(set(body.campaigns))
    )
    await _routed(
        ctx,
        me,
        ctx.writer.update_agent,
        profile,
        "agent.put",
        agent_id,
        lambda c: admin_store.agents(c, ident=agent_id),
    )
    return after


@router.delete("/agents/{agent_id}", status_code=204)
async def retire_agent(agent_id: IdPath, me: Admin, ctx: Ctx) -> Response:
    """Retires an agent who left the firm: signed out first, and with no account that
    signs in as them. Their history stays; PUT brings them back."""

    def account_of(conn: Connection) -> str | None:
        if not admin_store.agents(conn, ident=agent_id):
            raise not_found("agent", agent_id)
        u = s.users
        found: str | None = conn.execute(
            select(u.c.username).where(u.c.agent_id == agent_id)
        ).scalar_one_or_none()
        return found

    account = await _read(ctx, account_of)
    if account is not None:
        raise conflict(
            f"the account {account!r} signs in as agent {agent_id!r}: "
            "delete it or link it to another agent first"
        )
    await _routed(
        ctx,
        me,
        ctx.writer.retire_agent,
        AgentId(agent_id),
        "agent.retire",
        agent_id,
        lambda c: admin_store.agents(c, ident=agent_id),
    )
    return Response(status_code=204)


# Reasons, forms, settings -----------------------------------------------------------------------


@router.put("/reasons", response_model=list[ReasonOut])
async def put_reasons(body: ReasonsIn, me: Admin, ctx: Ctx) -> list[ReasonOut]:
    """Replaces the firm's own not-ready reasons (the system ones are built in)."""
    ids = [r.id for r in body.reasons]
    system = sorted(set(ids) & {r.id for r in SYSTEM_REASONS})
    if system:
        raise ApiError(422, "invalid", f"system reasons are built in: {', '.join(system)}")
    if len(set(ids)) != len(ids):
        raise ApiError(422, "invalid", "each reason id must appear once")
    reasons = tuple(NotReadyReason(ReasonId(r.id), r.label) for r in body.reasons)
    await ctx.db(
        ctx.writer.update_reasons,
        reasons,
        around=_audited(
            ctx, me, "reasons.put", "firm", lambda c: [_dump(r) for r in admin_store.reasons(c)]
        ),
    )
    return await _read(ctx, admin_store.reasons)


@router.get("/campaigns/{campaign_id}/forms", response_model=FormsOut)
async def get_forms(campaign_id: IdPath, me: Admin, ctx: Ctx) -> FormsOut:
    if campaign_id not in ctx.directory.campaign_client:
        raise not_found("campaign", campaign_id)
    return await _read(ctx, lambda c: forms_of(c, campaign_id))


@router.put("/campaigns/{campaign_id}/forms", response_model=FormsOut)
async def put_forms(campaign_id: IdPath, body: FormsIn, me: Admin, ctx: Ctx) -> FormsOut:
    """Replaces a campaign's outcomes (dispositions) and form fields."""
    if campaign_id not in ctx.directory.campaign_client:
        raise not_found("campaign", campaign_id)
    for kind, names in (
        ("disposition", [d.id for d in body.dispositions]),
        ("form field", [f.name for f in body.fields]),
    ):
        if len(set(names)) != len(names):
            raise ApiError(422, "invalid", f"each {kind} id must appear once")
    for f in body.fields:
        if (f.kind == "choice") != bool(f.choices):
            raise ApiError(
                422, "invalid", f"field {f.name!r}: choices go with kind 'choice', and only it"
            )
    forms = CampaignForms(
        campaign=campaign_id,
        dispositions=tuple(
            Disposition(d.id, d.label, d.counts_as_sale, d.counts_as_save)
            for d in body.dispositions
        ),
        fields=tuple(
            FormField(f.name, FieldKind(f.kind.value), f.label, f.required, tuple(f.choices))
            for f in body.fields
        ),
    )
    await ctx.db(
        ctx.writer.update_forms,
        forms,
        name=body.name,
        around=_audited(
            ctx, me, "forms.put", campaign_id, lambda c: _dump(forms_of(c, campaign_id))
        ),
    )
    return await _read(ctx, lambda c: forms_of(c, campaign_id))


@router.put("/campaigns/{campaign_id}/script", response_model=FormsOut)
async def put_script(campaign_id: IdPath, body: ScriptIn, me: Admin, ctx: Ctx) -> FormsOut:
    """Replaces the script agents of the campaign see beside its form."""
    if campaign_id not in ctx.directory.campaign_client:
        raise not_found("campaign", campaign_id)
    record = _audited(
        ctx, me, "script.put", campaign_id, lambda c: {"script": forms_of(c, campaign_id).script}
    )

    def write(conn: Connection) -> FormsOut:
        record(conn, lambda c: config_repo.replace_script(c, campaign_id, body.body))
        return forms_of(conn, campaign_id)

    return await _write(ctx, write)


def _settings(conn: Connection) -> SettingsIn:
    row = conn.execute(select(s.firm).limit(1)).mappings().first()
    if row is None:
        return SettingsIn()
    return SettingsIn(
        connection_grace_s=row["connection_grace_s"],
        direct_transfer_wait_s=row["direct_transfer_wait_s"],
    )


@router.get("/settings", response_model=SettingsIn)
async def get_settings(me: Admin, ctx: Ctx) -> SettingsIn:
    return await _read(ctx, _settings)


@router.put("/settings", response_model=SettingsIn)
async def put_settings(body: SettingsIn, me: Admin, ctx: Ctx) -> SettingsIn:
    """Center-wide settings: the grace period for lost connections, direct transfers."""
    if await _read(ctx, admin_store.firm_id) is None:
        raise conflict("no firm yet: run `hearthline init` first")
    await ctx.db(
        ctx.writer.update_settings,
        CenterSettings(
            connection_grace_s=body.connection_grace_s,
            direct_transfer_wait_s=body.direct_transfer_wait_s,
        ),
        around=_audited(ctx, me, "settings.put", "firm", lambda c: _dump(_settings(c))),
    )
    return body


# Users ------------------------------------------------------------------------------------------


def _check_role(conn: Connection, role: str, client: str | None, agent: str | None) -> None:
    if role == RoleName.AGENT and agent is None:
        raise ApiError(422, "invalid", "an agent user needs agent_id")
    if role == RoleName.CLIENT_VIEWER and client is None:
        raise ApiError(422, "invalid", "a client viewer needs client_id")
    if role == RoleName.ADMIN and client is not None:
        raise ApiError(422, "invalid", "an administrator is not tied to one client")
    if role != RoleName.AGENT and agent is not None:
        raise ApiError(422, "invalid", "only agent users are linked to an agent")
    if client is not None and not admin_store.client_exists(conn, client):
        raise not_found("client", client)
    if (
        agent is not None
        and not conn.execute(select(s.agents.c.id).where(s.agents.c.id == agent)).first()
    ):
        raise not_found("agent", agent)


@router.get("/users", response_model=list[UserOut])
async def list_users(me: Admin, ctx: Ctx) -> list[UserOut]:
    return await _read(ctx, admin_store.users)


@router.post("/users", response_model=UserOut, status_code=201)
async def create_user(body: UserIn, me: Admin, ctx: Ctx) -> UserOut:
    hashed = await ctx.db(ctx.hasher.hash, body.password)
    now = ctx.now()

    def write(conn: Connection) -> UserOut:
        _check_role(conn, body.role, body.client_id, body.agent_id)
        if conn.execute(select(s.users.c.id).where(s.users.c.username == body.username)).first():
            raise conflict(f"username {body.username!r} is taken")
        ident = config_repo.add_user(
            conn,
            body.username,
            role=str(body.role),
            client=body.client_id,
            agent=body.agent_id,
            display_name=body.display_name,
            password_hash=hashed,
        )
        out = admin_store.users(conn, ident=ident)[0]
        audit.record(conn, me, at=now, action="user.create", target=body.username, after=_dump(out))
        return out

    return await _write(ctx, write)


@router.get("/users/{user_id}", response_model=UserOut)
async def get_user(user_id: UserIdPath, me: Admin, ctx: Ctx) -> UserOut:
    return _first(await _read(ctx, lambda c: admin_store.users(c, ident=user_id)), "user", user_id)


@router.patch("/users/{user_id}", response_model=UserOut)
async def patch_user(user_id: UserIdPath, body: UserPatch, me: Admin, ctx: Ctx) -> UserOut:
    """Changes a user; a new password ends their sessions and tokens stay."""
    if user_id == me.user_id and body.role is not None and str(body.role) != str(me.role):
        raise conflict("you cannot change your own role")
    hashed = await ctx.db(ctx.hasher.hash, body.password) if body.password else None
    now = ctx.now()
    given = body.model_dump(exclude_unset=True, exclude={"password"})

    def write(conn: Connection) -> UserOut:
        found = admin_store.users(conn, ident=user_id)
        before = _first(found, "user", user_id)
        merged = before.model_dump() | given
        _check_role(conn, str(merged["role"]), merged["client_id"], merged["agent_id"])
        values = {k: (str(v) if k == "role" else v) for k, v in given.items()}
        if hashed is not None:
            values["password_hash"] = hashed
            conn.execute(delete(t.sessions).where(t.sessions.c.user_id == user_id))
        if values:
            conn.execute(update(s.users).where(s.users.c.id == user_id).values(**values))
        after = admin_store.users(conn, ident=user_id)[0]
        audit.record(
            conn,
            me,
            at=now,
            action="user.patch",
            target=before.username,
            before=_dump(before),
            after=_dump(after) | {"password_changed": hashed is not None},
        )
        return after

    out = await _write(ctx, write)
    ctx.forget_credentials()
    return out


@router.delete("/users/{user_id}", status_code=204)
async def delete_user(user_id: UserIdPath, me: Admin, ctx: Ctx) -> None:
    """Deletes a user with their sessions and API tokens."""
    if user_id == me.user_id:
        raise conflict("you cannot delete yourself")
    now = ctx.now()

    def write(conn: Connection) -> None:
        before = _first(admin_store.users(conn, ident=user_id), "user", user_id)
        accounts.forget_user(conn, user_id=user_id)
        conn.execute(delete(s.users).where(s.users.c.id == user_id))
        audit.record(
            conn, me, at=now, action="user.delete", target=before.username, before=_dump(before)
        )

    await _write(ctx, write)
    ctx.forget_credentials()


# Numbers ----------------------------------------------------------------------------------------

NumberPath = Annotated[str, Path(pattern=PHONE_PATTERN)]


@router.get("/numbers", response_model=list[NumberOut])
async def list_numbers(me: Admin, ctx: Ctx) -> list[NumberOut]:
    return await _read(ctx, admin_store.numbers)


@router.put("/numbers/{number}", response_model=NumberOut)
async def put_number(number: NumberPath, body: NumberIn, me: Admin, ctx: Ctx) -> NumberOut:
    """Maps a dialled number to a queue (or to the menu, with no queue)."""
    if body.queue_id is not None and body.queue_id not in ctx.directory.queue_campaign:
        raise not_found("queue", body.queue_id)
    now = ctx.now()

    def write(conn: Connection) -> NumberOut:
        before = next((n for n in admin_store.numbers(conn) if n.number == number), None)
        conn.execute(delete(t.numbers).where(t.numbers.c.number == number))
        conn.execute(
            t.numbers.insert().values(number=number, queue_id=body.queue_id, label=body.label)
        )
        after = NumberOut(number=number, queue_id=body.queue_id, label=body.label)
        audit.record(
            conn,
            me,
            at=now,
            action="number.put",
            target=number,
            before=_dump(before),
            after=_dump(after),
        )
        return after

    return await _write(ctx, write)


@router.delete("/numbers/{number}", status_code=204)
async def delete_number(number: NumberPath, me: Admin, ctx: Ctx) -> None:
    now = ctx.now()

    def write(conn: Connection) -> None:
        before = next((n for n in admin_store.numbers(conn) if n.number == number), None)
        if before is None:
            raise not_found("number", number)
        conn.execute(delete(t.numbers).where(t.numbers.c.number == number))
        audit.record(conn, me, at=now, action="number.delete", target=number, before=_dump(before))

    await _write(ctx, write)


# API tokens -------------------------------------------------------------------------------------

TokenPath = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]


@router.get("/tokens", response_model=list[TokenOut])
async def list_tokens(me: Admin, ctx: Ctx) -> list[TokenOut]:
    return await _read(ctx, admin_store.tokens)


@router.post("/tokens", response_model=NewTokenOut, status_code=201)
async def create_token(body: TokenIn, me: Admin, ctx: Ctx) -> NewTokenOut:
    """A new API token for a user; the secret is in this answer only."""
    now = ctx.now()

    def write(conn: Connection) -> NewTokenOut:
        user = (
            conn.execute(select(s.users).where(s.users.c.username == body.username))
            .mappings()
            .first()
        )
        if user is None:
            raise not_found("user", body.username)
        if body.scope == "channel" and user["role"] != "admin" and user["client_id"] is None:
            raise ApiError(
                422,
                "invalid",
                "a channel token belongs to an administrator or to a user "
                "tied to one client (whose queues it may then reach)",
            )
        expires = now + body.expires_in_s if body.expires_in_s is not None else None
        ident, secret = accounts.create_token(
            conn,
            user_id=user["id"],
            name=body.name,
            scope=str(body.scope),
            now=now,
            expires_at=expires,
        )
        out = NewTokenOut(
            id=ident,
            username=body.username,
            name=body.name,
            scope=str(body.scope),
            created_at=now,
            expires_at=expires,
            token=secret,
        )
        audit.record(
            conn,
            me,
            at=now,
            action="token.create",
            target=ident,
            after=_dump(out.model_copy(update={"token": "***"})),
        )
        return out

    return await _write(ctx, write)


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: TokenPath, me: Admin, ctx: Ctx) -> None:
    now = ctx.now()

    def write(conn: Connection) -> None:
        gone = conn.execute(delete(t.api_tokens).where(t.api_tokens.c.id == token_id)).rowcount
        if not gone:
            raise not_found("token", token_id)
        audit.record(conn, me, at=now, action="token.revoke", target=token_id)

    await _write(ctx, write)
    ctx.forget_credentials()


# Audit ------------------------------------------------------------------------------------------


@router.get("/audit", response_model=list[AuditOut])
async def audit_entries(
    me: Admin,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> list[AuditOut]:
    """The newest administrative changes first; page back with ``before_id``."""
    rows = await _read(ctx, lambda c: audit.entries(c, limit=limit, before_id=before_id))
    return [AuditOut.model_validate(r) for r in rows]
