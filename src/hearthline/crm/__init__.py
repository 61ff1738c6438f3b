"""Notes, forms and outcomes of contacts: what the agent records about a customer.

Pure like the routing core (standard library only). Commands are checked here and turned
into events; the service appends them to the same log as the routing events, so a note
typed by an agent is as durable as any state change.
"""

from hearthline.crm.commands import CorrectOutcome, CrmCommand, DraftNote, FinishNote
from hearthline.crm.config import CampaignForms, Disposition, FieldKind, FormField
from hearthline.crm.errors import CrmError, NoteRefused, UnknownContact, UnknownOutcome
from hearthline.crm.events import (
    CRM_EVENT_TYPES,
    CrmEvent,
    DispositionRecorded,
    NoteDrafted,
    NoteFinalised,
    OutcomeCorrected,
)
from hearthline.crm.limits import MAX_FIELD_BYTES, MAX_NOTE_BYTES
from hearthline.crm.notebook import Notebook

__all__ = [
    "CRM_EVENT_TYPES",
    "MAX_FIELD_BYTES",
    "MAX_NOTE_BYTES",
    "CampaignForms",
    "CorrectOutcome",
    "CrmCommand",
    "CrmError",
    "CrmEvent",
    "Disposition",
    "DispositionRecorded",
    "DraftNote",
    "FieldKind",
    "FinishNote",
    "FormField",
    "NoteDrafted",
    "NoteFinalised",
    "NoteRefused",
    "Notebook",
    "OutcomeCorrected",
    "UnknownContact",
    "UnknownOutcome",
]
