"""The firm's first day: the firm and its first administrator, together."""

from __future__ import annotations

from sqlalchemy import Engine

from hearthline.service.actions.audit import transaction
from hearthline.store import config_repo


def init_firm(engine: Engine, *, firm: str, name: str, admin: str, password_hash: str) -> None:
    with transaction(engine) as conn:
        config_repo.save_firm(conn, firm, name=name)
        config_repo.add_user(
            conn, admin, role="admin", display_name="Administrator", password_hash=password_hash
        )
