"""The configuration tables hold the core's configuration and the crm forms, unchanged."""

from __future__ import annotations

from sqlalchemy import Engine

from hearthline.demo.sample import RETURNS_FORMS
from hearthline.kernel.ids import CampaignId, ClientId, QueueId, ReasonId
from hearthline.routing.config import (
    DEFAULT_REASONS,
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    EscalationStep,
    NotReadyReason,
    Overflow,
    OverflowKind,
    QueueConfig,
    RoutingConfig,
)
from hearthline.store import config_repo


def test_routing_config_round_trips_through_the_tables(engine: Engine) -> None:
    campaign = CampaignConfig(CampaignId("c1"), ClientId("acme"), "Sales", False, 3, 30.0)
    queue = QueueConfig(
        id=QueueId("q1"),
        campaign=campaign.id,
        requirement="en>=2",
        steps=(EscalationStep(after_s=20, requirement="en>=1", priority=4),),
        max_length=5,
        on_full=Overflow(OverflowKind.QUEUE, QueueId("q1")),
        max_wait_s=300.0,
    )
    agent = AgentProfile.of("a1", {"en": 3, "fr": 2}, ["c1"], name="Ana")
    with engine.begin() as conn:
        config_repo.save_firm(conn, "f", settings=CenterSettings(connection_grace_s=10))
        config_repo.save_client(conn, "acme", firm="f")
        config_repo.save_campaign(conn, campaign)
        config_repo.save_queue(conn, queue)
        config_repo.save_agent(conn, agent)
    with engine.connect() as conn:
        loaded = config_repo.load_routing_config(conn)
    assert loaded.campaigns == (campaign,)
    assert loaded.queues == (queue,)
    assert loaded.agents == (agent,)
    assert loaded.settings.connection_grace_s == 10


def test_a_whole_routing_configuration_is_seeded_and_read_back_the_same(engine: Engine) -> None:
    campaigns = (
        CampaignConfig(CampaignId("c1"), ClientId("acme"), "Sales"),
        CampaignConfig(CampaignId("c2"), ClientId("globex"), "Help"),
    )
    routing = RoutingConfig(
        campaigns=campaigns,
        queues=(
            QueueConfig(QueueId("q1"), CampaignId("c1"), requirement="en>=1"),
            QueueConfig(
                QueueId("q2"),
                CampaignId("c2"),
                max_wait_s=60.0,
                on_max_wait=Overflow(OverflowKind.QUEUE, QueueId("q1")),
            ),
        ),
        agents=(AgentProfile.of("a1", {"en": 3}, ["c1", "c2"], name="Ana"),),
        # In the order the tables give them back: by id.
        reasons=tuple(
            sorted(
                (*DEFAULT_REASONS, NotReadyReason(ReasonId("meeting"), "Team meeting")),
                key=lambda r: r.id,
            )
        ),
        settings=CenterSettings(connection_grace_s=15),
    )
    with engine.begin() as conn:
        config_repo.save_routing_config(conn, routing, firm="f", client_names={"acme": "Acme"})
    with engine.connect() as conn:
        assert config_repo.load_routing_config(conn) == routing
        assert config_repo.queue_clients(conn) == {"q1": "acme", "q2": "globex"}


def test_saving_an_agent_again_replaces_skills_and_certifications(seeded: Engine) -> None:
    changed = AgentProfile.of("a001", {"returns": 1, "vip": 5}, [])
    with seeded.begin() as conn:
        config_repo.save_agent(conn, changed)
    with seeded.connect() as conn:
        agents = {a.id: a for a in config_repo.load_routing_config(conn).agents}
    assert agents["a001"] == changed


def test_a_retired_agent_is_configured_no_more_until_saved_again(seeded: Engine) -> None:
    with seeded.begin() as conn:
        config_repo.retire_agent(conn, "a001", at=5.0)
    with seeded.connect() as conn:
        assert "a001" not in {a.id for a in config_repo.load_routing_config(conn).agents}
    back = AgentProfile.of("a001", {"returns": 2}, [])
    with seeded.begin() as conn:
        config_repo.save_agent(conn, back)
    with seeded.connect() as conn:
        agents = {a.id: a for a in config_repo.load_routing_config(conn).agents}
    assert agents["a001"] == back


def test_forms_and_dispositions_round_trip(seeded: Engine) -> None:
    with seeded.connect() as conn:
        forms = config_repo.load_forms(conn)
        clients = config_repo.queue_clients(conn)
    assert forms[RETURNS_FORMS.campaign] == RETURNS_FORMS
    assert clients == {"returns": "acme"}
