"""The service layer: the write path (core -> durable log -> acknowledge -> publish).

``service.bootstrap.bootstrap(...)`` returns a started ``Writer``; see writer.py for how a
command becomes durable events, and docs/storage.md for why there is one writer.
"""

from typing import TYPE_CHECKING

from hearthline.kernel.lazy import lazy_exports

if TYPE_CHECKING:
    from hearthline.kernel.clock import WallClock
    from hearthline.service.errors import BadCommand, ServiceError, StoreUnavailable, WriterStopped
    from hearthline.service.writer import Subscriber, Writer

# Imported on first use: the command line loads only what its job needs.
__getattr__ = lazy_exports(
    __name__,
    {
        "WallClock": "hearthline.kernel.clock",
        "BadCommand": "hearthline.service.errors",
        "ServiceError": "hearthline.service.errors",
        "StoreUnavailable": "hearthline.service.errors",
        "WriterStopped": "hearthline.service.errors",
        "Subscriber": "hearthline.service.writer",
        "Writer": "hearthline.service.writer",
    },
)

__all__ = [
    "BadCommand",
    "ServiceError",
    "StoreUnavailable",
    "Subscriber",
    "WallClock",
    "Writer",
    "WriterStopped",
]
