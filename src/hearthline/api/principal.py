"""Who is asking: the signed-in user (or API token) a request acts for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    CLIENT_VIEWER = "client_viewer"
    # Not a user role: what a channel-scoped API token may do (the contact ingress only).
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    username: str
    role: Role
    # A client viewer's client company, or the one a supervisor or channel is limited to.
    client_id: str | None
    agent_id: str | None
    display_name: str = ""
    # The session's id (SHA-256 of its cookie) and CSRF token; None for API tokens.
    session_id: str | None = None
    csrf_token: str | None = None
    # The firm requires a second factor of this role and the user has none yet: the
    # session may only enrol (``/api/auth``), nothing else.
    must_enrol: bool = False
    two_factor: bool = False

    @property
    def via_cookie(self) -> bool:
        return self.session_id is not None

    @property
    def firm_wide(self) -> bool:
        """Sees every client company: an administrator, or a supervisor (or a channel, for
        the contact ingress) of no one client."""
        if self.role is Role.ADMIN:
            return True
        return self.role in (Role.SUPERVISOR, Role.CHANNEL) and self.client_id is None
