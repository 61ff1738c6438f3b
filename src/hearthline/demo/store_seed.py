"""Writes a simulator scenario's routing configuration into the store's config tables.

The server configures its routing core from those tables on first start, so the real
service routes exactly the queues, skills and agents the scenario describes.
"""

from __future__ import annotations

from sqlalchemy import Connection

from hearthline.routing.config import RoutingConfig
from hearthline.store import config_repo


def save_routing_config(
    conn: Connection, routing: RoutingConfig, *, firm: str, client_names: dict[str, str]
) -> None:
    """Firm, clients, campaigns, queues, reasons and agents (with skills) of ``routing``."""
    config_repo.save_firm(conn, firm, name=client_names.get(firm, firm), settings=routing.settings)
    for client in sorted({c.client for c in routing.campaigns}):
        config_repo.save_client(conn, client, firm=firm, name=client_names.get(client, client))
    for campaign in routing.campaigns:
        config_repo.save_campaign(conn, campaign)
    for queue in routing.queues:
        config_repo.save_queue(conn, queue)
    config_repo.save_reasons(conn, routing.reasons)
    for agent in routing.agents:  # with their skills, which need no row of their own first
        config_repo.save_agent(conn, agent)
