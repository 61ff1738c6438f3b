"""An evaluation's life: the agent acknowledges it or disputes it; a supervisor resolves
a dispute by upholding the evaluation or overturning it (it then counts in no trend)."""

from __future__ import annotations

from enum import StrEnum

from hearthline.quality.errors import WrongStatus


class Status(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    DISPUTED = "disputed"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class Step(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    DISPUTE = "dispute"
    UPHOLD = "uphold"
    OVERTURN = "overturn"


_MOVES: dict[Step, tuple[Status, Status]] = {
    Step.ACKNOWLEDGE: (Status.OPEN, Status.ACKNOWLEDGED),
    Step.DISPUTE: (Status.OPEN, Status.DISPUTED),
    Step.UPHOLD: (Status.DISPUTED, Status.UPHELD),
    Step.OVERTURN: (Status.DISPUTED, Status.OVERTURNED),
}


def after(status: Status, step: Step) -> Status:
    """The status ``step`` leads to from ``status``, or a refusal naming both."""
    expected, result = _MOVES[step]
    if status is not expected:
        raise WrongStatus(f"cannot {step} an evaluation that is {status}; it must be {expected}")
    return result


def counts(status: Status) -> bool:
    """Whether an evaluation counts in trends: an overturned one does not."""
    return status is not Status.OVERTURNED
