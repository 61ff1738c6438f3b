"""The notebook as a domain of the one write path (see ``kernel.domain``)."""

from __future__ import annotations

from collections.abc import Sequence

from hearthline.crm.commands import ConfigureForms, CorrectOutcome, CrmCommand
from hearthline.crm.errors import CrmError
from hearthline.crm.events import CRM_EVENT_TYPES, CrmEvent
from hearthline.crm.notebook import Notebook
from hearthline.kernel.clock import Clock
from hearthline.kernel.domain import Domain, DomainEvent, Live, Setup, load_pickled


class LiveCrm(Live):
    def __init__(self, notebook: Notebook, clock: Clock) -> None:
        self.notebook = notebook
        self.clock = clock

    def decide(self, command: object) -> Sequence[DomainEvent]:
        if isinstance(command, ConfigureForms):
            self.notebook.set_forms(command.forms)
            return ()
        # The writer sends only what we registered.
        assert isinstance(command, CrmCommand | CorrectOutcome)
        return self.notebook.decide(command, at=self.clock.now())

    def follow(self, event: DomainEvent) -> None:
        if isinstance(event, CrmEvent):
            self.notebook.apply(event)
        else:
            self.notebook.observe(event)

    def __getstate__(self) -> object:
        return self.notebook  # the clock is the writer's, given again on load

    def __setstate__(self, notebook: Notebook) -> None:
        self.notebook = notebook

    @classmethod
    def load(cls, blob: bytes, setup: Setup) -> Live | None:
        live = load_pickled(blob, setup)
        if isinstance(live, LiveCrm):
            live.clock = setup.clock
        return live


DOMAIN = Domain(
    name="crm",
    package="hearthline.crm",
    commands=(CrmCommand, CorrectOutcome, ConfigureForms),
    reserved=(ConfigureForms,),
    events=tuple(CRM_EVENT_TYPES.values()),
    refusals=(CrmError,),
    checks_own_values=True,
    start=lambda setup: LiveCrm(Notebook(), setup.clock),
    load=LiveCrm.load,
)
