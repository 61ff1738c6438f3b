"""The week's fair sample of each agent's handled contacts to evaluate."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import Query

from hearthline.api.deps import Ctx, Staff
from hearthline.api.history import record
from hearthline.api.routes.quality.base import router
from hearthline.api.schemas import AgentSampleOut, SampledOut, SampleOut
from hearthline.api.scope import visible_clients
from hearthline.kernel.envelope import Envelope
from hearthline.quality.sampling import Handled, sample
from hearthline.service.domains import CODEC
from hearthline.store.queries import pay as pay_q

# A contact that arrived late on the week's last evening may be handled after midnight.
TAIL_S = 86_400.0


def _handled(stored: list[tuple[str, list[Envelope]]], start: float, end: float) -> list[Handled]:
    out = []
    for contact, events in stored:
        r = record(contact, events)
        if r.arrived_at is None or not start <= r.arrived_at < end or not r.agents:
            continue
        outcome = r.disposition or r.ended_as or "open"
        out.append(Handled(contact, r.agents[-1], r.queue or "", outcome, r.arrived_at))
    return out


def _bycontact_to_evaluate(envelopes: list[Envelope]) -> list[tuple[str, list[Envelope]]]:
    grouped: dict[str, list[Envelope]] = {}
    for item in envelopes:
        contact = getattr(item.event, "contact", None)
        if contact is not None:
            grouped.setdefault(str(contact), []).append(item)
    return list(grouped.items())


@router.get("/sample", response_model=SampleOut)
async def weekly_sample(
    me: Staff,
    ctx: Ctx,
    week: Annotated[
        date | None, Query(description="any day of the week; default: this week")
    ] = None,
    quota: Annotated[int, Query(ge=1, le=100)] = 5,
    seed: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
) -> SampleOut:
    """Each agent's contacts of a week (Monday to Sunday in the firm's time zone) to
    evaluate: ``quota`` each, spread over queues and outcomes in proportion to what the
    agent handled. The same week and seed always give the same sample."""
    zone = await ctx.firm_zone()
    day = week or datetime.fromtimestamp(ctx.now(), zone).date()
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(0), tzinfo=zone).timestamp()
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone).timestamp()
    clients = visible_clients(ctx.directory, me)
    handled: list[Handled] = []
    for client in sorted(
        clients if clients is not None else set(ctx.directory.campaign_client.values())
    ):
        envelopes = await ctx.db(
            pay_q.client_events, ctx.engine, CODEC, client=client, since=start, until=end + TAIL_S
        )
        handled += _handled(_bycontact_to_evaluate(envelopes), start, end)
    seed = monday.toordinal() if seed is None else seed
    picked = sample(handled, quota=quota, seed=seed)
    totals = {a: sum(1 for h in handled if h.agent == a) for a in picked}
    return SampleOut(
        week=monday.isoformat(),
        quota=quota,
        seed=seed,
        agents=[
            AgentSampleOut(
                agent_id=agent,
                handled=totals[agent],
                sample=[
                    SampledOut(contact_id=h.contact, queue=h.queue, outcome=h.outcome, at=h.at)
                    for h in mine
                ],
            )
            for agent, mine in picked.items()
        ],
    )
