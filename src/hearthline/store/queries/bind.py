"""An engine or a connection, for reads that run alone or inside a transaction; and
the engine type, for code above the store that holds one without using it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

Bind = Engine | Connection


@contextmanager
def connected(bind: Bind) -> Iterator[Connection]:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            yield conn
    else:
        yield bind


__all__ = ["Bind", "Engine", "connected"]
