"""The XLSX export refuses, by name, more rows than a worksheet holds (never a cut file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hearthline.api.exports import TooManyRows, write_xlsx
from hearthline.reports.definitions import FIGURE_NAMES
from hearthline.reports.periods import Span, zone
from hearthline.store.queries.reports import ReportRow


def _rows(n: int) -> list[ReportRow]:
    return [ReportRow({"queue": f"q{i}"}, None, dict.fromkeys(FIGURE_NAMES, 1.0)) for i in range(n)]


def test_a_workbook_with_more_rows_than_a_sheet_holds_is_refused(tmp_path: Path) -> None:
    span = Span.of(dt.date(2026, 3, 1), dt.date(2026, 3, 1), zone("UTC"))
    path = str(tmp_path / "r.xlsx")
    assert write_xlsx(path, span, ("queue",), _rows(4), max_rows=5) == 4
    with pytest.raises(TooManyRows, match="more than 4 rows"):
        write_xlsx(path, span, ("queue",), _rows(5), max_rows=5)
