"""Call guides: a campaign's next guide version, checked, with its audit record."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select

from hearthline.knowledge.guides import Guide, GuideInvalid, check
from hearthline.service.actions.audit import Actor, plain, record, transaction
from hearthline.service.errors import BadCommand, NotFound
from hearthline.store import tables as t
from hearthline.store.queries import guides as q
from hearthline.store.queries.guides import GuideRow


class GuideRefused(BadCommand):
    """A guide that cannot be followed; ``step`` names the step at fault."""

    def __init__(self, exc: GuideInvalid) -> None:
        super().__init__(str(exc))
        self.step = exc.step


def save_guide(engine: Engine, who: Actor, *, at: float, campaign: str, guide: Guide) -> GuideRow:
    """Stores ``guide`` as the campaign's next version; the versions before stay, so a
    saved path still replays on the version its call followed."""
    try:
        check(guide)
    except GuideInvalid as exc:
        raise GuideRefused(exc) from None
    with transaction(engine) as conn:
        c = t.campaigns
        if conn.execute(select(c.c.id).where(c.c.id == campaign)).first() is None:
            raise NotFound("campaign", campaign)
        version = q.newest_version(conn, campaign) + 1
        conn.execute(
            insert(t.call_guides).values(
                campaign_id=campaign,
                version=version,
                steps=q.dump_steps(guide),
                created_at=at,
                created_by=who.username,
            )
        )
        record(
            conn,
            who,
            at=at,
            action="guide.put",
            target=f"{campaign}@{version}",
            after=plain(guide),
        )
        row = q.guide(conn, campaign, version)
    assert row is not None
    return row
