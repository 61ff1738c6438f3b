"""The agent's procedures for offline reading, as one blocking read (run off the event
loop): the current articles their audience gives them in the clients of their own
campaigns, and their campaigns' call guides.

The ETag is made from a fingerprint alone -- per client, one aggregate over the current
articles (count, sum of versions, newest change, highest id), the agent's campaigns and
skills (which decide the audience), the guide versions and the script behind a
version-0 guide -- so a desk whose copy is current costs that aggregate: no article's
audience or text is read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from html import escape

from hearthline.api.guides import guide_out
from hearthline.api.schemas.guides import Procedure, Procedures, StepOut
from hearthline.knowledge.render import plain
from hearthline.store.queries import guides as guides_q
from hearthline.store.queries import procedures as q
from hearthline.store.queries.bind import Engine


def _etag(*parts: object) -> str:
    stamp = json.dumps(parts, separators=(",", ":"))
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'


def agent_set(
    engine: Engine,
    *,
    agent: str,
    campaigns: Collection[str],
    campaign_client: dict[str, str],
    skills: Collection[str],
    now: float,
    known_etag: str | None = None,
) -> tuple[str, Procedures | None]:
    """The set's ETag and the set itself; None in its place when ``known_etag`` is it."""
    clients = {campaign_client[c] for c in campaigns if c in campaign_client}
    guides = guides_q.newest_guides(engine, campaigns)
    guide_stamps = [
        (c, g.version, guides_q.dump_steps(g.guide) if g.version == 0 else "")
        for c, g in sorted(guides.items())
    ]
    etag = _etag(
        agent,
        sorted(campaigns),
        sorted(skills),
        q.fingerprint(engine, clients=clients, now=now),
        guide_stamps,
    )
    if known_etag == etag:
        return etag, None
    stamps = q.current_stamps(engine, clients=clients, now=now)
    mine = [s for s in stamps if s.audience.reaches(campaigns=campaigns, skills=skills)]
    items = [
        Procedure(
            kind="article",
            id=str(a.id),
            client_id=a.client_id,
            title=a.title,
            tags=a.tags,
            html=a.html,
            plain=a.plain,
            version=a.version,
            updated_at=a.updated_at,
        )
        for a in q.texts(engine, [s.id for s in mine])
    ]
    names = guides_q.campaign_names(engine, list(guides))
    for campaign, row in sorted(guides.items()):
        out = guide_out(row, campaign_client.get(campaign, ""))
        items.append(
            Procedure(
                kind="guide",
                id=campaign,
                client_id=out.client_id,
                title=f"Call guide: {names.get(campaign, campaign)}",
                tags=["call guide"],
                html=_guide_html(out.steps),
                plain=" ".join(plain(s.text) for s in row.guide.steps),
                version=row.version,
                updated_at=row.created_at,
            )
        )
    return etag, Procedures(agent_id=agent, as_of=now, etag=etag, items=items)


def _guide_html(steps: list[StepOut]) -> str:
    """The guide as one document: each step's (sanitized) text and where its answers go.

    Step ids and answer labels are escaped here; the texts are the sanitized HTML."""
    parts: list[str] = []
    for s in steps:
        # A one-step guide (a plain script) needs no step names.
        parts.append(f"<h4>{escape(s.id)}</h4>{s.html}" if len(steps) > 1 else s.html)
        if s.answers:
            items = "".join(f"<li>{escape(a.label)} → {escape(a.next)}</li>" for a in s.answers)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append("<p><em>End of the call guide.</em></p>")
    return "".join(parts)
