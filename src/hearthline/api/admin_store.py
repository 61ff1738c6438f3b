"""Reading and writing the configuration for the administration API (blocking calls).

Routing configuration (campaigns, queues, agents, reasons, settings) is written through
the center's ``update_*`` so the core and the log change with the tables; the rest
(clients, skills, users, numbers, tokens) lives only in tables and is written here,
with its audit record in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from hearthline.api.schemas import (
    AgentOut,
    CampaignOut,
    ClientOut,
    NumberOut,
    OverflowIn,
    QueueIn,
    QueueOut,
    ReasonOut,
    SkillOut,
    StepIn,
    TokenOut,
    UserOut,
)
from hearthline.kernel.ids import CampaignId, ClientId, QueueId
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    EscalationStep,
    Overflow,
    OverflowKind,
    QueueConfig,
    Strategy,
    WrapUpMode,
    WrapUpPolicy,
)
from hearthline.store import config_repo
from hearthline.store import tables as s
from hearthline.store import tables as t


def firm_id(conn: Connection) -> str | None:
    return conn.execute(select(s.firm.c.id).limit(1)).scalar_one_or_none()


def clients(conn: Connection) -> list[ClientOut]:
    rows = conn.execute(select(s.clients).order_by(s.clients.c.id)).mappings()
    return [ClientOut(id=r["id"], name=r["name"]) for r in rows]


def client_exists(conn: Connection, client: str) -> bool:
    return conn.execute(select(s.clients.c.id).where(s.clients.c.id == client)).first() is not None


def campaigns(conn: Connection, *, ident: str | None = None) -> list[CampaignOut]:
    query = select(s.campaigns).order_by(s.campaigns.c.id)
    if ident is not None:
        query = query.where(s.campaigns.c.id == ident)
    return [
        CampaignOut(
            id=r["id"],
            client_id=r["client_id"],
            name=r["name"],
            callback_on_drop=r["callback_on_drop"],
            callback_priority=r["callback_priority"],
            prefer_same_agent_s=r["prefer_same_agent_s"],
        )
        for r in conn.execute(query).mappings()
    ]


def campaign_config(ident: str, body: Any) -> CampaignConfig:
    return CampaignConfig(
        id=CampaignId(ident),
        client=ClientId(body.client_id),
        name=body.name,
        callback_on_drop=body.callback_on_drop,
        callback_priority=body.callback_priority,
        prefer_same_agent_s=body.prefer_same_agent_s,
    )


def _overflow_in(o: Overflow) -> OverflowIn:
    return OverflowIn.model_validate({"kind": str(o.kind), "queue": o.queue})


def _overflow(o: OverflowIn) -> Overflow:
    return Overflow(OverflowKind(o.kind.value), QueueId(o.queue) if o.queue else None)


def queues(conn: Connection, *, ident: str | None = None) -> list[QueueOut]:
    config = config_repo.load_routing_config(conn)
    return [_queue_out(q) for q in config.queues if ident is None or q.id == ident]


def _queue_out(q: QueueConfig) -> QueueOut:
    return QueueOut.model_validate(
        {
            "id": q.id,
            "campaign_id": q.campaign,
            "name": q.name,
            "requirement": q.requirement,
            "steps": [
                StepIn(
                    after_s=st.after_s,
                    requirement=st.requirement,
                    priority=st.priority,
                    overflow=_overflow_in(st.overflow) if st.overflow is not None else None,
                )
                for st in q.steps
            ],
            "strategy": str(q.strategy),
            "rank_skill": q.rank_skill,
            "offer_timeout_s": q.offer_timeout_s,
            "wrap_up_mode": str(q.wrap_up.mode),
            "wrap_up_s": q.wrap_up.seconds,
            "max_length": q.max_length,
            "on_full": _overflow_in(q.on_full),
            "max_wait_s": q.max_wait_s,
            "on_max_wait": _overflow_in(q.on_max_wait),
            "service_target_s": q.service_target_s,
            "expected_handle_s": q.expected_handle_s,
        }
    )


def queue_config(ident: str, body: QueueIn) -> QueueConfig:
    """Raises the core's ConfigError for settings that do not fit together."""
    return QueueConfig(
        id=QueueId(ident),
        campaign=CampaignId(body.campaign_id),
        name=body.name,
        requirement=body.requirement,
        steps=tuple(
            EscalationStep(
                after_s=st.after_s,
                requirement=st.requirement,
                priority=st.priority,
                overflow=_overflow(st.overflow) if st.overflow is not None else None,
            )
            for st in body.steps
        ),
        strategy=Strategy(body.strategy.value),
        rank_skill=body.rank_skill,
        offer_timeout_s=body.offer_timeout_s,
        wrap_up=WrapUpPolicy(WrapUpMode(body.wrap_up_mode.value), body.wrap_up_s),
        max_length=body.max_length,
        on_full=_overflow(body.on_full),
        max_wait_s=body.max_wait_s,
        on_max_wait=_overflow(body.on_max_wait),
        service_target_s=body.service_target_s,
        expected_handle_s=body.expected_handle_s,
    )


def skills(conn: Connection) -> list[SkillOut]:
    rows = conn.execute(select(s.skills).order_by(s.skills.c.id)).mappings()
    return [SkillOut(id=r["id"], name=r["name"]) for r in rows]


def agents(conn: Connection, *, ident: str | None = None) -> list[AgentOut]:
    config = config_repo.load_routing_config(conn)
    return [
        AgentOut(id=a.id, name=a.name, skills=dict(a.skills), campaigns=sorted(a.campaigns))
        for a in config.agents
        if ident is None or a.id == ident
    ]


def agent_profile(ident: str, body: Any) -> AgentProfile:
    return AgentProfile.of(ident, dict(body.skills), body.campaigns, name=body.name)


def reasons(conn: Connection) -> list[ReasonOut]:
    rows = conn.execute(select(s.reason_codes).order_by(s.reason_codes.c.id)).mappings()
    return [ReasonOut(id=r["id"], label=r["label"], system=r["system"]) for r in rows]


def users(conn: Connection, *, ident: int | None = None) -> list[UserOut]:
    query = select(s.users).order_by(s.users.c.id)
    if ident is not None:
        query = query.where(s.users.c.id == ident)
    return [
        UserOut(
            id=r["id"],
            username=r["username"],
            display_name=r["display_name"],
            role=r["role"],
            client_id=r["client_id"],
            agent_id=r["agent_id"],
        )
        for r in conn.execute(query).mappings()
    ]


def numbers(conn: Connection) -> list[NumberOut]:
    rows = conn.execute(select(t.numbers).order_by(t.numbers.c.number)).mappings()
    return [NumberOut(number=r["number"], queue_id=r["queue_id"], label=r["label"]) for r in rows]


def tokens(conn: Connection) -> list[TokenOut]:
    a = t.api_tokens
    query = (
        select(a, s.users.c.username)
        .join(s.users, s.users.c.id == a.c.user_id)
        .order_by(a.c.created_at, a.c.id)
    )
    return [
        TokenOut(
            id=r["id"],
            username=r["username"],
            name=r["name"],
            scope=r["scope"],
            created_at=r["created_at"],
            expires_at=r["expires_at"],
        )
        for r in conn.execute(query).mappings()
    ]
