"""Per-campaign outcomes (dispositions) and forms, as the checks need them. Frozen."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"  # ISO 8601, YYYY-MM-DD
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Disposition:
    """An outcome an agent may give a contact, e.g. 'return prevented by exchange'."""

    id: str
    label: str = ""
    counts_as_sale: bool = False
    counts_as_save: bool = False


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    kind: FieldKind = FieldKind.TEXT
    label: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CampaignForms:
    """What a campaign asks of its agents when they finish a contact."""

    campaign: str
    dispositions: tuple[Disposition, ...] = ()
    fields: tuple[FormField, ...] = ()

    def disposition(self, ident: str) -> Disposition | None:
        return next((d for d in self.dispositions if d.id == ident), None)

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)
