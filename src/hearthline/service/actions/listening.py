"""Listening in on live calls: each start and stop in the audit log, and the firm's choice
whether agents are shown a listen-in (``telephony/listen.py``)."""

from __future__ import annotations

from sqlalchemy import Engine, update

from hearthline.service.actions.audit import Actor, record, transaction
from hearthline.store import tables as t
from hearthline.store.queries import config as config_q


def record_listening(
    engine: Engine, who: Actor, *, at: float, action: str, contact: str, detail: dict[str, object]
) -> None:
    """``listen.start`` or ``listen.stop`` on ``contact``: who, when, the mode and agent."""
    with transaction(engine) as conn:
        record(conn, who, at=at, action=action, target=contact, after=detail)


def set_shown(engine: Engine, who: Actor, *, at: float, shown: bool) -> None:
    with transaction(engine) as conn:
        before = config_q.shows_listen_in(conn)
        conn.execute(update(t.firm).values(show_listen_in=shown))
        record(
            conn, who, at=at, action="settings.show-listen-in", target="firm",
            before=before, after=shown,
        )  # fmt: skip
