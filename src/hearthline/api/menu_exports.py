"""The menu figures as CSV and XLSX, with their definitions (see ``api/exports.py``).

The columns: the grouping, the figures (``reports.menus.MENU_FIGURES``), then one
``exit:<way>`` column per way of leaving a node found in the rows ("exit:option:1",
"exit:hangup", ...): the ways are each flow's own, so the rows are read first (a menu
report is small: a row per node and day, or interval).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

import xlsxwriter

from hearthline.reports.menus import MENU_DEFINITION_NOTE, MENU_FIGURE_NAMES, MENU_FIGURES
from hearthline.reports.periods import Span
from hearthline.store.queries.menu_reports import MenuRow

EXIT_PREFIX = "exit:"


def _title(span: Span, by: tuple[str, ...]) -> str:
    grouped = ", ".join(by) if by else "nothing (totals)"
    return (
        f"Hearthline menu report, {span.first} to {span.last} ({span.tz.key}), grouped by {grouped}"
    )


def _ways(rows: Sequence[MenuRow]) -> list[str]:
    return sorted({how for row in rows for how in row.exits})


def _header(by: tuple[str, ...], ways: list[str]) -> list[str]:
    return [*by, *MENU_FIGURE_NAMES, *(EXIT_PREFIX + w for w in ways)]


def _cells(row: MenuRow, by: tuple[str, ...], ways: list[str]) -> list[str | float | None]:
    return [
        *(row.key[d] for d in by),
        *(row.figures[n] for n in MENU_FIGURE_NAMES),
        *(float(row.exits.get(w, 0)) for w in ways),
    ]


def _text(value: str | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(int(value)) if value.is_integer() else repr(value)


def menu_csv(span: Span, by: tuple[str, ...], rows: Sequence[MenuRow]) -> Iterator[bytes]:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    buffer.write(f"# {_title(span, by)}\n# {MENU_DEFINITION_NOTE}\n")
    for f in MENU_FIGURES:
        name = f"{EXIT_PREFIX}<way>" if f.name == "menu_exits" else f.name
        buffer.write(f"# {name} ({f.label}, {f.unit}): {f.definition}\n")
    ways = _ways(rows)
    out.writerow(_header(by, ways))
    for row in rows:
        out.writerow([_text(v) for v in _cells(row, by, ways)])
    yield buffer.getvalue().encode()


def write_menu_xlsx(path: str, span: Span, by: tuple[str, ...], rows: Sequence[MenuRow]) -> int:
    """Writes the workbook: "Definitions", then "Menus"; returns the number of rows."""
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
    try:
        bold = book.add_format({"bold": True})
        defs = book.add_worksheet("Definitions")
        defs.write_row(0, 0, [_title(span, by)], bold)
        defs.write_row(1, 0, [MENU_DEFINITION_NOTE])
        defs.write_row(2, 0, ["Figure", "Name", "Unit", "Definition"], bold)
        for i, f in enumerate(MENU_FIGURES, start=3):
            name = f"{EXIT_PREFIX}<way>" if f.name == "menu_exits" else f.name
            defs.write_row(i, 0, [f.label, name, f.unit, f.definition])
        defs.set_column(0, 0, 26)
        defs.set_column(3, 3, 100)
        sheet = book.add_worksheet("Menus")
        ways = _ways(rows)
        sheet.write_row(0, 0, _header(by, ways), bold)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(_cells(row, by, ways)):
                if isinstance(value, str):
                    sheet.write_string(i, j, value)
                elif value is not None:
                    sheet.write_number(i, j, value)
    finally:
        book.close()
    return len(rows)
