"""The only way endpoints fetch protected things: ``access_*`` checks that take the caller.

The tenant is the client company. Administrators, and supervisors with no client of
their own, see the whole firm; a supervisor or a client viewer tied to one client sees
that client only; an agent sees the clients they are certified for, their own state and
the contacts they have had. Whatever a caller may not see is answered as if it did not
exist (404), so ids of other clients' things cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable

from hearthline.api.directory import Directory
from hearthline.api.errors import not_found
from hearthline.api.principal import Principal, Role
from hearthline.routing.tenancy import Tenancy
from hearthline.store.queries import history
from hearthline.store.queries.bind import Engine


def client_visible(d: Directory, p: Principal, client: str | None) -> bool:
    if p.firm_wide:
        return True
    if client is None:
        return False
    if p.role is Role.AGENT:
        return p.agent_id is not None and client in d.agent_clients(p.agent_id)
    return client == p.client_id


def live_contact_visible(tenancy: Tenancy, p: Principal) -> Callable[[str], bool]:
    """Whether ``p`` may see a live contact, by the client the writer says it is for."""
    if p.firm_wide:
        return lambda _contact: True
    return lambda contact: tenancy.client_of_contact(contact) == p.client_id


def visible_clients(d: Directory, p: Principal) -> frozenset[str] | None:
    """The clients the caller sees; None for all of them."""
    if p.firm_wide:
        return None
    if p.role is Role.AGENT:
        return d.agent_clients(p.agent_id) if p.agent_id is not None else frozenset()
    return frozenset({p.client_id}) if p.client_id is not None else frozenset()


def access_client(d: Directory, p: Principal, client: str, *, known: bool) -> str:
    if not known or not client_visible(d, p, client):
        raise not_found("client", client)
    return client


def access_campaign(d: Directory, p: Principal, campaign: str) -> str:
    client = d.campaign_client.get(campaign)
    if client is None or not client_visible(d, p, client):
        raise not_found("campaign", campaign)
    if p.role is Role.AGENT and campaign not in d.agent_campaigns.get(p.agent_id or "", ()):
        raise not_found("campaign", campaign)
    return client


def access_queue(d: Directory, p: Principal, queue: str) -> str:
    client = d.queue_client(queue)
    if client is None or not client_visible(d, p, client):
        raise not_found("queue", queue)
    return client


def agent_visible(d: Directory, p: Principal, agent: str) -> bool:
    if agent not in d.agent_campaigns:
        return False
    if p.firm_wide:
        return True
    if p.role is Role.SUPERVISOR:
        return p.client_id in d.agent_clients(agent)
    if p.role is Role.AGENT:
        return p.agent_id == agent
    return False


def access_agent(d: Directory, p: Principal, agent: str) -> str:
    if not agent_visible(d, p, agent):
        raise not_found("agent", agent)
    return agent


def contact_visible(engine: Engine, p: Principal, contact: str) -> bool:
    """From the log: the contact's client companies and the agents who had it."""
    rows = history.contact_parties(engine, contact)
    if not rows:
        return False
    if p.firm_wide:
        return True
    if p.role is Role.AGENT:
        return any(agent == p.agent_id for _, agent in rows)
    if p.role in (Role.SUPERVISOR, Role.CLIENT_VIEWER, Role.CHANNEL):
        return p.client_id is not None and any(client == p.client_id for client, _ in rows)
    return False


def access_contact(engine: Engine, p: Principal, contact: str) -> str:
    """Blocking (one indexed query): call it off the event loop."""
    if not contact_visible(engine, p, contact):
        raise not_found("contact", contact)
    return contact
