"""What was recorded about a contact, in the past tense. Frozen; appended to the event log.

``CRM_EVENT_TYPES`` maps each class name to its class, as ``EVENT_TYPES`` does for routing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CrmEvent:
    at: float
    contact: str
    agent: str


@dataclass(frozen=True, slots=True)
class NoteDrafted(CrmEvent):
    revision: int
    text: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class NoteFinalised(CrmEvent):
    revision: int
    text: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class DispositionRecorded(CrmEvent):
    campaign: str
    disposition: str
    counts_as_sale: bool
    counts_as_save: bool


@dataclass(frozen=True, slots=True)
class OutcomeCorrected(CrmEvent):
    """A finished contact's outcome changed after the fact, by ``by`` for ``reason``.

    ``agent`` is the agent whose outcome it is (the bonus and the figures are theirs);
    ``was`` and its flags are the outcome it replaces, and ``recorded_at`` when the
    contact's first outcome was recorded: the reports count the change in that outcome's
    interval, so a contact counts once, as corrected."""

    campaign: str
    disposition: str
    counts_as_sale: bool
    counts_as_save: bool
    was: str
    was_sale: bool
    was_save: bool
    recorded_at: float
    by: str
    reason: str


CRM_EVENT_TYPES: dict[str, type[CrmEvent]] = {
    cls.__name__: cls for cls in (NoteDrafted, NoteFinalised, DispositionRecorded, OutcomeCorrected)
}
