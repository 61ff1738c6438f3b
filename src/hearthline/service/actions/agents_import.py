"""Many agents at once, from a file checked beforehand: each saved exactly as a single
agent is (``config.put_agent``: the core, the tables and its own audit record)."""

from __future__ import annotations

from collections.abc import Sequence

from hearthline.kernel.envelope import Envelope
from hearthline.routing.config import AgentProfile
from hearthline.service.actions.audit import Actor
from hearthline.service.actions.config import put_agent
from hearthline.service.errors import BadCommand
from hearthline.service.writer import Writer
from hearthline.store.queries import config as q


def import_agents(writer: Writer, who: Actor, profiles: Sequence[AgentProfile]) -> list[Envelope]:
    """Saves every agent, in the file's order. The skills are checked again against the
    store first, so a skill removed since the caller checked refuses the whole file
    before anything changes."""
    known = q.known_skills(writer.engine)
    unknown = sorted({s for p in profiles for s, _ in p.skills} - known)
    if unknown:
        raise BadCommand(f"unknown skills: {', '.join(unknown)}; nothing was imported")
    stored: list[Envelope] = []
    for profile in profiles:
        stored.extend(put_agent(writer, who, profile))
    return stored
