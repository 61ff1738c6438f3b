"""Schedules as a domain of the one write path (see ``kernel.domain``): contracts, open
shifts and picks are decided on the writer; adherence follows the agents' states."""

from __future__ import annotations

from collections.abc import Sequence

from hearthline.kernel.clock import Clock
from hearthline.kernel.domain import Domain, DomainEvent, Live, Setup, load_pickled
from hearthline.wfm.board import Board
from hearthline.wfm.commands import ConfigureScheduling, ScheduleCommand, SetContract
from hearthline.wfm.errors import ScheduleError
from hearthline.wfm.events import SCHEDULE_EVENT_TYPES


class LiveSchedules(Live):
    def __init__(self, board: Board, clock: Clock) -> None:
        self.board = board
        self.clock = clock

    def decide(self, command: object) -> Sequence[DomainEvent]:
        assert isinstance(command, ScheduleCommand)  # the writer sends only what we registered
        return self.board.decide(command, at=self.clock.now())

    def tick(self) -> Sequence[DomainEvent]:
        return self.board.due(self.clock.now())

    def next_deadline(self) -> float | None:
        return self.board.next_close()

    def follow(self, event: DomainEvent) -> None:
        self.board.follow(event)

    def __getstate__(self) -> object:
        return self.board  # the clock is the writer's, given again on load

    def __setstate__(self, board: Board) -> None:
        self.board = board

    @classmethod
    def load(cls, blob: bytes, setup: Setup) -> Live | None:
        live = load_pickled(blob, setup)
        if isinstance(live, LiveSchedules):
            live.clock = setup.clock
        return live


DOMAIN = Domain(
    name="schedules",
    package="hearthline.wfm",
    commands=(ScheduleCommand,),
    reserved=(ConfigureScheduling, SetContract),
    events=SCHEDULE_EVENT_TYPES,
    refusals=(ScheduleError,),
    checks_own_values=True,
    start=lambda setup: LiveSchedules(Board(), setup.clock),
    load=LiveSchedules.load,
)
