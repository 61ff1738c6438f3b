"""Client billing: a rate card per client, and a statement whose lines trace to contacts.

What is billable about a contact is read from the log (``billable_contacts``) with the
reports' conventions (``reports/stats.py``): talk runs from the agent accepting to the
contact ending or being transferred, minus hold; wrap-up is the agent's after-call work
for it; productive time is talk + hold + wrap-up. A contact is billed in the period its
first answer falls in; a sale is the contact's latest recorded outcome counting as one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from hearthline.crm import events as crm
from hearthline.kernel.envelope import Envelope
from hearthline.routing import events as ev
from hearthline.wfm.money import exact, to_cents


@dataclass(frozen=True, slots=True)
class RateCard:
    client: str
    per_productive_hour: Decimal = Decimal(0)
    per_handled_call: Decimal = Decimal(0)
    per_talk_minute: Decimal = Decimal(0)
    per_sale: Decimal = Decimal(0)
    monthly_minimum: Decimal = Decimal(0)


@dataclass(slots=True)
class BillableContact:
    contact: str
    client: str
    answered_at: float
    talk_s: float = 0.0
    hold_s: float = 0.0
    wrap_s: float = 0.0
    sale: bool = False

    @property
    def productive_s(self) -> float:
        return self.talk_s + self.hold_s + self.wrap_s


@dataclass(frozen=True, slots=True)
class StatementLine:
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    contacts: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Statement:
    client: str
    lines: tuple[StatementLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def statement(card: RateCard, contacts: Sequence[BillableContact]) -> Statement:
    """The statement of ``card.client`` for the contacts of one billing period."""
    own = sorted((c for c in contacts if c.client == card.client), key=lambda c: c.answered_at)
    ids = tuple(c.contact for c in own)
    seconds = _whole_seconds
    lines: list[StatementLine] = []
    if card.per_productive_hour:
        total_s = sum(seconds(c.productive_s) for c in own)
        lines.append(
            _line(
                "productive hours", Fraction(total_s, 3600), "hour", card.per_productive_hour, ids
            )
        )
    if card.per_handled_call:
        lines.append(_line("handled calls", Fraction(len(own)), "call", card.per_handled_call, ids))
    if card.per_talk_minute:
        total_s = sum(seconds(c.talk_s) for c in own)
        lines.append(
            _line("talk minutes", Fraction(total_s, 60), "minute", card.per_talk_minute, ids)
        )
    if card.per_sale:
        sold = tuple(c.contact for c in own if c.sale)
        lines.append(_line("sales", Fraction(len(sold)), "sale", card.per_sale, sold))
    subtotal = sum((line.amount for line in lines), Decimal(0))
    if subtotal < card.monthly_minimum:
        # A line is money to the cent like every other (a minimum may be typed "500").
        top_up = to_cents(exact(card.monthly_minimum - subtotal))
        lines.append(StatementLine("minimum charge", Decimal(1), "month", top_up, top_up))
    return Statement(card.client, tuple(lines))


def _whole_seconds(value: float) -> int:
    # Durations in the log are floats of seconds; bill whole seconds, so a statement
    # checks by hand.
    return round(value)


def _line(
    description: str, quantity: Fraction, unit: str, price: Decimal, contacts: tuple[str, ...]
) -> StatementLine:
    amount = to_cents(quantity * exact(price))
    shown = (Decimal(quantity.numerator) / Decimal(quantity.denominator)).quantize(
        Decimal("0.0001")
    )
    return StatementLine(description, shown, unit, price, amount, contacts)


def billable_contacts(envelopes: Iterable[Envelope]) -> list[BillableContact]:
    """Every answered contact in ``envelopes`` (log order) with its talk, hold and
    wrap-up and whether it ended a sale, for the client the writer filed it under."""
    found: dict[str, BillableContact] = {}
    talking: dict[str, tuple[float, bool]] = {}  # contact -> (since, held)
    wrapping: dict[str, tuple[str, float]] = {}  # agent -> (contact, since)
    for envelope in envelopes:
        event = envelope.event
        if isinstance(event, ev.OfferAccepted) and envelope.client is not None:
            if event.contact not in found:
                found[event.contact] = BillableContact(event.contact, envelope.client, event.at)
            talking[event.contact] = (event.at, False)
        elif isinstance(event, ev.ContactHeld | ev.ContactResumed | ev.ContactHandedOver):
            # A handover after a consult: the held caller talks on with the next agent.
            _close_span(found, talking, event.contact, event.at)
            if event.contact in found:
                talking[event.contact] = (event.at, isinstance(event, ev.ContactHeld))
        elif isinstance(event, ev.ContactEnded | ev.ContactTransferred | ev.ContactDropped):
            _close_span(found, talking, event.contact, event.at)
        elif isinstance(event, ev.WrapUpStarted):
            wrapping[event.agent] = (event.contact, event.at)
        elif isinstance(event, ev.WrapUpEnded):
            contact, since = wrapping.pop(event.agent, (event.contact, event.at))
            if contact in found:
                found[contact].wrap_s += max(0.0, event.at - since)
        elif (
            isinstance(event, crm.DispositionRecorded | crm.OutcomeCorrected)
            and event.contact in found
        ):
            found[event.contact].sale = event.counts_as_sale
    return list(found.values())


def _close_span(
    found: dict[str, BillableContact],
    talking: dict[str, tuple[float, bool]],
    contact: str,
    at: float,
) -> None:
    span = talking.pop(contact, None)
    if span is None or contact not in found:
        return
    since, held = span
    if held:
        found[contact].hold_s += at - since
    else:
        found[contact].talk_s += at - since
