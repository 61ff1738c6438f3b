"""Client billing: a client company's monthly statement, for the firm's administrators
and for that client's own viewers, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Response

from hearthline.api.deps import Ctx, role_in
from hearthline.api.errors import ERROR_RESPONSES, not_found
from hearthline.api.principal import Principal, Role
from hearthline.api.schemas import IDENT_PATTERN, BilledContactOut, StatementLineOut, StatementOut
from hearthline.api.scope import access_client
from hearthline.service.domains import CODEC
from hearthline.store.queries import config as config_q
from hearthline.store.queries import pay as pay_q
from hearthline.wfm.billing import Statement, billable_contacts, statement

router = APIRouter(prefix="/api/billing", tags=["billing"], responses=ERROR_RESPONSES)
Biller = Annotated[Principal, Depends(role_in(Role.ADMIN, Role.CLIENT_VIEWER))]
ClientPath = Annotated[str, Path(pattern=IDENT_PATTERN)]
MonthQuery = Annotated[str, Query(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", examples=["2026-11"])]
# A contact answered on the month's last evening is still handled after midnight.
TAIL_S = 86_400.0

CSV_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


@router.get("/{client_id}/statement", response_model=StatementOut, responses=CSV_RESPONSE)
async def client_statement(
    client_id: ClientPath,
    me: Biller,
    ctx: Ctx,
    month: MonthQuery | None = None,
    format: Literal["json", "csv"] = "json",
) -> StatementOut | Response:
    """The month's statement (in the firm's time zone; by default the month so far): one
    line per charge of the client's rate card, each naming the contacts behind it, and
    every contact billed."""
    known = client_id in {c.id for c in await ctx.db(config_q.clients, ctx.engine)}
    access_client(ctx.directory, me, client_id, known=known)
    cards = await ctx.db(pay_q.rate_cards, ctx.engine, client=client_id)
    if not cards:
        raise not_found("rate card for client", client_id)
    settings = await ctx.db(pay_q.pay_settings, ctx.engine)
    zone = await ctx.firm_zone()
    if month is None:
        month = datetime.fromtimestamp(ctx.now(), zone).strftime("%Y-%m")
    start, end = _month(month, zone)
    envelopes = await ctx.db(
        pay_q.client_events, ctx.engine, CODEC, client=client_id, since=start, until=end + TAIL_S
    )
    contacts = [c for c in billable_contacts(envelopes) if start <= c.answered_at < end]
    bill = statement(cards[0], contacts)
    if format == "csv":
        return Response(
            _csv(bill, month, settings.currency),
            media_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="statement-{client_id}-{month}.csv"'
            },
        )
    return StatementOut(
        client_id=client_id,
        month=month,
        currency=settings.currency,
        time_zone=zone.key,
        lines=[
            StatementLineOut(
                description=ln.description,
                quantity=ln.quantity,
                unit=ln.unit,
                unit_price=ln.unit_price,
                amount=ln.amount,
                contacts=list(ln.contacts),
            )
            for ln in bill.lines
        ],
        total=bill.total,
        contacts=[
            BilledContactOut(
                contact=c.contact,
                answered_at=c.answered_at,
                talk_s=c.talk_s,
                hold_s=c.hold_s,
                wrap_s=c.wrap_s,
                sale=c.sale,
            )
            for c in contacts
        ],
    )


def _month(month: str, zone: ZoneInfo) -> tuple[float, float]:
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return (
        datetime.combine(first, time(0), tzinfo=zone).timestamp(),
        datetime.combine(following, time(0), tzinfo=zone).timestamp(),
    )


def _csv(bill: Statement, month: str, currency: str) -> str:
    """Columns: client, month, description, quantity, unit, unit_price, amount, currency,
    contacts (space-separated); a last line ``total``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "client",
            "month",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "amount",
            "currency",
            "contacts",
        ]
    )
    for ln in bill.lines:
        writer.writerow(
            [
                bill.client,
                month,
                ln.description,
                ln.quantity,
                ln.unit,
                ln.unit_price,
                ln.amount,
                currency,
                " ".join(ln.contacts),
            ]
        )
    writer.writerow([bill.client, month, "total", "", "", "", bill.total, currency, ""])
    return out.getvalue()
