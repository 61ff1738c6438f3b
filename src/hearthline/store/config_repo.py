"""The configuration tables: reading them into the core's config, writing changes back.

Routing configuration (campaigns, queues, agents, reasons, center settings) also lives
in the event log as Configure* events; the service changes both in one transaction, so
the tables say what is configured now and the log says when it changed. Clients, users,
skills, scripts, dispositions and forms live only here.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from hearthline.crm.config import CampaignForms, Disposition, FieldKind, FormField
from hearthline.kernel.ids import AgentId, CampaignId, ClientId, QueueId, ReasonId
from hearthline.routing.config import (
    DEFAULT_REASONS,
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    EscalationStep,
    NotReadyReason,
    Overflow,
    QueueConfig,
    RoutingConfig,
    Strategy,
    WrapUpMode,
    WrapUpPolicy,
)
from hearthline.store import tables as t
from hearthline.store.codec import dump_value, load_value
from hearthline.store.upsert import upsert

_Steps = tuple[EscalationStep, ...]

# Reading ---------------------------------------------------------------------------------------


def load_routing_config(conn: Connection) -> RoutingConfig:
    """Everything the routing core is configured with, as the tables hold it now."""
    firm = conn.execute(select(t.firm).limit(1)).mappings().first()
    settings = (
        CenterSettings(
            connection_grace_s=firm["connection_grace_s"],
            direct_transfer_wait_s=firm["direct_transfer_wait_s"],
        )
        if firm is not None
        else CenterSettings()
    )
    campaigns = tuple(
        CampaignConfig(
            id=CampaignId(r["id"]),
            client=ClientId(r["client_id"]),
            name=r["name"],
            callback_on_drop=r["callback_on_drop"],
            callback_priority=r["callback_priority"],
            prefer_same_agent_s=r["prefer_same_agent_s"],
        )
        for r in conn.execute(select(t.campaigns).order_by(t.campaigns.c.id)).mappings()
    )
    queues = tuple(
        _queue(r) for r in conn.execute(select(t.queues).order_by(t.queues.c.id)).mappings()
    )
    reason_rows = conn.execute(select(t.reason_codes).order_by(t.reason_codes.c.id)).mappings()
    reasons = tuple(
        NotReadyReason(ReasonId(r["id"]), r["label"], system=r["system"]) for r in reason_rows
    )
    return RoutingConfig(
        campaigns=campaigns,
        queues=queues,
        agents=_agents(conn),
        reasons=reasons or DEFAULT_REASONS,
        settings=settings,
    )


def _queue(row: RowMapping) -> QueueConfig:
    return QueueConfig(
        id=QueueId(row["id"]),
        campaign=CampaignId(row["campaign_id"]),
        name=row["name"],
        requirement=row["requirement"],
        steps=load_value(_Steps, row["steps"]),
        strategy=Strategy(row["strategy"]),
        rank_skill=row["rank_skill"] or None,
        offer_timeout_s=row["offer_timeout_s"],
        wrap_up=WrapUpPolicy(WrapUpMode(row["wrap_up_mode"]), row["wrap_up_s"]),
        max_length=row["max_length"],
        on_full=Overflow.of(row["on_full_kind"], row["on_full_queue"]),
        max_wait_s=row["max_wait_s"],
        on_max_wait=Overflow.of(row["on_max_wait_kind"], row["on_max_wait_queue"]),
        service_target_s=row["service_target_s"],
        expected_handle_s=row["expected_handle_s"],
    )


def _agents(conn: Connection) -> tuple[AgentProfile, ...]:
    skills: dict[str, list[tuple[str, int]]] = {}
    for agent, skill, level in conn.execute(
        select(t.agent_skills.c.agent_id, t.agent_skills.c.skill_id, t.agent_skills.c.level)
    ):
        skills.setdefault(agent, []).append((skill, level))
    certified: dict[str, set[str]] = {}
    for agent, campaign in conn.execute(
        select(t.agent_campaigns.c.agent_id, t.agent_campaigns.c.campaign_id)
    ):
        certified.setdefault(agent, set()).add(campaign)
    return tuple(
        AgentProfile(
            id=AgentId(ident),
            skills=tuple(sorted(skills.get(ident, []))),
            campaigns=frozenset(CampaignId(c) for c in certified.get(ident, ())),
            name=name,
            capacity=capacity,
        )
        for ident, name, capacity in conn.execute(
            select(t.agents.c.id, t.agents.c.name, t.agents.c.capacity)
            .where(t.agents.c.retired_at.is_(None))
            .order_by(t.agents.c.id)
        )
    )


def load_forms(conn: Connection) -> dict[str, CampaignForms]:
    """Each campaign's dispositions and form fields, for the crm checks."""
    outcomes: dict[str, list[Disposition]] = {}
    for r in conn.execute(
        select(t.dispositions).order_by(t.dispositions.c.campaign_id, t.dispositions.c.position)
    ).mappings():
        outcomes.setdefault(r["campaign_id"], []).append(
            Disposition(r["id"], r["label"], r["counts_as_sale"], r["counts_as_save"])
        )
    fields: dict[str, list[FormField]] = {}
    for r in conn.execute(
        select(t.form_fields).order_by(t.form_fields.c.campaign_id, t.form_fields.c.position)
    ).mappings():
        fields.setdefault(r["campaign_id"], []).append(
            FormField(
                name=r["name"],
                kind=FieldKind(r["kind"]),
                label=r["label"],
                required=r["required"],
                choices=load_value(tuple[str, ...], r["choices"]),
            )
        )
    return {
        c: CampaignForms(c, tuple(outcomes.get(c, ())), tuple(fields.get(c, ())))
        for c in sorted(set(outcomes) | set(fields))
    }


def queue_clients(conn: Connection) -> dict[str, str]:
    """Queue id -> the client company it serves: the tenant of its statistics."""
    query = select(t.queues.c.id, t.campaigns.c.client_id).join(
        t.campaigns, t.queues.c.campaign_id == t.campaigns.c.id
    )
    return {str(q): str(c) for q, c in conn.execute(query)}


# Writing -----------------------------------------------------------------------------------------


def save_firm(
    conn: Connection, ident: str, *, name: str = "", settings: CenterSettings | None = None
) -> None:
    s = settings or CenterSettings()
    upsert(
        conn,
        t.firm,
        [
            {
                "id": ident,
                "name": name,
                "connection_grace_s": s.connection_grace_s,
                "direct_transfer_wait_s": s.direct_transfer_wait_s,
            }
        ],
        keys=["id"],
    )


def save_routing_config(
    conn: Connection,
    routing: RoutingConfig,
    *,
    firm: str,
    client_names: Mapping[str, str] | None = None,
) -> None:
    """Firm, clients, campaigns, queues, reasons and agents (with skills) of ``routing``:
    what the server configures its routing core from on first start. Names default to
    the ids."""
    names = client_names or {}
    save_firm(conn, firm, name=names.get(firm, firm), settings=routing.settings)
    for client in sorted({c.client for c in routing.campaigns}):
        save_client(conn, client, firm=firm, name=names.get(client, client))
    for campaign in routing.campaigns:
        save_campaign(conn, campaign)
    for queue in routing.queues:
        save_queue(conn, queue)
    save_reasons(conn, routing.reasons)
    for agent in routing.agents:  # with their skills, which need no row of their own first
        save_agent(conn, agent)


def save_settings(conn: Connection, settings: CenterSettings) -> None:
    conn.execute(
        update(t.firm).values(
            connection_grace_s=settings.connection_grace_s,
            direct_transfer_wait_s=settings.direct_transfer_wait_s,
        )
    )


def save_client(conn: Connection, ident: str, *, firm: str, name: str = "") -> None:
    upsert(conn, t.clients, [{"id": ident, "firm_id": firm, "name": name}], keys=["id"])


def save_campaign(conn: Connection, campaign: CampaignConfig) -> None:
    row = {
        "id": campaign.id,
        "client_id": campaign.client,
        "name": campaign.name,
        "callback_on_drop": campaign.callback_on_drop,
        "callback_priority": campaign.callback_priority,
        "prefer_same_agent_s": campaign.prefer_same_agent_s,
    }
    upsert(conn, t.campaigns, [row], keys=["id"])


def save_queue(conn: Connection, queue: QueueConfig) -> None:
    row = {
        "id": queue.id,
        "campaign_id": queue.campaign,
        "name": queue.name,
        "requirement": queue.requirement,
        "steps": dump_value(_Steps, queue.steps),
        "strategy": str(queue.strategy),
        "rank_skill": queue.rank_skill,
        "offer_timeout_s": queue.offer_timeout_s,
        "wrap_up_mode": str(queue.wrap_up.mode),
        "wrap_up_s": queue.wrap_up.seconds,
        "max_length": queue.max_length,
        "on_full_kind": str(queue.on_full.kind),
        "on_full_queue": queue.on_full.queue,
        "max_wait_s": queue.max_wait_s,
        "on_max_wait_kind": str(queue.on_max_wait.kind),
        "on_max_wait_queue": queue.on_max_wait.queue,
        "service_target_s": queue.service_target_s,
        "expected_handle_s": queue.expected_handle_s,
    }
    upsert(conn, t.queues, [row], keys=["id"])


def save_skill(conn: Connection, ident: str, *, name: str = "") -> None:
    upsert(conn, t.skills, [{"id": ident, "name": name}], keys=["id"])


def save_agent(conn: Connection, profile: AgentProfile) -> None:
    """The agent's row, skills with levels and campaign certifications, replacing the old."""
    upsert(
        conn,
        t.agents,
        [
            {
                "id": profile.id,
                "name": profile.name,
                "capacity": profile.capacity,
                "retired_at": None,
            }
        ],
        keys=["id"],
    )
    upsert(conn, t.skills, [{"id": s} for s, _ in profile.skills], keys=["id"])
    conn.execute(delete(t.agent_skills).where(t.agent_skills.c.agent_id == profile.id))
    conn.execute(delete(t.agent_campaigns).where(t.agent_campaigns.c.agent_id == profile.id))
    if profile.skills:
        conn.execute(
            insert(t.agent_skills),
            [{"agent_id": profile.id, "skill_id": s, "level": lv} for s, lv in profile.skills],
        )
    if profile.campaigns:
        conn.execute(
            insert(t.agent_campaigns),
            [{"agent_id": profile.id, "campaign_id": c} for c in sorted(profile.campaigns)],
        )


def retire_agent(conn: Connection, agent: str, *, at: float) -> None:
    """Marks the agent retired: no longer configured from the tables, still named by the
    history (the row stays)."""
    conn.execute(update(t.agents).where(t.agents.c.id == agent).values(retired_at=at))


def save_reasons(conn: Connection, reasons: tuple[NotReadyReason, ...]) -> None:
    """The firm's not-ready reasons, replacing the whole catalogue."""
    conn.execute(delete(t.reason_codes))
    if reasons:
        conn.execute(
            insert(t.reason_codes),
            [{"id": r.id, "label": r.label, "system": r.system} for r in reasons],
        )


def save_forms(conn: Connection, forms: CampaignForms, *, name: str = "") -> None:
    """A campaign's dispositions and form, replacing the old ones."""
    campaign = forms.campaign
    conn.execute(delete(t.dispositions).where(t.dispositions.c.campaign_id == campaign))
    conn.execute(delete(t.form_fields).where(t.form_fields.c.campaign_id == campaign))
    upsert(conn, t.forms, [{"campaign_id": campaign, "name": name}], keys=["campaign_id"])
    if forms.dispositions:
        conn.execute(
            insert(t.dispositions),
            [
                {
                    "campaign_id": campaign,
                    "id": d.id,
                    "label": d.label,
                    "counts_as_sale": d.counts_as_sale,
                    "counts_as_save": d.counts_as_save,
                    "position": i,
                }
                for i, d in enumerate(forms.dispositions)
            ],
        )
    if forms.fields:
        conn.execute(
            insert(t.form_fields),
            [
                {
                    "campaign_id": campaign,
                    "name": f.name,
                    "label": f.label,
                    "kind": str(f.kind),
                    "required": f.required,
                    "choices": dump_value(tuple[str, ...], f.choices),
                    "position": i,
                }
                for i, f in enumerate(forms.fields)
            ],
        )


def replace_script(conn: Connection, campaign: str, body: str) -> None:
    """The campaign's one script, in place of whatever scripts it had."""
    conn.execute(delete(t.scripts).where(t.scripts.c.campaign_id == campaign))
    save_script(conn, campaign, "script", body)


def save_script(conn: Connection, campaign: str, name: str, body: str) -> None:
    upsert(
        conn,
        t.scripts,
        [{"campaign_id": campaign, "name": name, "body": body}],
        keys=["campaign_id", "name"],
    )


def add_user(
    conn: Connection,
    username: str,
    *,
    role: str,
    client: str | None = None,
    agent: str | None = None,
    display_name: str = "",
    password_hash: str | None = None,
) -> int:
    """A new user; returns its id. ``role`` is one of ``tables.ROLES``."""
    if role not in t.ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(t.ROLES)}")
    result = conn.execute(
        insert(t.users)
        .values(
            username=username,
            role=role,
            client_id=client,
            agent_id=agent,
            display_name=display_name,
            password_hash=password_hash,
        )
        .returning(t.users.c.id)
    )
    return int(result.scalar_one())
