"""What the administration endpoints share: their router, path types, the directory
kept current after a routed change."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Path

from hearthline.api.deps import AppContext
from hearthline.api.errors import ERROR_RESPONSES, not_found
from hearthline.api.schemas import IDENT_PATTERN
from hearthline.kernel.envelope import Envelope

T = TypeVar("T")
router = APIRouter(prefix="/api/admin", tags=["admin"], responses=ERROR_RESPONSES)
IdPath = Annotated[str, Path(pattern=IDENT_PATTERN)]


def follow(ctx: AppContext, stored: list[Envelope]) -> None:
    """The directory learns of a routed change at once, not when the stream sees it."""
    for item in stored:
        ctx.directory.follow(item.event)


def first(items: list[T], what: str, ident: object) -> T:
    if not items:
        raise not_found(what, ident)
    return items[0]
