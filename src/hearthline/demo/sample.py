"""A small sample firm: one client company's returns line, its agents and forms.

A fixture, not part of the product: the tests, the benchmarks and the demo's returns
line start from it. ``seed(engine)`` writes it into the configuration tables of a
migrated, empty database.
"""

from __future__ import annotations

from sqlalchemy import Engine

from hearthline.crm.config import CampaignForms, Disposition, FieldKind, FormField
from hearthline.kernel.ids import AgentId, CampaignId, ClientId, QueueId
from hearthline.routing.config import (
    DEFAULT_REASONS,
    AgentProfile,
    CampaignConfig,
    QueueConfig,
    RoutingConfig,
    WrapUpMode,
    WrapUpPolicy,
)
from hearthline.store import config_repo

FIRM = "hearth"
CLIENT = "acme"
CAMPAIGN = CampaignId("acme-returns")
QUEUE = QueueId("returns")

RETURNS_FORMS = CampaignForms(
    campaign=CAMPAIGN,
    dispositions=(
        Disposition("return-processed", "Return processed"),
        Disposition("prevented-exchange", "Return prevented by exchange", counts_as_save=True),
        Disposition(
            "prevented-resale",
            "Return prevented by resale",
            counts_as_sale=True,
            counts_as_save=True,
        ),
    ),
    fields=(
        FormField("order_number", FieldKind.TEXT, "Order number", required=True),
        FormField("refund_amount", FieldKind.NUMBER, "Refund amount"),
        FormField(
            "reason", FieldKind.CHOICE, "Reason", choices=("damaged", "wrong-size", "changed-mind")
        ),
    ),
)


def agent_id(i: int) -> AgentId:
    return AgentId(f"a{i:03d}")


def seed(
    engine: Engine, *, agents: int = 10, wrap_up_s: float = 5.0, callback_on_drop: bool = True
) -> None:
    """Writes the returns line with ``agents`` agents into the configuration tables."""
    routing = RoutingConfig(
        campaigns=(
            CampaignConfig(
                id=CAMPAIGN,
                client=ClientId(CLIENT),
                name="Returns",
                callback_on_drop=callback_on_drop,
            ),
        ),
        queues=(
            QueueConfig(
                id=QUEUE,
                campaign=CAMPAIGN,
                name="Returns",
                requirement="returns>=1",
                wrap_up=WrapUpPolicy(WrapUpMode.MANUAL, wrap_up_s),
                offer_timeout_s=15.0,
            ),
        ),
        agents=tuple(
            AgentProfile.of(agent_id(i), {"returns": 3}, [CAMPAIGN], name=f"Agent {i}")
            for i in range(agents)
        ),
        reasons=DEFAULT_REASONS,
    )
    with engine.begin() as conn:
        config_repo.save_routing_config(
            conn,
            routing,
            firm=FIRM,
            client_names={FIRM: "Hearth Outsourcing", CLIENT: "Acme Retail"},
        )
        config_repo.save_forms(conn, RETURNS_FORMS, name="Returns call")
        config_repo.save_script(conn, CAMPAIGN, "greeting", "Thank you for calling Acme returns.")
        config_repo.add_user(conn, "admin", role="admin")
        config_repo.add_user(conn, "acme-viewer", role="client_viewer", client=CLIENT)
        config_repo.add_user(conn, agent_id(0), role="agent", agent=agent_id(0))
