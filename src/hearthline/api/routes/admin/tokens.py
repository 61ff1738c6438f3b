"""API tokens, and the audit log of administrative changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from hearthline.api.deps import Admin, Ctx
from hearthline.api.errors import ApiError
from hearthline.api.routes.admin.base import router
from hearthline.api.schemas import AuditOut, NewTokenOut, TokenIn, TokenOut
from hearthline.kernel.text import text_problem
from hearthline.service.actions import tokens as actions
from hearthline.store.queries import accounts as queries

TokenPath = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]


@router.get("/tokens", response_model=list[TokenOut])
async def list_tokens(me: Admin, ctx: Ctx) -> list[TokenOut]:
    return [
        TokenOut.model_validate(t, from_attributes=True)
        for t in await ctx.db(queries.tokens, ctx.engine)
    ]


@router.post("/tokens", response_model=NewTokenOut, status_code=201)
async def create_token(body: TokenIn, me: Admin, ctx: Ctx) -> NewTokenOut:
    """A new API token for a user; the secret is in this answer only."""
    made = await ctx.db(
        actions.create_token,
        ctx.engine,
        me,
        at=ctx.now(),
        username=body.username,
        name=body.name,
        scope=str(body.scope),
        expires_in_s=body.expires_in_s,
    )
    out = TokenOut.model_validate(made.row)
    return NewTokenOut(**out.model_dump(), token=made.secret)


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: TokenPath, me: Admin, ctx: Ctx) -> None:
    await ctx.db(actions.revoke_token, ctx.engine, me, at=ctx.now(), token=token_id)
    await ctx.forget_credentials(tokens=True)


@router.get("/audit", response_model=list[AuditOut])
async def audit_entries(
    me: Admin,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    action: Annotated[
        str | None, Query(max_length=100, description="an action, or a prefix ending in '.'")
    ] = None,
    target: Annotated[str | None, Query(max_length=400)] = None,
    username: Annotated[str | None, Query(max_length=200, description="who made it")] = None,
) -> list[AuditOut]:
    """The newest administrative changes first, filtered by action, target and who made
    them; page back with ``before_id`` (the last id of the page)."""
    for name, value in (("action", action), ("target", target), ("username", username)):
        problem = text_problem(value or "")
        if problem is not None:
            raise ApiError(422, "invalid", f"{name}: the text {problem}")
    rows = await ctx.db(
        queries.audit_entries,
        ctx.engine,
        limit=limit,
        before_id=before_id,
        action=action,
        target=target,
        username=username,
    )
    return [AuditOut.model_validate(r) for r in rows]
