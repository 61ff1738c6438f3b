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
    sessions,
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
    scripts,
)
from hearthline.store.tables.help import (
    help_requests,
)
from hearthline.store.tables.log import (
    events,
    snapshots,
)
from hearthline.store.tables.reports import (
    AGENT_STAT_COLUMNS,
    QUEUE_STAT_COLUMNS,
    agent_interval_stats,
    agent_not_ready_stats,
    queue_interval_stats,
    read_model_checkpoints,
)

__all__ = [
    "AGENT_STAT_COLUMNS",
    "ID",
    "QUEUE_STAT_COLUMNS",
    "ROLES",
    "TOKEN_SCOPES",
    "agent_campaigns",
    "agent_interval_stats",
    "agent_not_ready_stats",
    "agent_skills",
    "agents",
    "api_tokens",
    "audit_log",
    "campaigns",
    "clients",
    "customer_contacts",
    "customers",
    "dispositions",
    "events",
    "firm",
    "form_fields",
    "forms",
    "help_requests",
    "metadata",
    "numbers",
    "queue_interval_stats",
    "queues",
    "read_model_checkpoints",
    "reason_codes",
    "scripts",
    "sessions",
    "skills",
    "snapshots",
    "users",
]
