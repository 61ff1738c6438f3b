"""Who a session cookie or an API token stands for (blocking: run off the event loop)."""

from __future__ import annotations

from hearthline.api.principal import Principal, Role
from hearthline.service.actions.tokens import digest
from hearthline.store.queries import accounts as q
from hearthline.store.queries import config as config_q
from hearthline.store.queries.accounts import UserRow
from hearthline.store.queries.bind import Engine

# The roles a firm may require a second factor of.
TWO_FACTOR_ROLES = frozenset({"admin", "supervisor"})


def principal_of(
    user: UserRow,
    *,
    session_id: str | None = None,
    csrf_token: str | None = None,
    must_enrol: bool = False,
) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        client_id=user.client_id,
        agent_id=user.agent_id,
        display_name=user.display_name,
        session_id=session_id,
        csrf_token=csrf_token,
        must_enrol=must_enrol,
        two_factor=user.two_factor,
    )


def must_enrol(engine: Engine, user: UserRow) -> bool:
    if user.two_factor or user.role not in TWO_FACTOR_ROLES:
        return False
    return config_q.requires_two_factor(engine)


def session_principal(engine: Engine, *, token: str, now: float) -> Principal | None:
    sid = digest(token)
    grant = q.session_grant(engine, sid)
    if grant is None or grant.expires_at is None or grant.expires_at <= now:
        return None
    return principal_of(
        grant.user,
        session_id=sid,
        csrf_token=grant.csrf_token,
        must_enrol=must_enrol(engine, grant.user),
    )


def token_principal(engine: Engine, *, token: str, now: float) -> Principal | None:
    grant = q.token_grant(engine, digest(token))
    if grant is None or (grant.expires_at is not None and grant.expires_at <= now):
        return None
    principal = principal_of(grant.user)
    if grant.scope == "channel":
        return Principal(
            user_id=principal.user_id,
            username=principal.username,
            role=Role.CHANNEL,
            client_id=principal.client_id,
            agent_id=None,
            display_name=principal.display_name,
        )
    return principal
