"""Configuration, event log, snapshots and read models

Revision ID: 0001
Revises:
Create Date: 2026-11-22 16:25:20.800629
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_interval_stats",
        sa.Column("agent_id", sa.String(length=200), nullable=False),
        sa.Column("interval_start", sa.Float(), nullable=False),
        sa.Column("offers", sa.Integer(), server_default="0", nullable=False),
        sa.Column("answered", sa.Integer(), server_default="0", nullable=False),
        sa.Column("declined", sa.Integer(), server_default="0", nullable=False),
        sa.Column("missed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("handled", sa.Integer(), server_default="0", nullable=False),
        sa.Column("transferred", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dropped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("available_s", sa.Float(), server_default="0", nullable=False),
        sa.Column("reserved_s", sa.Float(), server_default="0", nullable=False),
        sa.Column("talk_s", sa.Float(), server_default="0", nullable=False),
        sa.Column("hold_s", sa.Float(), server_default="0", nullable=False),
        sa.Column("wrap_s", sa.Float(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("agent_id", "interval_start", name=op.f("pk_agent_interval_stats")),
    )
    op.create_table(
        "agent_not_ready_stats",
        sa.Column("agent_id", sa.String(length=200), nullable=False),
        sa.Column("interval_start", sa.Float(), nullable=False),
        sa.Column("reason_id", sa.String(length=200), nullable=False),
        sa.Column("system", sa.Boolean(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "agent_id", "interval_start", "reason_id", name=op.f("pk_agent_not_ready_stats")
        ),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("capacity", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=True),
        sa.Column("contact_id", sa.String(length=200), nullable=True),
        sa.Column("agent_id", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_events_client_id_id"), ["client_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_events_contact_id"), ["contact_id"], unique=False)

    op.create_table(
        "firm",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("connection_grace_s", sa.Float(), server_default="60", nullable=False),
        sa.Column("direct_transfer_wait_s", sa.Float(), server_default="30", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firm")),
    )
    op.create_table(
        "queue_interval_stats",
        sa.Column("queue_id", sa.String(length=200), nullable=False),
        sa.Column("interval_start", sa.Float(), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=True),
        sa.Column("offered", sa.Integer(), server_default="0", nullable=False),
        sa.Column("callbacks_offered", sa.Integer(), server_default="0", nullable=False),
        sa.Column("answered", sa.Integer(), server_default="0", nullable=False),
        sa.Column("answered_in_target", sa.Integer(), server_default="0", nullable=False),
        sa.Column("abandoned", sa.Integer(), server_default="0", nullable=False),
        sa.Column("abandoned_in_target", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dropped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("overflowed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("converted_to_callback", sa.Integer(), server_default="0", nullable=False),
        sa.Column("moved_out", sa.Integer(), server_default="0", nullable=False),
        sa.Column("transferred_out", sa.Integer(), server_default="0", nullable=False),
        sa.Column("handled", sa.Integer(), server_default="0", nullable=False),
        sa.Column("wait_answered_s", sa.Float(), server_default="0", nullable=False),
        sa.Column("wait_abandoned_s", sa.Float(), server_default="0", nullable=False),
        sa.Column("max_wait_s", sa.Float(), server_default="0", nullable=False),
        sa.Column("talk_s", sa.Float(), server_default="0", nullable=False),
        sa.Column("hold_s", sa.Float(), server_default="0", nullable=False),
        sa.Column("wrap_s", sa.Float(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("queue_id", "interval_start", name=op.f("pk_queue_interval_stats")),
    )
    with op.batch_alter_table("queue_interval_stats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_queue_interval_stats_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "read_model_checkpoints",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("interval_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_read_model_checkpoints")),
    )
    op.create_table(
        "reason_codes",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("system", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reason_codes")),
    )
    op.create_table(
        "skills",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("code_version", sa.String(length=80), nullable=False),
        sa.Column("taken_at", sa.Float(), nullable=False),
        sa.Column("routing_state", sa.LargeBinary(), nullable=False),
        sa.Column("other_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
    )
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_snapshots_last_event_id"), ["last_event_id"], unique=False
        )

    op.create_table(
        "agent_skills",
        sa.Column("agent_id", sa.String(length=200), nullable=False),
        sa.Column("skill_id", sa.String(length=200), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.CheckConstraint("level >= 0", name=op.f("ck_agent_skills_level_not_negative")),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_agent_skills_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_agent_skills_skill_id_skills")
        ),
        sa.PrimaryKeyConstraint("agent_id", "skill_id", name=op.f("pk_agent_skills")),
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("firm_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["firm_id"], ["firm.id"], name=op.f("fk_clients_firm_id_firm")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("callback_on_drop", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("callback_priority", sa.Integer(), server_default="10", nullable=False),
        sa.Column("prefer_same_agent_s", sa.Float(), server_default="120", nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_campaigns_client_id_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaigns_client_id"), ["client_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.Text(), server_default="", nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=True),
        sa.Column("agent_id", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'supervisor', 'agent', 'client_viewer')",
            name=op.f("ck_users_role_known"),
        ),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_users_agent_id_agents")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_users_client_id_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("agent_id", name=op.f("uq_users_agent_id")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "agent_campaigns",
        sa.Column("agent_id", sa.String(length=200), nullable=False),
        sa.Column("campaign_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_agent_campaigns_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_agent_campaigns_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("agent_id", "campaign_id", name=op.f("pk_agent_campaigns")),
    )
    op.create_table(
        "dispositions",
        sa.Column("campaign_id", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), server_default="", nullable=False),
        sa.Column("counts_as_sale", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("counts_as_save", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_dispositions_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("campaign_id", "id", name=op.f("pk_dispositions")),
    )
    op.create_table(
        "forms",
        sa.Column("campaign_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_forms_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_forms")),
    )
    op.create_table(
        "queues",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("campaign_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("requirement", sa.Text(), server_default="*", nullable=False),
        sa.Column("steps", sa.Text(), server_default="[]", nullable=False),
        sa.Column("strategy", sa.String(length=40), server_default="longest-idle", nullable=False),
        sa.Column("rank_skill", sa.String(length=200), nullable=True),
        sa.Column("offer_timeout_s", sa.Float(), server_default="20", nullable=False),
        sa.Column("wrap_up_mode", sa.String(length=20), server_default="timed", nullable=False),
        sa.Column("wrap_up_s", sa.Float(), server_default="30", nullable=False),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("on_full_kind", sa.String(length=20), server_default="voicemail", nullable=False),
        sa.Column("on_full_queue", sa.String(length=200), nullable=True),
        sa.Column("max_wait_s", sa.Float(), nullable=True),
        sa.Column(
            "on_max_wait_kind", sa.String(length=20), server_default="callback", nullable=False
        ),
        sa.Column("on_max_wait_queue", sa.String(length=200), nullable=True),
        sa.Column("service_target_s", sa.Float(), server_default="20", nullable=False),
        sa.Column("expected_handle_s", sa.Float(), server_default="180", nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_queues_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queues")),
    )
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_queues_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "scripts",
        sa.Column("campaign_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_scripts_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("campaign_id", "name", name=op.f("pk_scripts")),
    )
    op.create_table(
        "form_fields",
        sa.Column("campaign_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), server_default="", nullable=False),
        sa.Column("kind", sa.String(length=20), server_default="text", nullable=False),
        sa.Column("required", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("choices", sa.Text(), server_default="[]", nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["forms.campaign_id"], name=op.f("fk_form_fields_campaign_id_forms")
        ),
        sa.PrimaryKeyConstraint("campaign_id", "name", name=op.f("pk_form_fields")),
    )

    _make_events_append_only()


def downgrade() -> None:
    _drop_append_only_guards()
    op.drop_table("form_fields")
    op.drop_table("scripts")
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queues_campaign_id"))

    op.drop_table("queues")
    op.drop_table("forms")
    op.drop_table("dispositions")
    op.drop_table("agent_campaigns")
    op.drop_table("users")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaigns_client_id"))

    op.drop_table("campaigns")
    op.drop_table("clients")
    op.drop_table("agent_skills")
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_snapshots_last_event_id"))

    op.drop_table("snapshots")
    op.drop_table("skills")
    op.drop_table("reason_codes")
    op.drop_table("read_model_checkpoints")
    with op.batch_alter_table("queue_interval_stats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queue_interval_stats_client_id"))

    op.drop_table("queue_interval_stats")
    op.drop_table("firm")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_contact_id"))
        batch_op.drop_index(batch_op.f("ix_events_client_id_id"))

    op.drop_table("events")
    op.drop_table("agents")
    op.drop_table("agent_not_ready_stats")
    op.drop_table("agent_interval_stats")


# The log is append-only: the database itself refuses to change or delete an event.
_PG_GUARD = """
CREATE FUNCTION hearthline_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def _make_events_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD)
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION hearthline_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
            "FOR EACH STATEMENT EXECUTE FUNCTION hearthline_events_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
                f"BEGIN SELECT RAISE(ABORT, 'the event log is append-only: {action} refused'); END"
            )


def _drop_append_only_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
        op.execute("DROP FUNCTION IF EXISTS hearthline_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute("DROP TRIGGER IF EXISTS events_no_delete")
