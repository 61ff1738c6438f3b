"""The service layer: the write path (core -> durable log -> acknowledge -> publish).

``bootstrap(...)`` returns a started ``Writer``; see writer.py for how a command becomes
durable events, and docs/storage.md for why there is one writer.
"""

from hearthline.kernel.clock import WallClock
from hearthline.service.bootstrap import bootstrap
from hearthline.service.errors import BadCommand, ServiceError, StoreUnavailable, WriterStopped
from hearthline.service.writer import Subscriber, Writer

__all__ = [
    "BadCommand",
    "ServiceError",
    "StoreUnavailable",
    "Subscriber",
    "WallClock",
    "Writer",
    "WriterStopped",
    "bootstrap",
]
