"""Knowledge as a domain of the registry (see ``kernel.domain``).

Articles, bulletins and call guides are documents that editors change and agents
acknowledge, not steps of a contact: they live in tables, written by
``service/actions/knowledge.py`` and ``guides.py`` with their audit records. What is a
step of a contact is the path an agent takes through a call guide: that is an event
(``walks.GuidePathSaved``) in the log, on the contact, with its client's scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from hearthline.kernel.clock import Clock
from hearthline.kernel.domain import Domain, DomainEvent, Live, Setup, load_pickled
from hearthline.knowledge.errors import KnowledgeError
from hearthline.knowledge.walks import GuidePathSaved, SaveGuidePath


class LiveKnowledge(Live):
    """Keeps nothing: the guides are in tables, the paths in the log."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def decide(self, command: object) -> Sequence[DomainEvent]:
        assert isinstance(command, SaveGuidePath)  # the writer sends only what we registered
        c = command
        return (
            GuidePathSaved(
                self.clock.now(), c.contact, c.agent, c.campaign, c.version, c.path, c.step
            ),
        )

    def __getstate__(self) -> object:
        return None  # the clock is the writer's, given again on load

    def __setstate__(self, state: object) -> None:
        pass

    @classmethod
    def load(cls, blob: bytes, setup: Setup) -> Live | None:
        live = load_pickled(blob, setup)
        if isinstance(live, LiveKnowledge):
            live.clock = setup.clock
        return live


DOMAIN = Domain(
    name="knowledge",
    package="hearthline.knowledge",
    commands=(SaveGuidePath,),
    events=(GuidePathSaved,),
    refusals=(KnowledgeError,),
    start=lambda setup: LiveKnowledge(setup.clock),
    load=LiveKnowledge.load,
)
