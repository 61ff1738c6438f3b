"""The configuration as stored: the firm, clients, campaigns, queues, skills, agents,
reasons, numbers, a campaign's forms and script, the center settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hearthline.routing.config import AgentProfile, QueueConfig
from hearthline.store import codec, config_repo
from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected


@dataclass(frozen=True, slots=True)
class ClientRow:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class CampaignRow:
    id: str
    client_id: str
    name: str
    callback_on_drop: bool
    callback_priority: int
    prefer_same_agent_s: float


@dataclass(frozen=True, slots=True)
class SkillRow:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ReasonRow:
    id: str
    label: str
    system: bool


@dataclass(frozen=True, slots=True)
class NumberRow:
    number: str
    queue_id: str | None
    label: str


@dataclass(frozen=True, slots=True)
class SettingsRow:
    connection_grace_s: float
    direct_transfer_wait_s: float


@dataclass(frozen=True, slots=True)
class DispositionRow:
    id: str
    label: str
    counts_as_sale: bool
    counts_as_save: bool


@dataclass(frozen=True, slots=True)
class FieldRow:
    name: str
    kind: str
    label: str
    required: bool
    choices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormsRow:
    campaign_id: str
    name: str
    dispositions: tuple[DispositionRow, ...]
    fields: tuple[FieldRow, ...]
    script: str | None


def firm_id(bind: Bind) -> str | None:
    with connected(bind) as conn:
        found: str | None = conn.execute(select(t.firm.c.id).limit(1)).scalar_one_or_none()
    return found


def settings(bind: Bind) -> SettingsRow | None:
    """The center settings; None before the firm exists."""
    with connected(bind) as conn:
        row = conn.execute(select(t.firm).limit(1)).mappings().first()
    if row is None:
        return None
    return SettingsRow(row["connection_grace_s"], row["direct_transfer_wait_s"])


def requires_two_factor(bind: Bind) -> bool:
    """Whether the firm requires supervisors and administrators to use a second factor."""
    with connected(bind) as conn:
        found = conn.execute(select(t.firm.c.require_two_factor).limit(1)).scalar()
    return bool(found)


def shows_listen_in(bind: Bind) -> bool:
    """Whether the agent's desk shows a supervisor listening in (default: yes)."""
    with connected(bind) as conn:
        found = conn.execute(select(t.firm.c.show_listen_in).limit(1)).scalar()
    return True if found is None else bool(found)


def clients(bind: Bind) -> list[ClientRow]:
    with connected(bind) as conn:
        rows = conn.execute(select(t.clients).order_by(t.clients.c.id)).mappings().all()
    return [ClientRow(r["id"], r["name"]) for r in rows]


def client_exists(bind: Bind, client: str) -> bool:
    with connected(bind) as conn:
        query = select(t.clients.c.id).where(t.clients.c.id == client)
        return conn.execute(query).first() is not None


def campaigns(bind: Bind, *, ident: str | None = None) -> list[CampaignRow]:
    query = select(t.campaigns).order_by(t.campaigns.c.id)
    if ident is not None:
        query = query.where(t.campaigns.c.id == ident)
    with connected(bind) as conn:
        rows = conn.execute(query).mappings().all()
    return [
        CampaignRow(
            id=r["id"],
            client_id=r["client_id"],
            name=r["name"],
            callback_on_drop=r["callback_on_drop"],
            callback_priority=r["callback_priority"],
            prefer_same_agent_s=r["prefer_same_agent_s"],
        )
        for r in rows
    ]


def queues(bind: Bind, *, ident: str | None = None) -> list[QueueConfig]:
    with connected(bind) as conn:
        config = config_repo.load_routing_config(conn)
    return [q for q in config.queues if ident is None or q.id == ident]


def agents(bind: Bind, *, ident: str | None = None) -> list[AgentProfile]:
    with connected(bind) as conn:
        config = config_repo.load_routing_config(conn)
    return [a for a in config.agents if ident is None or a.id == ident]


def agent_exists(bind: Bind, agent: str) -> bool:
    with connected(bind) as conn:
        query = select(t.agents.c.id).where(t.agents.c.id == agent)
        return conn.execute(query).first() is not None


def agent_names(bind: Bind) -> dict[str, str]:
    with connected(bind) as conn:
        rows = conn.execute(select(t.agents.c.id, t.agents.c.name)).all()
    return {str(i): str(n) for i, n in rows}


def account_of_agent(bind: Bind, agent: str) -> str | None:
    """The username of the account that signs in as ``agent``, if any."""
    u = t.users
    with connected(bind) as conn:
        found: str | None = conn.execute(
            select(u.c.username).where(u.c.agent_id == agent)
        ).scalar_one_or_none()
    return found


def skills(bind: Bind) -> list[SkillRow]:
    with connected(bind) as conn:
        rows = conn.execute(select(t.skills).order_by(t.skills.c.id)).mappings().all()
    return [SkillRow(r["id"], r["name"]) for r in rows]


def known_skills(bind: Bind) -> frozenset[str]:
    """The ids of the configured skills: the only ones an agent may be given."""
    with connected(bind) as conn:
        return frozenset(str(k) for k in conn.execute(select(t.skills.c.id)).scalars())


def reasons(bind: Bind) -> list[ReasonRow]:
    with connected(bind) as conn:
        rows = conn.execute(select(t.reason_codes).order_by(t.reason_codes.c.id)).mappings()
        return [ReasonRow(r["id"], r["label"], r["system"]) for r in rows]


def numbers(bind: Bind, *, number: str | None = None) -> list[NumberRow]:
    query = select(t.numbers).order_by(t.numbers.c.number)
    if number is not None:
        query = query.where(t.numbers.c.number == number)
    with connected(bind) as conn:
        rows = conn.execute(query).mappings().all()
    return [NumberRow(r["number"], r["queue_id"], r["label"]) for r in rows]


def forms(bind: Bind, campaign: str) -> FormsRow:
    """A campaign's outcomes, form fields and first script, as configured now."""
    with connected(bind) as conn:
        form = conn.execute(select(t.forms.c.name).where(t.forms.c.campaign_id == campaign)).first()
        dispositions = tuple(
            DispositionRow(r["id"], r["label"], r["counts_as_sale"], r["counts_as_save"])
            for r in conn.execute(
                select(t.dispositions)
                .where(t.dispositions.c.campaign_id == campaign)
                .order_by(t.dispositions.c.position)
            ).mappings()
        )
        fields = tuple(
            FieldRow(
                name=r["name"],
                kind=r["kind"],
                label=r["label"],
                required=r["required"],
                choices=codec.load_value(tuple[str, ...], r["choices"]),
            )
            for r in conn.execute(
                select(t.form_fields)
                .where(t.form_fields.c.campaign_id == campaign)
                .order_by(t.form_fields.c.position)
            ).mappings()
        )
        script: str | None = conn.execute(
            select(t.scripts.c.body)
            .where(t.scripts.c.campaign_id == campaign)
            .order_by(t.scripts.c.name)
            .limit(1)
        ).scalar_one_or_none()
    return FormsRow(
        campaign_id=campaign,
        name=form[0] if form is not None else "",
        dispositions=dispositions,
        fields=fields,
        script=script,
    )


def directory(
    bind: Bind,
) -> tuple[dict[str, str], dict[str, str], dict[str, frozenset[str]]]:
    """(campaign -> client, queue -> campaign, agent -> campaigns certified for)."""
    with connected(bind) as conn:
        campaign_client = {
            str(c): str(cl)
            for c, cl in conn.execute(select(t.campaigns.c.id, t.campaigns.c.client_id))
        }
        queue_campaign = {
            str(q): str(c) for q, c in conn.execute(select(t.queues.c.id, t.queues.c.campaign_id))
        }
        certified: dict[str, set[str]] = {
            str(a): set() for (a,) in conn.execute(select(t.agents.c.id))
        }
        for agent, campaign in conn.execute(
            select(t.agent_campaigns.c.agent_id, t.agent_campaigns.c.campaign_id)
        ):
            certified.setdefault(str(agent), set()).add(str(campaign))
    return campaign_client, queue_campaign, {a: frozenset(c) for a, c in certified.items()}
