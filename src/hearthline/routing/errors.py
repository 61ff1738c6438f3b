"""Refusals. Each names what was expected and what was found; a refused command changes nothing."""

from __future__ import annotations

from collections.abc import Iterable


class RoutingError(Exception):
    """Base of every refusal by the routing core. ``code`` is stable for programs to test."""

    code = "routing-error"


class UnknownEntity(RoutingError):
    code = "unknown"

    def __init__(self, kind: str, ident: str, detail: str = "") -> None:
        self.kind = kind
        self.ident = ident
        tail = f" ({detail})" if detail else ""
        super().__init__(f"unknown {kind} {ident!r}{tail}")


class IllegalTransition(RoutingError):
    code = "illegal-transition"

    def __init__(
        self, kind: str, ident: str, action: str, expected: Iterable[str], found: str
    ) -> None:
        self.kind = kind
        self.ident = ident
        self.expected = tuple(sorted(expected))
        self.found = found
        super().__init__(
            f"cannot {action} {kind} {ident!r}: expected it to be "
            f"{' or '.join(self.expected)}, found it {found}"
        )


class OfferNotFound(RoutingError):
    code = "no-such-offer"


class ConsultNotFound(RoutingError):
    code = "no-such-consult"


class InvalidCommand(RoutingError):
    code = "invalid"


class ConfigError(RoutingError):
    code = "bad-config"
