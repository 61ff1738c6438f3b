"""The audit log: who changed what in the configuration, when, and from what to what."""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.exc import IntegrityError

from hearthline.service.errors import Conflict
from hearthline.service.writer import Around
from hearthline.store import tables as t

T = TypeVar("T")


class Actor(Protocol):
    """Who makes a change: any signed-in user."""

    @property
    def user_id(self) -> int: ...

    @property
    def username(self) -> str: ...


def record(
    conn: Connection,
    who: Actor,
    *,
    at: float,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
) -> None:
    conn.execute(
        insert(t.audit_log).values(
            at=at,
            user_id=who.user_id,
            username=who.username,
            action=action,
            target=target[:400],
            before=_dump(before),
            after=_dump(after),
        )
    )


def audited(
    who: Actor, *, at: float, action: str, target: str, read: Callable[[Connection], Any]
) -> Around:
    """A change with its audit record, in the change's own transaction: ``read`` (the
    stored value) before the change and after it, so the record says what the change
    replaced and what it left, and neither is stored without the other."""

    def around(conn: Connection, change: Callable[[Connection], None]) -> None:
        before = read(conn)
        change(conn)
        record(conn, who, at=at, action=action, target=target, before=before, after=read(conn))

    return around


def plain(value: Any) -> Any:
    """Stored rows and configuration as JSON data: dataclasses as objects, sets sorted."""
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)


def first(found: list[Any]) -> Any:
    """The one stored value of a by-id read, as JSON data; None when there is none."""
    return plain(found[0]) if found else None


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, default=str)


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()``, with the database's own refusals (a key taken meanwhile, a row
    that went away) as a ``Conflict``."""
    try:
        with engine.begin() as conn:
            yield conn
    except IntegrityError as exc:
        raise Conflict(f"refused by the database: {str(exc.orig)[:300]}") from None
