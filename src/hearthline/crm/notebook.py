"""The notebook: which contacts an agent may write about, and the checks on what they write.

    book = Notebook(forms={"returns": CampaignForms(...)})
    book.observe(routing_event)            # every routing event, in log order
    events = book.decide(DraftNote(...), at=now)   # raises CrmError, or returns events
    book.apply(event)                      # for each event once it is stored

An agent may write about a contact they have answered, for as long as the notebook
remembers it -- also after the call dropped or ended, because the agent is still writing
down what the customer said. Drafts carry rising revisions; once the final note is taken,
later drafts are refused rather than silently lost behind it.

Once finished, a contact's outcome can still be corrected (``CorrectOutcome``: the
customer returned what they bought), by a supervisor or an administrator, with a reason;
the outcome stays the agent's who recorded it. The service checks who may correct it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from hearthline.crm.commands import CorrectOutcome, CrmCommand, DraftNote, FinishNote
from hearthline.crm.config import CampaignForms, FormField
from hearthline.crm.errors import NoteRefused, UnknownContact, UnknownOutcome
from hearthline.crm.events import (
    CrmEvent,
    DispositionRecorded,
    NoteDrafted,
    NoteFinalised,
    OutcomeCorrected,
)
from hearthline.crm.limits import MAX_NOTE_BYTES, MAX_REASON_BYTES, check_fields, check_text
from hearthline.routing import events as ev

# Ended contacts remembered for late notes; older ones are refused as unknown.
ENDED_MEMORY = 100_000


@dataclass(slots=True)
class ContactNotes:
    """What the notebook knows of one contact."""

    campaign: str | None
    agents: set[str] = field(default_factory=set)
    revision: int = 0
    final: bool = False
    disposition: str | None = None
    # The outcome as it stands: whose it is, its flags, and when it was first recorded
    # (a correction is counted in that outcome's interval).
    outcome_agent: str = ""
    sale: bool = False
    save: bool = False
    recorded_at: float = 0.0


class Notebook:
    def __init__(self, *, forms: Mapping[str, CampaignForms] | None = None) -> None:
        self.forms: dict[str, CampaignForms] = dict(forms or {})
        self.contacts: dict[str, ContactNotes] = {}
        self._queue_campaign: dict[str, str] = {}
        self._ended: OrderedDict[str, None] = OrderedDict()

    def set_forms(self, forms: CampaignForms) -> None:
        self.forms[forms.campaign] = forms

    def campaign_of(self, contact: str) -> str | None:
        notes = self.contacts.get(contact)
        return notes.campaign if notes is not None else None

    # Following the routing events ---------------------------------------------------------

    def observe(self, event: object) -> None:
        """Follows a routing event: who the contacts are and which agents had them."""
        if isinstance(event, ev.ContactArrived):
            self.contacts[event.contact] = ContactNotes(campaign=event.campaign)
        elif isinstance(event, ev.ContactQueued):
            notes = self.contacts.get(event.contact)
            if notes is not None:
                notes.campaign = self._queue_campaign.get(event.queue, notes.campaign)
        elif isinstance(event, ev.OfferAccepted | ev.ContactHandedOver):
            # Handed over after a consult, the consulted agent writes about it too.
            notes = self.contacts.get(event.contact)
            if notes is not None:
                notes.agents.add(event.agent)
        elif isinstance(event, ev.QueueConfigured):
            self._queue_campaign[event.queue.id] = event.queue.campaign
        elif (ended := ev.ending(event)) is not None:
            self._ended[ended.contact] = None
            while len(self._ended) > ENDED_MEMORY:
                gone, _ = self._ended.popitem(last=False)
                self.contacts.pop(gone, None)

    # Deciding ------------------------------------------------------------------------------

    def decide(self, command: CrmCommand | CorrectOutcome, *, at: float) -> list[CrmEvent]:
        """The events ``command`` produces, or a CrmError naming what is wrong with it."""
        if isinstance(command, CorrectOutcome):
            return [self._correct(command, at)]
        if isinstance(command, DraftNote):
            return [self._draft(command, at)]
        if isinstance(command, FinishNote):
            return self._finish(command, at)
        raise NoteRefused(f"not a crm command: {type(command).__name__}")

    def _writable(self, command: CrmCommand) -> tuple[ContactNotes, dict[str, FormField]]:
        # Typed as object: commands come from outside, and may hold anything.
        contact: object = command.contact
        agent: object = command.agent
        notes = self.contacts.get(contact) if isinstance(contact, str) else None
        if notes is None:
            raise UnknownContact(f"unknown contact {str(contact)[:80]!r}")
        if agent not in notes.agents:
            raise NoteRefused(
                f"agent {str(agent)[:80]!r} has not had contact {contact!r}: "
                "only an agent who answered it writes its notes"
            )
        if notes.final:
            raise NoteRefused(
                f"contact {contact!r} has its final note already (revision {notes.revision})"
            )
        forms = self.forms.get(notes.campaign or "")
        form = {f.name: f for f in forms.fields} if forms is not None else {}
        return notes, form

    def _draft(self, c: DraftNote, at: float) -> NoteDrafted:
        notes, form = self._writable(c)
        revision: object = c.revision
        if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
            raise NoteRefused(f"revision must be a whole number >= 1, not {revision!r:.40}")
        if c.revision <= notes.revision:
            raise NoteRefused(
                f"draft revision {c.revision} of contact {c.contact!r} is out of order: "
                f"revision {notes.revision} is stored already"
            )
        text = check_text(c.text, what="the note", limit=MAX_NOTE_BYTES)
        fields = check_fields(c.fields, form, campaign=notes.campaign or "")
        return NoteDrafted(
            at=at, contact=c.contact, agent=c.agent, revision=c.revision, text=text, fields=fields
        )

    def _finish(self, c: FinishNote, at: float) -> list[CrmEvent]:
        notes, form = self._writable(c)
        campaign = notes.campaign or ""
        text = check_text(c.text, what="the note", limit=MAX_NOTE_BYTES)
        fields = check_fields(c.fields, form, campaign=campaign)
        given = {name for name, value in fields if value.strip()}
        missing = sorted(name for name, spec in form.items() if spec.required and name not in given)
        if missing:
            raise NoteRefused(f"required form field(s) missing: {', '.join(missing)}")
        forms = self.forms.get(campaign)
        outcome = forms.disposition(c.disposition) if forms is not None else None
        if outcome is None:
            known = ", ".join(d.id for d in forms.dispositions) if forms is not None else ""
            raise NoteRefused(
                f"unknown disposition {str(c.disposition)[:80]!r} for campaign {campaign!r}; "
                f"known: {known or 'none configured'}"
            )
        revision = notes.revision + 1
        return [
            NoteFinalised(
                at=at, contact=c.contact, agent=c.agent, revision=revision, text=text, fields=fields
            ),
            DispositionRecorded(
                at=at,
                contact=c.contact,
                agent=c.agent,
                campaign=campaign,
                disposition=outcome.id,
                counts_as_sale=outcome.counts_as_sale,
                counts_as_save=outcome.counts_as_save,
            ),
        ]

    def _correct(self, c: CorrectOutcome, at: float) -> OutcomeCorrected:
        contact: object = c.contact
        notes = self.contacts.get(contact) if isinstance(contact, str) else None
        if notes is None:
            raise UnknownContact(
                f"unknown contact {str(contact)[:80]!r} (or ended too long ago to correct)"
            )
        if notes.disposition is None:
            raise NoteRefused(
                f"contact {c.contact!r} has no outcome yet: its agent records the first one"
            )
        reason = check_text(c.reason, what="the reason", limit=MAX_REASON_BYTES).strip()
        if not reason:
            raise NoteRefused("a correction needs a reason (what happened since)")
        by = check_text(c.by, what="who corrects", limit=MAX_REASON_BYTES)
        campaign = notes.campaign or ""
        forms = self.forms.get(campaign)
        outcome = forms.disposition(c.disposition) if forms is not None else None
        if outcome is None:
            known = ", ".join(d.id for d in forms.dispositions) if forms is not None else ""
            raise UnknownOutcome(
                f"unknown outcome {str(c.disposition)[:80]!r} for campaign {campaign!r}; "
                f"known: {known or 'none configured'}"
            )
        if outcome.id == notes.disposition:
            raise NoteRefused(f"contact {c.contact!r} has outcome {outcome.id!r} already")
        return OutcomeCorrected(
            at=at,
            contact=c.contact,
            agent=notes.outcome_agent,
            campaign=campaign,
            disposition=outcome.id,
            counts_as_sale=outcome.counts_as_sale,
            counts_as_save=outcome.counts_as_save,
            was=notes.disposition,
            was_sale=notes.sale,
            was_save=notes.save,
            recorded_at=notes.recorded_at,
            by=by,
            reason=reason,
        )

    # Applying ------------------------------------------------------------------------------

    def apply(self, event: CrmEvent) -> None:
        """Takes a stored crm event into account (live, or replaying the log)."""
        notes = self.contacts.get(event.contact)
        if notes is None:
            return  # forgotten already: the log still holds it
        if isinstance(event, NoteDrafted):
            notes.revision = max(notes.revision, event.revision)
        elif isinstance(event, NoteFinalised):
            notes.revision, notes.final = max(notes.revision, event.revision), True
        elif isinstance(event, DispositionRecorded):
            if notes.disposition is None:
                notes.recorded_at = event.at
            notes.disposition = event.disposition
            notes.outcome_agent = event.agent
            notes.sale, notes.save = event.counts_as_sale, event.counts_as_save
        elif isinstance(event, OutcomeCorrected):
            notes.disposition = event.disposition
            notes.sale, notes.save = event.counts_as_sale, event.counts_as_save
