"""Refusals by the service itself (the core's and the crm's own errors pass through)."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the service's own errors. ``code`` is stable for programs to test."""

    code = "service-error"


class WriterStopped(ServiceError):
    """The center is stopping or stopped: nothing more is accepted."""

    code = "stopped"


class StoreUnavailable(ServiceError):
    """The database did not take the batch; nothing of it was acknowledged or published."""

    code = "store-unavailable"


class BadCommand(ServiceError):
    """A command the service will not run: wrong type, bad text or numbers, or one that
    only the service itself may issue."""

    code = "invalid"
