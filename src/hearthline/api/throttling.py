"""The door of every password check: counted first (``service/actions/throttle.py``),
then checked, a few at a time."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request

from hearthline.api.deps import AppContext
from hearthline.api.errors import ApiError
from hearthline.kernel.clock import WallClock
from hearthline.service.actions import throttle

T = TypeVar("T")
# Counts a day quiet are dropped every this many attempts (per process).
FORGET_EVERY = 1000
_WALL = WallClock()


def client_ip(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


async def checked(
    ctx: AppContext,
    request: Request,
    username: str,
    check: Callable[[], Awaitable[T | None]],
) -> T | None:
    """``check()`` (a password check; None when wrong) if the account and address may
    try now, else 429 with ``Retry-After``; a success clears the account's count."""
    account = throttle.account_key(username)
    address = throttle.address_key(client_ip(request))
    # Wall time, not the center's clock (the demo's runs fast): shared between processes.
    now = _WALL.now()
    ctx.sign_in_attempts += 1
    if ctx.sign_in_attempts % FORGET_EVERY == 0:
        await ctx.db(throttle.forget_old, ctx.engine, now=now)
    wait = await ctx.db(
        throttle.begin, ctx.engine, account=account, address=address, now=now, rule=ctx.throttle
    )
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            "too-many-attempts",
            f"too many failed attempts; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    async with ctx.hashing:
        result = await check()
    if result is not None:
        await ctx.db(throttle.succeeded, ctx.engine, account=account, address=address)
    return result
