"""Report figures over a date range, grouped, and the same as CSV or XLSX.

    GET /api/reports/figures?period=week&date=2026-03-02&group=queue
    GET /api/reports/figures?start=2026-03-01&end=2026-03-31&group=campaign,day
    GET /api/reports/export.csv?...   GET /api/reports/export.xlsx?...   (the same query)

Days are the firm's (its time zone, ``AppContext.firm_zone``); every row is scoped to the reader
(``api/report_scope.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from hearthline.api.deps import Ctx, Person
from hearthline.api.downloads import XLSX, AskedSpan, csv_download, filename, xlsx_download
from hearthline.api.errors import ERROR_RESPONSES
from hearthline.api.exports import (
    csv_chunks,
    write_xlsx,
)
from hearthline.api.report_scope import grouping, report_scope
from hearthline.api.schemas import FigureOut, ReportOut, ReportRowOut
from hearthline.reports.definitions import FIGURES
from hearthline.reports.periods import Span
from hearthline.store.queries import reports as reports_q
from hearthline.store.queries.reports import ReportScope

router = APIRouter(prefix="/api/reports", tags=["reports"], responses=ERROR_RESPONSES)


@dataclass(frozen=True, slots=True)
class Asked:
    span: Span
    by: tuple[str, ...]
    scope: ReportScope


async def asked(
    me: Person,
    ctx: Ctx,
    days: AskedSpan,
    group: Annotated[
        str,
        Query(
            max_length=40,
            description="up to one of client, campaign, queue, agent and one of interval, day, "
            "comma separated; empty for totals",
        ),
    ] = "",
) -> Asked:
    return Asked(days, grouping(me, group), report_scope(ctx.directory, me))


Question = Annotated[Asked, Depends(asked)]


@router.get("/definitions", response_model=list[FigureOut])
async def definitions(me: Person) -> list[FigureOut]:
    """What each figure means, as the reports and exports show it."""
    return [
        FigureOut(name=f.name, label=f.label, unit=f.unit, definition=f.definition) for f in FIGURES
    ]


@router.get("/figures", response_model=ReportOut)
async def figures(q: Question, ctx: Ctx) -> ReportOut:
    """The figures of each group over the range, in the firm's time zone."""
    rows = await ctx.db(_rows, ctx, q)
    return ReportOut(
        **ReportOut.of(q.span, q.by),
        rows=[
            ReportRowOut(key=r.key, interval_start=r.interval_start, figures=r.figures)
            for r in rows
        ],
    )


def _rows(ctx: Ctx, q: Asked) -> list[reports_q.ReportRow]:
    return reports_q.report(ctx.engine, span=q.span, by=q.by, scope=q.scope)


def _filename(q: Asked, suffix: str) -> str:
    return filename("hearthline", q.span, q.by, suffix)


@router.get(
    "/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The report as CSV"}},
)
async def export_csv(q: Question, ctx: Ctx) -> StreamingResponse:
    """The report as CSV: a ``#`` comment block with the definitions, then the rows."""
    rows = reports_q.report_rows(ctx.engine, span=q.span, by=q.by, scope=q.scope)
    return csv_download(csv_chunks(q.span, q.by, rows), _filename(q, "csv"))


@router.get(
    "/export.xlsx",
    response_class=StreamingResponse,
    responses={200: {"content": {XLSX: {}}, "description": "The report as a workbook"}},
)
async def export_xlsx(q: Question, ctx: Ctx) -> StreamingResponse:
    """The report as XLSX: a Definitions sheet, then the Report sheet."""
    rows = reports_q.report_rows(ctx.engine, span=q.span, by=q.by, scope=q.scope)
    return await xlsx_download(
        ctx, lambda path: write_xlsx(path, q.span, q.by, rows), _filename(q, "xlsx")
    )
