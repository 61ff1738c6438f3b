"""The composition root: ``bootstrap`` wires a started Writer from settings.

Nothing connects at import time; the server, the tools and the tests all come here.
"""

from __future__ import annotations

import random
from pathlib import Path

from hearthline.kernel.clock import Clock, Rng, WallClock
from hearthline.service.writer import Writer
from hearthline.store.engine import create_store_engine, resolve_url


def bootstrap(
    *,
    database_url: str | None = None,
    data_dir: Path | str | None = None,
    clock: Clock | None = None,
    rng: Rng | None = None,
    sqlite_synchronous: str = "FULL",
    snapshot_every: int = 20_000,
    interval_s: float = 900.0,
    max_batch: int = 2_000,
    keep_calls: bool = False,
) -> Writer:
    """A started Center on ``database_url`` (else ``$HEARTHLINE_DATABASE_URL``, else an
    SQLite file in ``data_dir``): migrated, recovered, its writer running."""
    url = resolve_url(database_url, data_dir=data_dir)
    engine = create_store_engine(url, sqlite_synchronous=sqlite_synchronous)
    writer = Writer(
        engine=engine,
        clock=clock or WallClock(),
        rng=rng or random.Random(),
        snapshot_every=snapshot_every,
        interval_s=interval_s,
        max_batch=max_batch,
        own_engine=True,
        keep_calls=keep_calls,
    )
    try:
        writer.start()
    except BaseException:
        engine.dispose()
        raise
    return writer
