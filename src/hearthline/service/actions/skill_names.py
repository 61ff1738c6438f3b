"""Skill names checked against the skills table, and queues that nobody can serve.

A requirement or an agent naming a skill that does not exist is a typing mistake
(``claim`` for ``claims``): routing would read it as a skill nobody has, and contacts
would wait forever. So unknown names are refused with the known ones, and a queue whose
requirement no certified agent meets is saved with a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hearthline.routing.config import AgentProfile, QueueConfig
from hearthline.routing.skills import compile_requirement
from hearthline.service.errors import BadCommand


def _known_list(known: Iterable[str]) -> str:
    names = sorted(known)
    return ", ".join(names) if names else "none yet (add them under Skills)"


def check_requirement(text: str, known: frozenset[str], *, where: str) -> None:
    """Raises BadCommand naming the first unknown skill of ``text`` and the known ones."""
    for skill in compile_requirement(text).skills:
        if skill not in known:
            raise BadCommand(
                f"unknown skill {skill!r} in {where}; known skills: {_known_list(known)}"
            )


def check_queue_skills(queue: QueueConfig, known: frozenset[str]) -> None:
    check_requirement(queue.requirement, known, where="the requirement")
    for n, step in enumerate(queue.steps, start=1):
        if step.requirement is not None:
            check_requirement(step.requirement, known, where=f"the requirement of step {n}")
    if queue.rank_skill is not None and queue.rank_skill not in known:
        raise BadCommand(
            f"unknown skill {queue.rank_skill!r} as the ranking skill; "
            f"known skills: {_known_list(known)}"
        )


def check_agent_skills(profile: AgentProfile, known: frozenset[str]) -> None:
    unknown = sorted(skill for skill, _ in profile.skills if skill not in known)
    if unknown:
        listed = ", ".join(repr(s) for s in unknown)
        plural = "skills" if len(unknown) > 1 else "skill"
        raise BadCommand(f"unknown {plural} {listed}; known skills: {_known_list(known)}")


def unserved_warnings(queue: QueueConfig, agents: Sequence[AgentProfile]) -> list[str]:
    """What an administrator should know before contacts wait in ``queue`` for nobody."""
    certified = [a for a in agents if queue.campaign in a.campaigns]
    if not certified:
        return [
            f"no agent can serve queue {queue.id!r} yet: none is certified for "
            f"campaign {queue.campaign!r}"
        ]
    requirement = compile_requirement(queue.requirement)
    if any(requirement(a.levels) for a in certified):
        return []
    widened = [
        s.requirement
        for s in queue.steps
        if s.requirement is not None
        and any(compile_requirement(s.requirement)(a.levels) for a in certified)
    ]
    message = (
        f"no agent can serve queue {queue.id!r} yet: none certified for campaign "
        f"{queue.campaign!r} meets {queue.requirement!r}"
    )
    if widened:
        message += f" (contacts wait until a step widens it to {widened[0]!r})"
    return [message]
