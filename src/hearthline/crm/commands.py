"""What an agent asks to record about a contact. Frozen, checked by ``Notebook.decide``."""

from __future__ import annotations

from dataclasses import dataclass

from hearthline.crm.config import CampaignForms


@dataclass(frozen=True, slots=True)
class CrmCommand:
    contact: str
    agent: str


@dataclass(frozen=True, slots=True)
class DraftNote(CrmCommand):
    """An autosave of the free notes and form fields as typed so far.

    ``revision`` counts the agent's saves upwards; a save older than one stored already
    (it arrived late, out of order) is refused, so a stale save never hides a newer one.
    """

    revision: int
    text: str = ""
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class FinishNote(CrmCommand):
    """The final note and the outcome: required form fields and a known disposition."""

    disposition: str
    text: str = ""
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CorrectOutcome:
    """A supervisor's or administrator's correction of a finished contact's outcome,
    with the reason (the customer returned what they bought: a sale is no sale).

    Not an agent's command: ``by`` is the user correcting, and the outcome stays the
    agent's who recorded it (their pay and figures follow the correction)."""

    contact: str
    disposition: str
    reason: str
    by: str


@dataclass(frozen=True, slots=True)
class ConfigureForms:
    """A campaign's dispositions and form, as stored: the checks use them at once.

    Issued by the service only, in the transaction that saves them; it leaves no event
    (the tables are the truth for forms, and a restart reads them back)."""

    forms: CampaignForms
