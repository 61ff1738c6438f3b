"""The tables, as SQLAlchemy Core, one module per area; all of them on one ``metadata``.

Core rather than the ORM: the write path appends rows in batches and recovery streams
them back, and neither wants identity maps. The Alembic migrations in ``migrations/``
create exactly these tables (a test compares them), on SQLite and PostgreSQL alike.
Use them as ``from hearthline.store import tables as t; t.users``.
"""

from __future__ import annotations

from hearthline.store.tables.accounts import (
    ROLES,
    TOKEN_SCOPES,
    api_tokens,
    audit_log,
    recovery_codes,
    sessions,
    sign_in_throttle,
    users,
)
from hearthline.store.tables.base import ID, metadata
from hearthline.store.tables.config import (
    agent_campaigns,
    agent_skills,
    agents,
    campaigns,
    clients,
    firm,
    numbers,
    queues,
    reason_codes,
    skills,
)
from hearthline.store.tables.crm import (
    customer_contacts,
    customers,
    dispositions,
    form_fields,
    forms,
    orders,
    scripts,
)
from hearthline.store.tables.guides import call_guides
from hearthline.store.tables.help import (
    help_requests,
)
from hearthline.store.tables.knowledge import (
    bulletin_questions,
    bulletin_receipts,
    bulletins,
    knowledge_articles,
    knowledge_settings,
    knowledge_terms,
    knowledge_versions,
)
from hearthline.store.tables.log import (
    events,
    snapshots,
)
from hearthline.store.tables.menu_reports import menu_exit_stats, menu_interval_stats
from hearthline.store.tables.menus import (
    announcements,
    menu_flows,
    menu_prompts,
    opening_hours,
)
from hearthline.store.tables.pay import (
    bonus_rules,
    contract_pay_rules,
    pay_period_agents,
    pay_periods,
    pay_rules,
    pay_settings,
    rate_cards,
)
from hearthline.store.tables.quality import (
    quality_coaching,
    quality_evaluations,
    quality_templates,
)
from hearthline.store.tables.recordings import (
    recording_policies,
    recording_retention,
    recordings,
)
from hearthline.store.tables.reports import (
    AGENT_STAT_COLUMNS,
    OUTCOME_STAT_COLUMNS,
    QUEUE_STAT_COLUMNS,
    agent_adherence_days,
    agent_day_stats,
    agent_hour_stats,
    agent_interval_stats,
    agent_not_ready_stats,
    agent_outcome_day_stats,
    agent_outcome_hour_stats,
    agent_outcome_stats,
    queue_day_stats,
    queue_hour_stats,
    queue_interval_stats,
    read_model_checkpoints,
    report_day_zone,
)
from hearthline.store.tables.schedules import (
    contracts,
    schedule_settings,
    timesheet_corrections,
)

__all__ = [
    "AGENT_STAT_COLUMNS",
    "ID",
    "OUTCOME_STAT_COLUMNS",
    "QUEUE_STAT_COLUMNS",
    "ROLES",
    "TOKEN_SCOPES",
    "agent_adherence_days",
    "agent_campaigns",
    "agent_day_stats",
    "agent_hour_stats",
    "agent_interval_stats",
    "agent_not_ready_stats",
    "agent_outcome_day_stats",
    "agent_outcome_hour_stats",
    "agent_outcome_stats",
    "agent_skills",
    "agents",
    "announcements",
    "api_tokens",
    "audit_log",
    "bonus_rules",
    "bulletin_questions",
    "bulletin_receipts",
    "bulletins",
    "call_guides",
    "campaigns",
    "clients",
    "contract_pay_rules",
    "contracts",
    "customer_contacts",
    "customers",
    "dispositions",
    "events",
    "firm",
    "form_fields",
    "forms",
    "help_requests",
    "knowledge_articles",
    "knowledge_settings",
    "knowledge_terms",
    "knowledge_versions",
    "menu_exit_stats",
    "menu_flows",
    "menu_interval_stats",
    "menu_prompts",
    "metadata",
    "numbers",
    "opening_hours",
    "orders",
    "pay_period_agents",
    "pay_periods",
    "pay_rules",
    "pay_settings",
    "quality_coaching",
    "quality_evaluations",
    "quality_templates",
    "queue_day_stats",
    "queue_hour_stats",
    "queue_interval_stats",
    "queues",
    "rate_cards",
    "read_model_checkpoints",
    "reason_codes",
    "recording_policies",
    "recording_retention",
    "recordings",
    "recovery_codes",
    "report_day_zone",
    "schedule_settings",
    "scripts",
    "sessions",
    "sign_in_throttle",
    "skills",
    "snapshots",
    "timesheet_corrections",
    "users",
]
