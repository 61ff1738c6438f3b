"""Money: Decimal amounts with one rounding rule, never float.

Amounts are worked out exactly (as fractions: an hourly rate times seconds is rarely a
whole number of cents) and rounded once, to cents, half away from zero, where they
become a line someone is paid or billed. ``cents_between`` is how a line is rounded
when one run of pay is cut into periods: the rounding of the running total, so the
periods add up to the whole to the cent, and no cent is gained or lost by a cut.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

CENT = Decimal("0.01")


def to_cents(amount: Fraction) -> Decimal:
    """``amount`` rounded to cents, halves away from zero (the one rounding rule)."""
    scaled = amount * 100
    whole = (abs(scaled.numerator) * 2 + scaled.denominator) // (2 * scaled.denominator)
    cents = whole if scaled >= 0 else -whole
    return (Decimal(cents) * CENT).quantize(CENT)


def cents_between(before: Fraction, after: Fraction) -> Decimal:
    """The rounded line for the part of a running total between two of its values."""
    return to_cents(after) - to_cents(before)


def exact(amount: Decimal | int | str) -> Fraction:
    return Fraction(Decimal(amount))


def parse_money(text: str, *, name: str = "amount") -> Decimal:
    """A non-negative amount from user input, with at most four decimals (rates such as
    12.3456 an hour are common; lines are still rounded to cents)."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise ValueError(f"{name} must be a number such as 12.50, got {text!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be zero or more, got {text!r}")
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValueError(f"{name} has more than four decimals: {text!r}")
    return value
