"""The notebook's checks: who may write, in which order, and what."""

from __future__ import annotations

import pytest

from hearthline.crm import (
    CampaignForms,
    Disposition,
    DraftNote,
    FieldKind,
    FinishNote,
    FormField,
    Notebook,
    NoteDrafted,
    NoteRefused,
    UnknownContact,
)
from hearthline.kernel.ids import AgentId, CampaignId, ContactId, QueueId
from hearthline.routing import events as ev
from hearthline.routing.config import Channel, QueueConfig

FORMS = CampaignForms(
    "c1",
    dispositions=(Disposition("sold", counts_as_sale=True), Disposition("no-sale")),
    fields=(
        FormField("order", required=True),
        FormField("when", FieldKind.DATE),
        FormField("ok", FieldKind.BOOLEAN),
        FormField("size", FieldKind.CHOICE, choices=("s", "m")),
    ),
)


def _book() -> Notebook:
    book = Notebook(forms={"c1": FORMS})
    k, a = ContactId("k1"), AgentId("a1")
    for e in (
        ev.QueueConfigured(at=0, queue=QueueConfig(QueueId("q1"), CampaignId("c1"))),
        ev.ContactArrived(0, k, Channel.VOICE, "+1", None, None),
        ev.ContactQueued(0, k, QueueId("q1"), 0, 0.0, 0),
        ev.OfferAccepted(1, k, a),
        ev.ContactDropped(2, k, "caller"),
    ):
        book.observe(e)
    return book


def _apply(book: Notebook, command: DraftNote | FinishNote) -> list[object]:
    events = book.decide(command, at=3.0)
    for e in events:
        book.apply(e)
    return list(events)


def test_drafts_rise_and_a_dropped_call_can_still_be_written_up() -> None:
    book = _book()
    assert _apply(book, DraftNote("k1", "a1", 1, "hello")) == [
        NoteDrafted(3.0, "k1", "a1", 1, "hello", ())
    ]
    _apply(book, DraftNote("k1", "a1", 5, "hello again", (("when", "2024-06-01"),)))
    with pytest.raises(NoteRefused, match="out of order: revision 5"):
        book.decide(DraftNote("k1", "a1", 4, "stale"), at=4.0)


def test_finishing_records_the_outcome_with_its_flags() -> None:
    book = _book()
    final, outcome = _apply(book, FinishNote("k1", "a1", "sold", "done", (("order", "9"),)))
    assert final.revision == 1  # type: ignore[attr-defined]
    assert outcome.counts_as_sale and outcome.campaign == "c1"  # type: ignore[attr-defined]
    assert book.contacts["k1"].final
    with pytest.raises(NoteRefused, match="final note already"):
        book.decide(FinishNote("k1", "a1", "sold", "again", (("order", "9"),)), at=5.0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ((("when", "yesterday"),), "must be a date"),
        ((("ok", "yes"),), "'true' or 'false'"),
        ((("size", "xl"),), "must be one of s, m"),
        ((("order", "1"), ("order", "2")), "given twice"),
        ((("order",),), "pair"),
        ([("order", "1")], "must be a tuple"),
        ((("order", 5),), "must be text"),
    ],
)
def test_typed_fields_are_checked(fields: object, message: str) -> None:
    with pytest.raises(NoteRefused, match=message):
        _book().decide(DraftNote("k1", "a1", 1, "x", fields), at=3.0)  # type: ignore[arg-type]


def test_only_known_contacts_and_the_agents_who_had_them() -> None:
    book = _book()
    with pytest.raises(UnknownContact):
        book.decide(DraftNote("k2", "a1", 1, "x"), at=3.0)
    with pytest.raises(NoteRefused, match="has not had contact"):
        book.decide(DraftNote("k1", "a2", 1, "x"), at=3.0)
    with pytest.raises(NoteRefused, match="whole number"):
        book.decide(DraftNote("k1", "a1", True, "x"), at=3.0)
