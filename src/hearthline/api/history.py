"""A contact's story from the log: when it came, who had it, how it ended, what was noted,
the answers given along its call guide."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TypeVar

from hearthline.api.schemas import ContactDetail, ContactRecord, HelpOut
from hearthline.crm import events as crm
from hearthline.kernel.envelope import Envelope
from hearthline.knowledge.walks import GuidePathSaved
from hearthline.routing import events as ev
from hearthline.service.domains import CODEC
from hearthline.store.queries import help as help_q
from hearthline.store.queries import history
from hearthline.store.queries.bind import Engine
from hearthline.voice.events import CallRequeued

R = TypeVar("R", bound=ContactRecord)


def record(contact: str, stored: Sequence[Envelope]) -> ContactRecord:
    out = ContactRecord(
        contact_id=contact,
        arrived_at=None,
        caller="",
        queue=None,
        agents=[],
        ended_as=None,
        ended_at=None,
        disposition=None,
        note=None,
        fields={},
    )
    for item in stored:
        e = item.event
        if isinstance(e, ev.ContactArrived):
            out.arrived_at, out.caller = e.at, e.caller
        elif isinstance(e, ev.ContactQueued):
            out.queue = e.queue
        elif isinstance(e, ev.OfferAccepted) and e.agent not in out.agents:
            out.agents.append(e.agent)
        elif isinstance(e, (crm.NoteDrafted, crm.NoteFinalised)):
            out.note, out.fields = e.text, dict(e.fields)
        elif isinstance(e, (crm.DispositionRecorded, crm.OutcomeCorrected)):
            out.disposition = e.disposition  # as corrected: both stay in ``events``
        elif isinstance(e, GuidePathSaved):
            out.guide = [answer for _, answer in e.path]
        ended = ev.ending(e)
        if ended is not None:
            out.ended_as, out.ended_at = str(ended.state), e.at
    return out


# What an event holds for the server's own use, never shown: a recording's ports and SDP
# lines (addresses of the trunk and of the agent's browser) are for assembling its file.
INTERNAL = {"RecordingStarted": ("caller_ports", "sdps")}


def public_fields(kind: str, fields: dict[str, object]) -> dict[str, object]:
    for name in INTERNAL.get(kind, ()):
        fields.pop(name, None)
    return fields


def detail(contact: str, stored: Sequence[Envelope]) -> ContactDetail:
    events: list[dict[str, object]] = []
    for item in stored:
        kind = type(item.event).__name__
        fields = public_fields(kind, json.loads(CODEC.encode(item.event)))
        events.append({"id": item.id, "type": kind, **fields})
    return ContactDetail(**record(contact, stored).model_dump(), events=events)


def with_help(engine: Engine, records: list[R]) -> list[R]:
    """Adds to each record the help asked about its contact (blocking: one query)."""
    asked = help_q.about_contacts(engine, [r.contact_id for r in records])
    for r in records:
        r.help = [HelpOut.model_validate(h, from_attributes=True) for h in asked[r.contact_id]]
    return records


def recent_contacts(
    engine: Engine, *, clients: frozenset[str] | None, limit: int, before_id: int | None
) -> list[ContactRecord]:
    """The newest contacts (by arrival) of the given clients (None: all), newest first."""
    found = history.recent_arrivals(
        engine, CODEC, clients=clients, limit=limit, before_id=before_id
    )
    return [record(contact, stored) for contact, stored in found]


# A call dropped again and again is still one caller; past this many legs, stop reading.
EARLIER_LEGS = 10


def earlier_legs(engine: Engine, contact: str) -> list[ContactRecord]:
    """The contacts a voice call was before ``contact`` (requeued after its agent's leg
    dropped), newest first, each as the log tells it, with the notes its agent took.

    The link is the control plane's ``CallRequeued``, not the ``previous_contact`` in the
    contact's data: a channel may put anything in the data, and an agent must not read a
    contact of someone else's by naming it there. Blocking: call it off the event loop."""
    out: list[ContactRecord] = []
    seen = {contact}
    current = history.contact_events(engine, CODEC, contact)
    client = _client(current)
    for _ in range(EARLIER_LEGS):
        previous = _previous(current)
        if previous is None or previous in seen:
            break
        seen.add(previous)
        current = history.contact_events(engine, CODEC, previous)
        if not current or _client(current) != client:
            break  # not a leg of this call (no such contact, or another client's)
        out.append(record(previous, current))
    return out


def _previous(stored: Sequence[Envelope]) -> str | None:
    for item in stored:
        if isinstance(item.event, CallRequeued):
            return item.event.previous
    return None


def _client(stored: Sequence[Envelope]) -> str | None:
    return next((item.client for item in stored if item.client is not None), None)
