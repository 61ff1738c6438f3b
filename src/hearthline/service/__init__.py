"""The service layer: the write path (core -> durable log -> acknowledge -> publish).

``bootstrap(...)`` returns a started ``Center``; see center.py for how a command becomes
durable events, and docs/storage.md for why there is one writer.
"""

from hearthline.service.bootstrap import bootstrap
from hearthline.service.center import Center, Subscriber
from hearthline.service.clock import WallClock
from hearthline.service.errors import BadCommand, CenterStopped, ServiceError, StoreUnavailable

__all__ = [
    "BadCommand",
    "Center",
    "CenterStopped",
    "ServiceError",
    "StoreUnavailable",
    "Subscriber",
    "WallClock",
    "bootstrap",
]
