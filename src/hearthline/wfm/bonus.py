"""Sales and save bonuses from the outcomes agents record, with claw-backs.

An outcome can be recorded again for the same contact (a sale entered by mistake, a
sale the customer reversed): the latest record of a contact is the one that counts.
Bonuses are settled period by period, in order, against a ledger of what each contact
has earned so far:

- a contact that counts at the end of a period and was not paid yet is paid in it, at
  the tier its rank among that agent's sales of the period reaches;
- a contact paid in an earlier period that no longer counts (or now belongs to another
  agent) is clawed back in this period, as a line of its own.

So an agent's bonus for a contact is never both paid and clawed back in the same period
(a contact re-recorded by another agent moves: clawed back from one, paid to the other),
and a sale recorded and reversed within one period earns nothing at all.

A rule with a minimum quality score withholds the agent's bonuses of a period in which
their mean evaluation score is below it (or they had no evaluation): the contacts are
settled at nothing, and a line of amount 0 says what was withheld and why.

A closed period keeps the ledger's state (``state``); the next period resumes from it
(``BonusLedger.resumed``) and needs only the outcomes recorded since: a contact the
ledger holds with no newer record stands as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from hearthline.wfm.money import CENT, exact, to_cents


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    contact: str
    agent: str
    campaign: str
    at: datetime
    sale: bool
    save: bool


@dataclass(frozen=True, slots=True)
class BonusTier:
    """Every sale after the ``after_sales``-th of a period earns ``per_sale``."""

    after_sales: int
    per_sale: Decimal


@dataclass(frozen=True, slots=True)
class BonusRule:
    campaign: str
    tiers: tuple[BonusTier, ...] = ()
    per_save: Decimal = Decimal(0)
    # Below this quality score (0-100) for the period, the agent earns no bonus.
    min_quality: Decimal | None = None


class BonusKind(StrEnum):
    SALE = "sale bonus"
    SAVE = "save bonus"
    CLAWBACK = "claw-back"
    WITHHELD = "withheld"


@dataclass(frozen=True, slots=True)
class BonusLine:
    agent: str
    campaign: str
    kind: BonusKind
    contacts: tuple[str, ...]
    amount: Decimal
    note: str = ""


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class _Paid:
    agent: str
    campaign: str
    amount: Decimal


class BonusLedger:
    """What each contact has earned so far; settle periods in order."""

    def __init__(self) -> None:
        self._paid: dict[str, _Paid] = {}

    @classmethod
    def resumed(cls, state: Mapping[str, tuple[str, str, Decimal]]) -> BonusLedger:
        """A ledger as ``state`` (a closed period's) left it."""
        ledger = cls()
        ledger._paid = {c: _Paid(a, campaign, amount) for c, (a, campaign, amount) in state.items()}
        return ledger

    def state(self) -> dict[str, tuple[str, str, Decimal]]:
        """What each contact has earned so far: contact -> (agent, campaign, amount)."""
        return {c: (p.agent, p.campaign, p.amount) for c, p in sorted(self._paid.items())}

    def settle(
        self,
        records: Iterable[OutcomeRecord],
        rules: Mapping[str, BonusRule],
        period: Window,
        quality: Mapping[str, Decimal] | None = None,
    ) -> list[BonusLine]:
        """The bonus lines of ``period``; ``records`` may hold everything up to its end."""
        latest = _latest(r for r in records if r.at < period.end)
        lines: list[BonusLine] = []
        lines.extend(self._claw_back(latest))
        fresh = [
            r
            for r in latest.values()
            if (r.sale or r.save) and r.contact not in self._paid and r.campaign in rules
        ]
        fresh.sort(key=lambda r: (r.agent, r.campaign, r.at, r.contact))
        groups: dict[tuple[str, str], list[OutcomeRecord]] = {}
        for record in fresh:
            groups.setdefault((record.agent, record.campaign), []).append(record)
        ranks = self._sales_so_far(period, latest)
        for (agent, campaign), own in groups.items():
            rule = rules[campaign]
            score = (quality or {}).get(agent)
            gate = ""
            if rule.min_quality is not None and (score is None or score < rule.min_quality):
                gate = (
                    f"no quality evaluation in the period (at least {rule.min_quality} needed)"
                    if score is None
                    else f"mean quality score {score} is below {rule.min_quality}"
                )
            lines.extend(self._pay(agent, campaign, own, rule, ranks, gate))
        return lines

    def _claw_back(self, latest: Mapping[str, OutcomeRecord]) -> list[BonusLine]:
        taken: dict[tuple[str, str], list[tuple[str, Decimal]]] = {}
        # In contact order, so a ledger resumed from a stored state names a claw-back's
        # contacts as the one that ran on from the start does.
        for contact, paid in sorted(self._paid.items()):
            now = latest.get(contact)
            if now is None:
                continue  # nothing recorded for it since the ledger's state: it stands
            still = (now.sale or now.save) and now.agent == paid.agent
            if not still:
                del self._paid[contact]
                if paid.amount:
                    taken.setdefault((paid.agent, paid.campaign), []).append((contact, paid.amount))
        return [
            BonusLine(
                agent,
                campaign,
                BonusKind.CLAWBACK,
                tuple(c for c, _ in items),
                -to_cents(exact(sum((a for _, a in items), Decimal(0)))),
            )
            for (agent, campaign), items in sorted(taken.items())
        ]

    def _sales_so_far(
        self, period: Window, latest: Mapping[str, OutcomeRecord]
    ) -> dict[tuple[str, str], int]:
        # Sales of this period already paid (none, when periods are settled once each)
        # still count towards the tier.
        counts: dict[tuple[str, str], int] = {}
        for contact, paid in self._paid.items():
            record = latest.get(contact)
            if record is not None and record.sale and record.at >= period.start:
                key = (paid.agent, paid.campaign)
                counts[key] = counts.get(key, 0) + 1
        return counts

    def _pay(
        self,
        agent: str,
        campaign: str,
        records: Sequence[OutcomeRecord],
        rule: BonusRule,
        ranks: dict[tuple[str, str], int],
        gate: str,
    ) -> list[BonusLine]:
        sales: list[tuple[str, Decimal]] = []
        saves: list[tuple[str, Decimal]] = []
        for record in records:
            amount = Decimal(0)
            if record.sale:
                rank = ranks.get((agent, campaign), 0) + 1
                ranks[(agent, campaign)] = rank
                amount = _tier_amount(rule.tiers, rank)
                sales.append((record.contact, amount))
            if record.save:
                saves.append((record.contact, rule.per_save))
                amount += rule.per_save
            self._paid[record.contact] = _Paid(agent, campaign, Decimal(0) if gate else amount)
        earned = {
            kind: [(c, a) for c, a in items if a]
            for kind, items in ((BonusKind.SALE, sales), (BonusKind.SAVE, saves))
        }
        if gate:
            held = sorted({c for items in earned.values() for c, _ in items})
            worth = sum((a for items in earned.values() for _, a in items), Decimal(0))
            if not held:
                return []
            note = f"{worth.quantize(CENT)} withheld: {gate}"
            return [BonusLine(agent, campaign, BonusKind.WITHHELD, tuple(held), CENT * 0, note)]
        lines = []
        for kind, earning in earned.items():
            if earning:
                # A line is money to the cent, whatever the rates' decimals.
                total = to_cents(exact(sum((a for _, a in earning), Decimal(0))))
                lines.append(BonusLine(agent, campaign, kind, tuple(c for c, _ in earning), total))
        return lines


def _tier_amount(tiers: Sequence[BonusTier], rank: int) -> Decimal:
    amount = Decimal(0)
    for tier in sorted(tiers, key=lambda t: t.after_sales):
        if rank > tier.after_sales:
            amount = tier.per_sale
    return amount


def _latest(records: Iterable[OutcomeRecord]) -> dict[str, OutcomeRecord]:
    latest: dict[str, OutcomeRecord] = {}
    for record in sorted(records, key=lambda r: r.at):
        latest[record.contact] = record
    return latest
