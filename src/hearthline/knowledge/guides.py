"""Call guides: a campaign's script as a graph of steps that branch on the caller's answers.

A step says what to say or do (Markdown) and offers answers, each leading to another
step; a step with no answers is an end. A guide is accepted only if every step can be
reached from the first, every answer leads to a step that exists, and every step can
still reach an end (an agent can never be stuck in a loop with no way out). A walk is
the list of (step, answer) pairs taken so far: saving it is saving the whole path, so a
replay of a saved path arrives at the same step whatever happened to the tab.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hearthline.kernel.text import text_problem
from hearthline.knowledge.errors import KnowledgeError

MAX_STEPS = 200
MAX_ANSWERS = 12
MAX_TEXT = 8_000
MAX_LABEL = 120
MAX_PATH = 500
_STEP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")


class GuideInvalid(KnowledgeError):
    """A guide refused as a whole; ``step`` names the step at fault (None: the guide)."""

    def __init__(self, message: str, step: str | None = None) -> None:
        super().__init__(message)
        self.step = step


class PathInvalid(KnowledgeError):
    """A path that this guide cannot have taken: an answer its step does not offer."""


@dataclass(frozen=True, slots=True)
class Answer:
    label: str
    next: str


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    text: str
    answers: tuple[Answer, ...] = ()

    @property
    def is_end(self) -> bool:
        return not self.answers

    def follow(self, label: str) -> str:
        for answer in self.answers:
            if answer.label == label:
                return answer.next
        raise PathInvalid(f"step {self.id!r} offers no answer {label!r}")


@dataclass(frozen=True, slots=True)
class Guide:
    """Checked by ``check``: build guides with ``guide`` (or ``from_script``)."""

    steps: tuple[Step, ...]

    @property
    def start(self) -> str:
        return self.steps[0].id

    def step(self, ident: str) -> Step:
        for s in self.steps:
            if s.id == ident:
                return s
        raise PathInvalid(f"no step {ident!r} in this guide")


Path = tuple[tuple[str, str], ...]


def guide(steps: Sequence[Step]) -> Guide:
    """The guide of ``steps`` (the first is where every call starts), or GuideInvalid."""
    made = Guide(tuple(steps))
    check(made)
    return made


def from_script(text: str) -> Guide:
    """A campaign's plain-text script as a guide of one step, which is also its end.

    Its lines stay lines (Markdown would join them into one paragraph)."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    body = "\n".join(f"{line}  " if line else line for line in lines).rstrip()
    return Guide((Step("script", body or "No script for this campaign yet."),))


def check(g: Guide) -> None:
    """Refuses a guide that an agent could not follow to its end, naming the step."""
    if not g.steps:
        raise GuideInvalid("a guide needs at least one step")
    if len(g.steps) > MAX_STEPS:
        raise GuideInvalid(f"a guide has at most {MAX_STEPS} steps, not {len(g.steps)}")
    ids: set[str] = set()
    for s in g.steps:
        _check_step(s, ids)
        ids.add(s.id)
    for s in g.steps:
        for a in s.answers:
            if a.next not in ids:
                raise GuideInvalid(
                    f"step {s.id!r}: answer {a.label!r} goes to step {a.next!r}, "
                    "which does not exist",
                    s.id,
                )
    edges = {s.id: [a.next for a in s.answers] for s in g.steps}
    reached = _reach([g.start], edges)
    for s in g.steps:
        if s.id not in reached:
            raise GuideInvalid(f"step {s.id!r} cannot be reached from {g.start!r}", s.id)
    ends = [s.id for s in g.steps if s.is_end]
    if not ends:
        raise GuideInvalid("the guide has no end: every step offers answers")
    backwards: dict[str, list[str]] = {s.id: [] for s in g.steps}
    for s in g.steps:
        for a in s.answers:
            backwards[a.next].append(s.id)
    finishing = _reach(ends, backwards)
    for s in g.steps:
        if s.id not in finishing:
            raise GuideInvalid(f"step {s.id!r} never leads to an end", s.id)


def _check_step(s: Step, seen: set[str]) -> None:
    if not _STEP_ID.match(s.id):
        raise GuideInvalid(
            f"step id {s.id!r}: letters, digits, '_', '.', '-', up to 60", s.id or None
        )
    if s.id in seen:
        raise GuideInvalid(f"step {s.id!r} appears twice", s.id)
    problem = text_problem(s.text, limit=MAX_TEXT)
    if problem or not s.text.strip():
        raise GuideInvalid(f"step {s.id!r}: text {problem or 'is empty'}", s.id)
    if len(s.answers) > MAX_ANSWERS:
        raise GuideInvalid(f"step {s.id!r}: at most {MAX_ANSWERS} answers", s.id)
    labels: set[str] = set()
    for a in s.answers:
        problem = text_problem(a.label, limit=MAX_LABEL)
        if problem or not a.label.strip():
            raise GuideInvalid(f"step {s.id!r}: answer {a.label!r} {problem or 'is empty'}", s.id)
        if a.label in labels:
            raise GuideInvalid(f"step {s.id!r}: answer {a.label!r} appears twice", s.id)
        labels.add(a.label)


def _reach(starts: Sequence[str], edges: Mapping[str, Sequence[str]]) -> set[str]:
    seen = set(starts)
    todo = list(starts)
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def replay(g: Guide, path: Sequence[tuple[str, str]]) -> str:
    """The step a call is on after ``path``; PathInvalid if the guide cannot have taken it."""
    if len(path) > MAX_PATH:
        raise PathInvalid(f"a path has at most {MAX_PATH} answers")
    at = g.start
    for step, label in path:
        if step != at:
            raise PathInvalid(f"the path reaches step {at!r}, not {step!r}")
        current = g.step(at)
        if current.is_end:
            raise PathInvalid(f"step {at!r} is an end: nothing follows it")
        at = current.follow(label)
    return at


def answer(g: Guide, path: Path, label: str) -> Path:
    """``path`` with the answer ``label`` given on its current step."""
    at = replay(g, path)
    g.step(at).follow(label)
    return (*path, (at, label))


def back(path: Path) -> Path:
    """``path`` without its last answer: the previous step again."""
    return path[:-1]
