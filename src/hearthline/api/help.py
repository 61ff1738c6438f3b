"""Whom a help request belongs to: who may list and answer it, and whose streams hear of it.

A request asked on a contact belongs to that contact's client company, even when the agent
also works for others: a supervisor of another client of the same agent never sees it.
One asked with no contact in hand is about the agent alone, so the supervisors of any
client the agent works for see it. One whose contact no client was known for is seen
firm-wide only.
"""

from __future__ import annotations

from hearthline.api.directory import Directory
from hearthline.api.hub import Hub
from hearthline.api.principal import Principal
from hearthline.api.schemas import HelpOut
from hearthline.api.scope import agent_visible
from hearthline.store.queries.help import HelpRow


def help_scope(d: Directory, p: Principal) -> tuple[list[str] | None, str | None]:
    """The ``agents`` and ``client`` arguments of ``help_q.newest`` for staff ``p``: scoped
    in the query, before its limit, so other clients' requests never crowd out their own.
    (None, None) firm-wide."""
    if p.firm_wide:
        return None, None
    return sorted(a for a in d.agent_campaigns if agent_visible(d, p, a)), p.client_id


def help_visible(d: Directory, p: Principal, row: HelpRow) -> bool:
    """Whether staff ``p`` may list and answer ``row`` (the query's ``client`` rule too)."""
    if p.firm_wide:
        return True
    if not agent_visible(d, p, row.agent_id):
        return False
    return row.contact_id is None or row.client_id == p.client_id


def notify_help(hub: Hub, out: HelpOut) -> None:
    """Sends a request, or its answer, to the agent and the staff who may see it."""
    message: dict[str, object] = {"type": "help", "request": out.model_dump()}
    if out.contact_id is None or out.client_id is not None:
        # client None: the supervisors of every client the agent works for.
        hub.notify(message, agent=out.agent_id, client=out.client_id)
        return
    hub.notify(message, agent=None, client=None)  # the firm-wide staff alone
    hub.tell_agent(out.agent_id, message)
