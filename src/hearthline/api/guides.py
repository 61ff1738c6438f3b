"""A stored call guide as the API shows it: each step's text also as sanitized HTML."""

from __future__ import annotations

from hearthline.api.schemas.guides import AnswerOut, GuideOut, StepOut
from hearthline.knowledge.render import to_html
from hearthline.store.queries.guides import GuideRow


def guide_out(row: GuideRow, client: str) -> GuideOut:
    return GuideOut(
        campaign_id=row.campaign_id,
        client_id=client,
        version=row.version,
        start=row.guide.start,
        steps=[
            StepOut(
                id=s.id,
                text=s.text,
                html=to_html(s.text),
                answers=[AnswerOut(label=a.label, next=a.next) for a in s.answers],
                end=s.is_end,
            )
            for s in row.guide.steps
        ],
        created_at=row.created_at,
        created_by=row.created_by,
    )
