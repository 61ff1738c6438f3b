"""What every report route shares: the days asked for, and the answer as a CSV or XLSX
download named after its range and grouping."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Query
from fastapi.responses import StreamingResponse

from hearthline.api.deps import Ctx
from hearthline.api.errors import ApiError
from hearthline.api.exports import TooManyRows, file_chunks, temporary_xlsx
from hearthline.api.report_scope import span
from hearthline.reports.periods import Period, Span

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def asked_span(
    ctx: Ctx,
    period: Annotated[Period | None, Query(description="day, week (Monday on) or month")] = None,
    date: Annotated[dt.date | None, Query(description="a day of the period; default today")] = None,
    start: Annotated[dt.date | None, Query(description="a custom range's first day")] = None,
    end: Annotated[dt.date | None, Query(description="a custom range's last day")] = None,
) -> Span:
    """The firm's days asked for (``api/report_scope.span``)."""
    tz = (await ctx.firm_zone()).key
    return span(tz, ctx.now(), period=period, day=date, first=start, last=end)


AskedSpan = Annotated[Span, Depends(asked_span)]


def filename(prefix: str, days: Span, by: tuple[str, ...], suffix: str) -> str:
    grouped = "-".join(by) or "totals"
    return f"{prefix}-{days.first}-{days.last}-{grouped}.{suffix}"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def csv_download(chunks: Iterator[bytes], name: str) -> StreamingResponse:
    return StreamingResponse(
        chunks, media_type="text/csv; charset=utf-8", headers=_attachment(name)
    )


async def xlsx_download(ctx: Ctx, write: Callable[[str], object], name: str) -> StreamingResponse:
    """The workbook ``write`` makes in a temporary file (off the event loop), streamed and
    then removed; more rows than a sheet holds is the asker's 422."""
    path = temporary_xlsx()
    try:
        await ctx.db(write, path)
    except TooManyRows as exc:
        os.unlink(path)
        raise ApiError(422, "too-many-rows", str(exc)) from None
    except BaseException:
        os.unlink(path)
        raise
    return StreamingResponse(file_chunks(path), media_type=XLSX, headers=_attachment(name))
