"""The numbers callers dial, each mapped to a queue or to the menu."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from hearthline.api.deps import Admin, Ctx
from hearthline.api.errors import not_found
from hearthline.api.routes.admin.base import router
from hearthline.api.schemas import PHONE_PATTERN, NumberIn, NumberOut
from hearthline.service.actions import numbers as actions
from hearthline.store.queries import config as queries

NumberPath = Annotated[str, Path(pattern=PHONE_PATTERN)]


@router.get("/numbers", response_model=list[NumberOut])
async def list_numbers(me: Admin, ctx: Ctx) -> list[NumberOut]:
    return [
        NumberOut.model_validate(n, from_attributes=True)
        for n in await ctx.db(queries.numbers, ctx.engine)
    ]


@router.put("/numbers/{number}", response_model=NumberOut)
async def put_number(number: NumberPath, body: NumberIn, me: Admin, ctx: Ctx) -> NumberOut:
    """Maps a dialled number to a queue (or to the menu, with no queue)."""
    if body.queue_id is not None and body.queue_id not in ctx.directory.queue_campaign:
        raise not_found("queue", body.queue_id)
    row = await ctx.db(
        actions.put_number,
        ctx.engine,
        me,
        at=ctx.now(),
        number=number,
        queue=body.queue_id,
        label=body.label,
    )
    return NumberOut.model_validate(row, from_attributes=True)


@router.delete("/numbers/{number}", status_code=204)
async def delete_number(number: NumberPath, me: Admin, ctx: Ctx) -> None:
    await ctx.db(actions.delete_number, ctx.engine, me, at=ctx.now(), number=number)
