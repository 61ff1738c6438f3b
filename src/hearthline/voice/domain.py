"""Call control as a domain of the one write path (see ``kernel.domain``)."""

from __future__ import annotations

from collections.abc import Sequence

from hearthline.kernel.clock import Clock
from hearthline.kernel.domain import Domain, DomainEvent, Live, Setup, load_pickled
from hearthline.voice.calls import Switchboard
from hearthline.voice.commands import VoiceCommand
from hearthline.voice.errors import VoiceError
from hearthline.voice.events import VOICE_EVENT_TYPES, VoiceEvent


class LiveVoice(Live):
    def __init__(self, switchboard: Switchboard, clock: Clock) -> None:
        self.switchboard = switchboard
        self.clock = clock

    def decide(self, command: object) -> Sequence[DomainEvent]:
        assert isinstance(command, VoiceCommand)  # the writer sends only what we registered
        return self.switchboard.decide(command, at=self.clock.now())

    def follow(self, event: DomainEvent) -> None:
        if isinstance(event, VoiceEvent):
            self.switchboard.apply(event)

    def __getstate__(self) -> object:
        return self.switchboard  # the clock is the writer's, given again on load

    def __setstate__(self, switchboard: Switchboard) -> None:
        self.switchboard = switchboard

    @classmethod
    def load(cls, blob: bytes, setup: Setup) -> Live | None:
        live = load_pickled(blob, setup)
        if isinstance(live, LiveVoice):
            live.clock = setup.clock
        return live


DOMAIN = Domain(
    name="voice",
    package="hearthline.voice",
    commands=(VoiceCommand,),
    events=VOICE_EVENT_TYPES,
    refusals=(VoiceError,),
    start=lambda setup: LiveVoice(Switchboard(), setup.clock),
    load=LiveVoice.load,
)
