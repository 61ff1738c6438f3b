"""Skills: created or renamed, with their audit record."""

from __future__ import annotations

from sqlalchemy import Engine

from hearthline.service.actions.audit import Actor, plain, record, transaction
from hearthline.store import config_repo
from hearthline.store.queries import config as q
from hearthline.store.queries.config import SkillRow


def put_skill(engine: Engine, who: Actor, *, at: float, skill: str, name: str) -> SkillRow:
    with transaction(engine) as conn:
        before = next((k for k in q.skills(conn) if k.id == skill), None)
        config_repo.save_skill(conn, skill, name=name)
        after = SkillRow(skill, name)
        record(
            conn,
            who,
            at=at,
            action="skill.put",
            target=skill,
            before=plain(before),
            after=plain(after),
        )
    return after
