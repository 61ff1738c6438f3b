"""Refusals by the service itself (the core's and the crm's own errors pass through)."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the service's own errors. ``code`` is stable for programs to test."""

    code = "service-error"


class WriterStopped(ServiceError):
    """The writer is stopping or stopped: nothing more is accepted."""

    code = "stopped"


class StoreUnavailable(ServiceError):
    """The database did not take the batch; nothing of it was acknowledged or published."""

    code = "store-unavailable"


class BadCommand(ServiceError):
    """A command the service will not run: wrong type, bad text or numbers, or one that
    only the service itself may issue."""

    code = "invalid"


class NotFound(ServiceError):
    """Something named does not exist (or is not visible to the one asking)."""

    code = "not-found"

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"no {what} {str(ident)[:200]!r}")
        self.what = what


class Conflict(ServiceError):
    """Refused in the current state: a name taken, a link made already, a rule broken."""

    code = "conflict"
