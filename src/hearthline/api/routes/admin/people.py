"""Agents (who takes contacts) and users (who signs in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response

from hearthline.api.deps import Admin, Ctx
from hearthline.api.errors import ApiError, conflict, not_found
from hearthline.api.routes.admin.base import IdPath, first, follow, router
from hearthline.api.schemas import AgentIn, AgentOut, UserIn, UserOut, UserPatch
from hearthline.api.schemas.common import ROW_ID_MAX
from hearthline.api.wire import agent_out, agent_profile
from hearthline.routing.errors import ConfigError
from hearthline.service.actions import config as actions
from hearthline.service.actions import two_factor, users
from hearthline.store.queries import accounts as accounts_q
from hearthline.store.queries import config as queries

UserIdPath = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]


@router.get("/agents", response_model=list[AgentOut])
async def list_agents(
    me: Admin,
    ctx: Ctx,
    q: Annotated[str, Query(max_length=200, description="id, name, skill or campaign")] = "",
) -> list[AgentOut]:
    """Every agent; with ``q``, those whose id, name, a skill or a campaign holds each of
    its words (case ignored)."""
    found = [agent_out(a) for a in await ctx.db(queries.agents, ctx.engine)]
    words = q.lower().split()
    if not words:
        return found
    return [a for a in found if all(w in _searchable(a) for w in words)]


def _searchable(a: AgentOut) -> str:
    return " ".join([a.id, a.name, *a.skills, *a.campaigns]).lower()


@router.get("/agents/{agent_id}", response_model=AgentOut)
async def get_agent(agent_id: IdPath, me: Admin, ctx: Ctx) -> AgentOut:
    found = await ctx.db(queries.agents, ctx.engine, ident=agent_id)
    return agent_out(first(found, "agent", agent_id))


@router.put("/agents/{agent_id}", response_model=AgentOut)
async def put_agent(agent_id: IdPath, body: AgentIn, me: Admin, ctx: Ctx) -> AgentOut:
    """Creates or changes an agent: skills with levels and campaign certifications."""
    unknown = sorted(c for c in body.campaigns if c not in ctx.directory.campaign_client)
    if unknown:
        raise not_found("campaign", ", ".join(unknown))
    try:
        profile = agent_profile(agent_id, body)
    except ConfigError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    follow(ctx, await ctx.db(actions.put_agent, ctx.writer, me, profile))
    return AgentOut(
        id=agent_id, name=body.name, skills=dict(body.skills), campaigns=sorted(set(body.campaigns))
    )


@router.delete("/agents/{agent_id}", status_code=204)
async def retire_agent(agent_id: IdPath, me: Admin, ctx: Ctx) -> Response:
    """Retires an agent who left the firm: signed out first, and with no account that
    signs in as them. Their history stays; PUT brings them back."""
    follow(ctx, await ctx.db(actions.retire_agent, ctx.writer, me, agent_id))
    return Response(status_code=204)


@router.get("/users", response_model=list[UserOut])
async def list_users(me: Admin, ctx: Ctx) -> list[UserOut]:
    return [
        UserOut.model_validate(u, from_attributes=True)
        for u in await ctx.db(accounts_q.users, ctx.engine)
    ]


@router.post("/users", response_model=UserOut, status_code=201)
async def create_user(body: UserIn, me: Admin, ctx: Ctx) -> UserOut:
    hashed = await ctx.db(ctx.hasher.hash, body.password)
    row = await ctx.db(
        users.create_user,
        ctx.engine,
        me,
        at=ctx.now(),
        username=body.username,
        role=str(body.role),
        client_id=body.client_id,
        agent_id=body.agent_id,
        display_name=body.display_name,
        password_hash=hashed,
    )
    return UserOut.model_validate(row, from_attributes=True)


@router.get("/users/{user_id}", response_model=UserOut)
async def get_user(user_id: UserIdPath, me: Admin, ctx: Ctx) -> UserOut:
    found = await ctx.db(accounts_q.users, ctx.engine, ident=user_id)
    return UserOut.model_validate(first(found, "user", user_id))


@router.patch("/users/{user_id}", response_model=UserOut)
async def patch_user(user_id: UserIdPath, body: UserPatch, me: Admin, ctx: Ctx) -> UserOut:
    """Changes a user; a new password ends their sessions and tokens stay."""
    if user_id == me.user_id and body.role is not None and str(body.role) != str(me.role):
        raise conflict("you cannot change your own role")
    hashed = await ctx.db(ctx.hasher.hash, body.password) if body.password else None
    given = body.model_dump(exclude_unset=True, exclude={"password"})
    changes = {k: (str(v) if k == "role" else v) for k, v in given.items()}
    row = await ctx.db(
        users.patch_user,
        ctx.engine,
        me,
        at=ctx.now(),
        user_id=user_id,
        changes=changes,
        password_hash=hashed,
    )
    await ctx.forget_credentials(user_id=user_id)
    return UserOut.model_validate(row, from_attributes=True)


@router.delete("/users/{user_id}", status_code=204)
async def delete_user(user_id: UserIdPath, me: Admin, ctx: Ctx) -> None:
    """Deletes a user with their sessions and API tokens."""
    if user_id == me.user_id:
        raise conflict("you cannot delete yourself")
    await ctx.db(users.delete_user, ctx.engine, me, at=ctx.now(), user_id=user_id)
    await ctx.forget_credentials(user_id=user_id)


@router.delete("/users/{user_id}/two-factor", status_code=204)
async def reset_two_factor(user_id: UserIdPath, me: Admin, ctx: Ctx) -> None:
    """Resets a user's two-factor sign-in (a lost phone): their browser sessions end and,
    where the firm requires it, they enrol again at their next sign-in. Audited."""
    if user_id == me.user_id:
        raise conflict("reset your own with POST /api/auth/two-factor/off")
    await ctx.db(
        two_factor.turn_off, ctx.engine, me, at=ctx.now(), user_id=user_id, keep_session=None
    )
    await ctx.forget_credentials(user_id=user_id)
