"""The notebook's checks: who may write, in which order, and what."""

from __future__ import annotations

import pytest

from hearthline.crm import (
    CampaignForms,
    CorrectOutcome,
    Disposition,
    DraftNote,
    FieldKind,
    FinishNote,
    FormField,
    Notebook,
    NoteDrafted,
    NoteRefused,
    OutcomeCorrected,
    UnknownContact,
    UnknownOutcome,
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


def test_a_finished_outcome_is_corrected_with_its_reason_and_stays_the_agents() -> None:
    book = _book()
    _apply(book, FinishNote("k1", "a1", "sold", "done", (("order", "9"),)))
    [corrected] = book.decide(
        CorrectOutcome("k1", "no-sale", "the customer returned the product", "sup"), at=9.0
    )
    assert corrected == OutcomeCorrected(
        at=9.0,
        contact="k1",
        agent="a1",
        campaign="c1",
        disposition="no-sale",
        counts_as_sale=False,
        counts_as_save=False,
        was="sold",
        was_sale=True,
        was_save=False,
        recorded_at=3.0,
        by="sup",
        reason="the customer returned the product",
    )
    book.apply(corrected)
    # A second correction replaces the corrected outcome, still counted from the first.
    [again] = book.decide(CorrectOutcome("k1", "sold", "the return was cancelled", "sup"), at=10.0)
    assert (again.was, again.was_sale, again.recorded_at) == ("no-sale", False, 3.0)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("command", "refusal", "words"),
    [
        (CorrectOutcome("k1", "refunded", "why", "sup"), UnknownOutcome, "'refunded'"),
        (CorrectOutcome("k1", "sold", "why", "sup"), NoteRefused, "has outcome 'sold' already"),
        (CorrectOutcome("k1", "no-sale", "  ", "sup"), NoteRefused, "needs a reason"),
        (CorrectOutcome("k9", "no-sale", "why", "sup"), UnknownContact, "'k9'"),
    ],
)
def test_a_correction_is_refused_by_name(
    command: CorrectOutcome, refusal: type[Exception], words: str
) -> None:
    book = _book()
    _apply(book, FinishNote("k1", "a1", "sold", "done", (("order", "9"),)))
    with pytest.raises(refusal, match=words):
        book.decide(command, at=9.0)


def test_an_outcome_not_yet_recorded_is_not_corrected() -> None:
    with pytest.raises(NoteRefused, match="no outcome yet"):
        _book().decide(CorrectOutcome("k1", "no-sale", "why", "sup"), at=9.0)
