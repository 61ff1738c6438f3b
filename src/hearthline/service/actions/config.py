"""Routed configuration (campaigns, queues, agents, reasons, forms, settings): written
through ``service/configuration.py``, so the core, the log, the tables and the audit record
change in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from hearthline.crm.config import CampaignForms
from hearthline.kernel.envelope import Envelope
from hearthline.kernel.ids import AgentId
from hearthline.routing.config import (
    SYSTEM_REASONS,
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    NotReadyReason,
    QueueConfig,
)
from hearthline.service import configuration
from hearthline.service.actions.audit import Actor, audited, first, plain, transaction
from hearthline.service.actions.skill_names import (
    check_agent_skills,
    check_queue_skills,
    unserved_warnings,
)
from hearthline.service.errors import BadCommand, Conflict, NotFound
from hearthline.service.writer import Writer
from hearthline.store import config_repo
from hearthline.store.queries import config as q


def put_campaign(writer: Writer, who: Actor, campaign: CampaignConfig) -> list[Envelope]:
    if not q.client_exists(writer.engine, campaign.client):
        raise NotFound("client", campaign.client)
    before = q.campaigns(writer.engine, ident=campaign.id)
    if before and before[0].client_id != campaign.client:
        raise Conflict(f"campaign {campaign.id!r} belongs to client {before[0].client_id!r}")
    return configuration.update_campaign(
        writer,
        campaign,
        around=audited(
            who,
            at=writer.clock.now(),
            action="campaign.put",
            target=campaign.id,
            read=lambda c: first(q.campaigns(c, ident=campaign.id)),
        ),
    )


@dataclass(frozen=True, slots=True)
class QueueSaved:
    """The stored change, and what the administrator should know about it."""

    events: list[Envelope]
    warnings: list[str]


def _known_skills(writer: Writer) -> frozenset[str]:
    return frozenset(k.id for k in q.skills(writer.engine))


def put_queue(writer: Writer, who: Actor, queue: QueueConfig) -> QueueSaved:
    """Refuses skills that do not exist; saves a queue nobody can serve yet with a warning
    (the agents may be configured next)."""
    check_queue_skills(queue, _known_skills(writer))
    before = q.queues(writer.engine, ident=queue.id)
    if before and before[0].campaign != queue.campaign:
        raise Conflict(f"queue {queue.id!r} belongs to campaign {before[0].campaign!r}")
    events = configuration.update_queue(
        writer,
        queue,
        around=audited(
            who,
            at=writer.clock.now(),
            action="queue.put",
            target=queue.id,
            read=lambda c: first(q.queues(c, ident=queue.id)),
        ),
    )
    return QueueSaved(events, unserved_warnings(queue, q.agents(writer.engine)))


def put_agent(writer: Writer, who: Actor, profile: AgentProfile) -> list[Envelope]:
    """Refuses skills that do not exist (they are added under Skills first)."""
    check_agent_skills(profile, _known_skills(writer))
    return configuration.update_agent(
        writer,
        profile,
        around=audited(
            who,
            at=writer.clock.now(),
            action="agent.put",
            target=profile.id,
            read=lambda c: first(q.agents(c, ident=profile.id)),
        ),
    )


def retire_agent(writer: Writer, who: Actor, agent: str) -> list[Envelope]:
    """Signed out first (the core refuses otherwise), with no account that signs in as
    them. Their history stays; saving them again brings them back."""
    if not q.agents(writer.engine, ident=agent):
        raise NotFound("agent", agent)
    account = q.account_of_agent(writer.engine, agent)
    if account is not None:
        raise Conflict(
            f"the account {account!r} signs in as agent {agent!r}: "
            "delete it or link it to another agent first"
        )
    return configuration.retire_agent(
        writer,
        AgentId(agent),
        around=audited(
            who,
            at=writer.clock.now(),
            action="agent.retire",
            target=agent,
            read=lambda c: first(q.agents(c, ident=agent)),
        ),
    )


def put_reasons(writer: Writer, who: Actor, reasons: tuple[NotReadyReason, ...]) -> None:
    """Replaces the firm's own not-ready reasons (the system ones are built in)."""
    ids = [r.id for r in reasons]
    system = sorted(set(ids) & {r.id for r in SYSTEM_REASONS})
    if system:
        raise BadCommand(f"system reasons are built in: {', '.join(system)}")
    if len(set(ids)) != len(ids):
        raise BadCommand("each reason id must appear once")
    configuration.update_reasons(
        writer,
        reasons,
        around=audited(
            who,
            at=writer.clock.now(),
            action="reasons.put",
            target="firm",
            read=lambda c: plain(q.reasons(c)),
        ),
    )


def put_forms(writer: Writer, who: Actor, forms: CampaignForms, *, name: str) -> None:
    """Replaces a campaign's outcomes (dispositions) and form fields."""
    for kind, names in (
        ("disposition", [d.id for d in forms.dispositions]),
        ("form field", [f.name for f in forms.fields]),
    ):
        if len(set(names)) != len(names):
            raise BadCommand(f"each {kind} id must appear once")
    for f in forms.fields:
        if (f.kind == "choice") != bool(f.choices):
            raise BadCommand(f"field {f.name!r}: choices go with kind 'choice', and only it")
    configuration.update_forms(
        writer,
        forms,
        name=name,
        around=audited(
            who,
            at=writer.clock.now(),
            action="forms.put",
            target=forms.campaign,
            read=lambda c: plain(q.forms(c, forms.campaign)),
        ),
    )


def put_script(writer: Writer, who: Actor, campaign: str, body: str) -> None:
    """Replaces the script agents of the campaign see beside its form."""

    def script(conn: Connection) -> object:
        return {"script": q.forms(conn, campaign).script}

    around = audited(who, at=writer.clock.now(), action="script.put", target=campaign, read=script)
    with transaction(writer.engine) as conn:
        around(conn, lambda c: config_repo.replace_script(c, campaign, body))


def put_settings(writer: Writer, who: Actor, settings: CenterSettings) -> None:
    """Center-wide settings: the grace period for lost connections, direct transfers."""
    if q.firm_id(writer.engine) is None:
        raise Conflict("no firm yet: run `hearthline init` first")
    configuration.update_settings(
        writer,
        settings,
        around=audited(
            who,
            at=writer.clock.now(),
            action="settings.put",
            target="firm",
            read=lambda c: plain(q.settings(c)),
        ),
    )
