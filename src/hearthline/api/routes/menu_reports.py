"""Menu (IVR) figures over a date range, grouped, and the same as CSV or XLSX.

    GET /api/reports/menus?period=month&date=2026-03-02&group=node
    GET /api/reports/menus?start=2026-03-01&end=2026-03-31&group=client,day
    GET /api/reports/menus/export.csv?...   /export.xlsx?...   (the same query)
    GET /api/reports/menus/definitions

Days are the firm's; rows are scoped as the other reports are (``api/report_scope.py``):
a client company's supervisor or viewer sees its own menus, an agent none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from hearthline.api.deps import Ctx, Person
from hearthline.api.downloads import XLSX, AskedSpan, csv_download, filename, xlsx_download
from hearthline.api.errors import ERROR_RESPONSES, ApiError, forbidden
from hearthline.api.menu_exports import menu_csv, write_menu_xlsx
from hearthline.api.report_scope import report_scope
from hearthline.api.schemas import FigureOut
from hearthline.api.schemas.menu_reports import MenuReportOut, MenuRowOut
from hearthline.reports.menus import MENU_FIGURES
from hearthline.reports.periods import Span
from hearthline.store.queries import menu_reports as menus_q

router = APIRouter(prefix="/api/reports/menus", tags=["reports"], responses=ERROR_RESPONSES)


@dataclass(frozen=True, slots=True)
class Asked:
    span: Span
    by: tuple[str, ...]
    clients: frozenset[str] | None


async def asked(
    me: Person,
    ctx: Ctx,
    days: AskedSpan,
    group: Annotated[
        str,
        Query(
            max_length=40,
            description="any of client, menu, node and one of interval, day, comma "
            "separated; empty for totals",
        ),
    ] = "",
) -> Asked:
    scope = report_scope(ctx.directory, me)
    if not scope.contacts:
        raise forbidden("menu figures are the firm's and its client companies'")
    try:
        by = menus_q.check_menu_grouping([g.strip() for g in group.split(",") if g.strip()])
    except ValueError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    return Asked(days, by, scope.clients)


Question = Annotated[Asked, Depends(asked)]


@router.get("/definitions", response_model=list[FigureOut])
async def definitions(me: Person) -> list[FigureOut]:
    """What each menu figure means, as the page and the exports show it."""
    return [
        FigureOut(name=f.name, label=f.label, unit=f.unit, definition=f.definition)
        for f in MENU_FIGURES
    ]


@router.get("", response_model=MenuReportOut)
async def menu_figures(q: Question, ctx: Ctx) -> MenuReportOut:
    """The menu figures of each group over the range, in the firm's time zone."""
    rows = await ctx.db(_rows, ctx, q)
    return MenuReportOut(
        **MenuReportOut.of(q.span, q.by),
        rows=[
            MenuRowOut(key=r.key, interval_start=r.interval_start, figures=r.figures, exits=r.exits)
            for r in rows
        ],
    )


def _rows(ctx: Ctx, q: Asked) -> list[menus_q.MenuRow]:
    return menus_q.menu_report(ctx.engine, span=q.span, by=q.by, clients=q.clients)


def _filename(q: Asked, suffix: str) -> str:
    return filename("hearthline-menus", q.span, q.by, suffix)


@router.get(
    "/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The menu report as CSV"}},
)
async def export_csv(q: Question, ctx: Ctx) -> StreamingResponse:
    """The menu report as CSV: a ``#`` comment block with the definitions, then the rows."""
    rows = await ctx.db(_rows, ctx, q)
    return csv_download(menu_csv(q.span, q.by, rows), _filename(q, "csv"))


@router.get(
    "/export.xlsx",
    response_class=StreamingResponse,
    responses={200: {"content": {XLSX: {}}, "description": "The menu report as a workbook"}},
)
async def export_xlsx(q: Question, ctx: Ctx) -> StreamingResponse:
    """The menu report as XLSX: a Definitions sheet, then the Menus sheet."""
    rows = await ctx.db(_rows, ctx, q)
    return await xlsx_download(
        ctx, lambda path: write_menu_xlsx(path, q.span, q.by, rows), _filename(q, "xlsx")
    )
