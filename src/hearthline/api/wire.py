"""Stored rows and the core's configuration, to and from the wire models.

The queue's overflow is converted here and only here (``_overflow``, ``_overflow_in``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hearthline.api.schemas import (
    AgentIn,
    AgentOut,
    CampaignIn,
    CampaignOut,
    DispositionIn,
    FormFieldIn,
    FormsIn,
    FormsOut,
    OverflowIn,
    QueueIn,
    QueueOut,
    StepIn,
)
from hearthline.crm.config import CampaignForms, Disposition, FieldKind, FormField
from hearthline.kernel.ids import CampaignId, ClientId, QueueId
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    EscalationStep,
    Overflow,
    QueueConfig,
    Strategy,
    WrapUpMode,
    WrapUpPolicy,
)
from hearthline.store.queries.config import FormsRow


def fields(row: Any) -> dict[str, Any]:
    """A stored row's fields by name, for ``Model(**fields(row))``."""
    return {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}


def campaign_config(ident: str, body: CampaignIn) -> CampaignConfig:
    return CampaignConfig(
        id=CampaignId(ident),
        client=ClientId(body.client_id),
        name=body.name,
        callback_on_drop=body.callback_on_drop,
        callback_priority=body.callback_priority,
        prefer_same_agent_s=body.prefer_same_agent_s,
    )


def campaign_out(row: Any) -> CampaignOut:
    return CampaignOut(**fields(row))


def _overflow_in(o: Overflow) -> OverflowIn:
    return OverflowIn.model_validate({"kind": str(o.kind), "queue": o.queue})


def _overflow(o: OverflowIn) -> Overflow:
    return Overflow.of(o.kind.value, o.queue)


def queue_out(q: QueueConfig) -> QueueOut:
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


def agent_out(a: AgentProfile) -> AgentOut:
    return AgentOut(id=a.id, name=a.name, skills=dict(a.skills), campaigns=sorted(a.campaigns))


def agent_profile(ident: str, body: AgentIn) -> AgentProfile:
    """Raises the core's ConfigError for skill levels out of range."""
    return AgentProfile.of(ident, dict(body.skills), body.campaigns, name=body.name)


def forms_out(row: FormsRow) -> FormsOut:
    return FormsOut(
        campaign_id=row.campaign_id,
        name=row.name,
        dispositions=[DispositionIn(**fields(d)) for d in row.dispositions],
        fields=[
            FormFieldIn.model_validate(fields(f) | {"choices": list(f.choices)}) for f in row.fields
        ],
        script=row.script,
    )


def campaign_forms(campaign: str, body: FormsIn) -> CampaignForms:
    return CampaignForms(
        campaign=campaign,
        dispositions=tuple(
            Disposition(d.id, d.label, d.counts_as_sale, d.counts_as_save)
            for d in body.dispositions
        ),
        fields=tuple(
            FormField(f.name, FieldKind(f.kind.value), f.label, f.required, tuple(f.choices))
            for f in body.fields
        ),
    )
