"""Reports as files people open: CSV and XLSX, written as they are read.

Both carry the figures' definitions with the numbers. The CSV starts with a block of
comment lines (``#``: spreadsheet programs show them as text rows, ``pandas.read_csv``
and most tools skip them with ``comment="#"``), then one header row and the rows. The
XLSX's first sheet, "Definitions", holds the range and every figure's meaning; the
second, "Report", the rows. The numbers are the report route's, unrounded.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator

import xlsxwriter

from hearthline.reports.definitions import FIGURE_NAMES, FIGURES
from hearthline.reports.periods import Span
from hearthline.store.queries.reports import ReportRow

CHUNK = 64 * 1024
# A worksheet's rows, the header's included.
XLSX_MAX_ROWS = 1_048_576


class TooManyRows(ValueError):
    """More rows than a worksheet holds."""


def _title(span: Span, by: tuple[str, ...]) -> str:
    grouped = ", ".join(by) if by else "nothing (totals)"
    return f"Hearthline report, {span.first} to {span.last} ({span.tz.key}), grouped by {grouped}"


def _header(by: tuple[str, ...]) -> list[str]:
    return [*by, *FIGURE_NAMES]


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() else repr(value)


def csv_chunks(span: Span, by: tuple[str, ...], rows: Iterable[ReportRow]) -> Iterator[bytes]:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    buffer.write(f"# {_title(span, by)}\n")
    for f in FIGURES:
        buffer.write(f"# {f.name} ({f.label}, {f.unit}): {f.definition}\n")
    out.writerow(_header(by))
    for row in rows:
        out.writerow([*(row.key[d] for d in by), *(_cell(row.figures[n]) for n in FIGURE_NAMES)])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_xlsx(
    path: str,
    span: Span,
    by: tuple[str, ...],
    rows: Iterable[ReportRow],
    *,
    max_rows: int = XLSX_MAX_ROWS,
) -> int:
    """Writes the workbook to ``path`` row by row (XlsxWriter's constant memory mode: each
    row leaves memory once the next begins); returns the number of report rows."""
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
    bold = book.add_format({"bold": True})
    defs = book.add_worksheet("Definitions")
    defs.write_row(0, 0, [_title(span, by)], bold)
    defs.write_row(1, 0, ["Figure", "Name", "Unit", "Definition"], bold)
    for i, f in enumerate(FIGURES, start=2):
        defs.write_row(i, 0, [f.label, f.name, f.unit, f.definition])
    defs.set_column(0, 0, 26)
    defs.set_column(3, 3, 100)
    sheet = book.add_worksheet("Report")
    sheet.write_row(0, 0, _header(by), bold)
    count = 0
    try:
        for count, row in enumerate(rows, start=1):
            if count >= max_rows:
                raise TooManyRows(
                    f"more than {max_rows - 1:,} rows: a worksheet holds no more; "
                    "export a shorter range, or as CSV"
                )
            sheet.write_row(count, 0, [row.key[d] for d in by])
            for j, name in enumerate(FIGURE_NAMES, start=len(by)):
                value = row.figures[name]
                if value is not None:
                    sheet.write_number(count, j, value)
    finally:
        book.close()  # also on failure: its temporary files are closed (the caller deletes)
    return count


def temporary_xlsx() -> str:
    fd, path = tempfile.mkstemp(prefix="hearthline-report-", suffix=".xlsx")
    os.close(fd)
    return path


def file_chunks(path: str) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time; the file is removed once read (or abandoned)."""
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)
