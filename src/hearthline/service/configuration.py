"""Routed configuration: each change is the core's command and the tables' write, stored
in one transaction by the writer (``Writer.configure``), with the caller's audit record
(``around``) in it too. The tables are what the core is configured from on a fresh log;
the log is what it is rebuilt from after that: the two never disagree.
"""

from __future__ import annotations

from hearthline.crm.commands import ConfigureForms
from hearthline.crm.config import CampaignForms
from hearthline.kernel.ids import AgentId
from hearthline.routing import commands as cmd
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    NotReadyReason,
    QueueConfig,
)
from hearthline.service.writer import Around, Stored, Writer
from hearthline.store import config_repo


def update_campaign(
    writer: Writer, campaign: CampaignConfig, *, around: Around | None = None
) -> Stored:
    return writer.configure(
        cmd.ConfigureCampaign(campaign),
        lambda c: config_repo.save_campaign(c, campaign),
        around=around,
    )


def update_queue(writer: Writer, queue: QueueConfig, *, around: Around | None = None) -> Stored:
    return writer.configure(
        cmd.ConfigureQueue(queue), lambda c: config_repo.save_queue(c, queue), around=around
    )


def update_agent(writer: Writer, profile: AgentProfile, *, around: Around | None = None) -> Stored:
    return writer.configure(
        cmd.ConfigureAgent(profile), lambda c: config_repo.save_agent(c, profile), around=around
    )


def retire_agent(writer: Writer, agent: AgentId, *, around: Around | None = None) -> Stored:
    """Takes a signed-out agent off the books, in the core and in the tables."""
    at = writer.clock.now()
    return writer.configure(
        cmd.RetireAgent(agent),
        lambda c: config_repo.retire_agent(c, agent, at=at),
        around=around,
    )


def update_reasons(
    writer: Writer, reasons: tuple[NotReadyReason, ...], *, around: Around | None = None
) -> Stored:
    return writer.configure(
        cmd.ConfigureReasons(reasons),
        lambda c: config_repo.save_reasons(c, reasons),
        around=around,
    )


def update_settings(
    writer: Writer, settings: CenterSettings, *, around: Around | None = None
) -> Stored:
    return writer.configure(
        cmd.ConfigureCenter(settings),
        lambda c: config_repo.save_settings(c, settings),
        around=around,
    )


def update_forms(
    writer: Writer, forms: CampaignForms, *, name: str = "", around: Around | None = None
) -> Stored:
    """A campaign's dispositions and form: stored, then used by the checks at once."""
    return writer.configure(
        ConfigureForms(forms),
        lambda c: config_repo.save_forms(c, forms, name=name),
        around=around,
    )
