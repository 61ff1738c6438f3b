"""Agents as CSV, for the bulk import: every row read and checked, every problem kept.

Columns ``id,name,skills,campaigns``; skills as ``returns:3;claims:2``, campaigns as
``acme-returns;acme-sales``. Nothing here changes anything: the caller gets the agents
of the good rows and the line and reason of each bad one, so a dry run can list them
all and an import can refuse the file as a whole.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from hearthline.api.schemas import IDENT_PATTERN
from hearthline.kernel.text import text_problem

COLUMNS = ("id", "name", "skills", "campaigns")
MAX_ROWS = 5000
MAX_LEVEL = 100
_IDENT = re.compile(IDENT_PATTERN)


class CsvRefused(ValueError):
    """The file as a whole cannot be read (no header, not CSV, too many rows)."""


@dataclass(frozen=True, slots=True)
class AgentRow:
    line: int
    id: str
    name: str
    skills: dict[str, int]
    campaigns: list[str]


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    agent_id: str | None
    reason: str


@dataclass(slots=True)
class Parsed:
    rows: list[AgentRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse(text: str, *, known_skills: Collection[str], known_campaigns: Collection[str]) -> Parsed:
    """Reads every row; a row with any problem is reported (each reason) and left out."""
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise CsvRefused(f"the file is not CSV: {exc}") from None
    while records and not any(cell.strip() for cell in records[0]):
        records.pop(0)
    if not records:
        raise CsvRefused(f"the file is empty: give a header line {','.join(COLUMNS)}")
    header = [cell.strip().lower() for cell in records[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CsvRefused(
            f"the header must name the columns {','.join(COLUMNS)}; "
            f"missing: {', '.join(missing)} (found {','.join(header)[:200]!r})"
        )
    extra = [c for c in header if c not in COLUMNS]
    if extra:
        raise CsvRefused(f"unknown columns in the header: {', '.join(extra)[:200]}")
    if len(records) - 1 > MAX_ROWS:
        raise CsvRefused(f"at most {MAX_ROWS} agents per file, got {len(records) - 1}")
    where = {name: header.index(name) for name in COLUMNS}
    out = Parsed()
    first_line: dict[str, int] = {}
    for line, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are allowed
        reasons: list[str] = []
        if len(cells) < len(header):
            reasons.append(
                f"missing column {header[len(cells)]!r}: "
                f"{len(cells)} values for {len(header)} columns"
            )
        elif len(cells) > len(header):
            reasons.append(f"{len(cells)} values for {len(header)} columns")

        def cell(name: str, cells: list[str] = cells) -> str:
            i = where[name]
            return cells[i].strip() if i < len(cells) else ""

        ident = cell("id")
        if not ident:
            reasons.append("the id is empty")
        elif not _IDENT.match(ident):
            reasons.append(f"bad id {ident[:60]!r}: letters, digits and ._:@+- only")
        elif ident in first_line:
            first = first_line[ident]
            reasons.append(f"duplicate id {ident!r} in the file (first on line {first})")
        else:
            first_line[ident] = line
        name = cell("name")
        problem = text_problem(name, limit=800)
        if problem is not None or len(name) > 200:
            reasons.append(f"bad name: {problem or 'longer than 200 characters'}")
        skills = _skills(cell("skills"), known_skills, reasons)
        campaigns = _campaigns(cell("campaigns"), known_campaigns, reasons)
        shown = ident if ident and _IDENT.match(ident) else None
        if reasons:
            out.problems.extend(Problem(line, shown, r) for r in reasons)
        else:
            out.rows.append(AgentRow(line, ident, name, skills, campaigns))
    if not out.rows and not out.problems:
        raise CsvRefused("the file has a header but no agents")
    return out


def _skills(raw: str, known: Collection[str], reasons: list[str]) -> dict[str, int]:
    skills: dict[str, int] = {}
    for entry in filter(None, (e.strip() for e in raw.split(";"))):
        skill, sep, level = (part.strip() for part in entry.partition(":"))
        if not sep or not skill:
            reasons.append(f"bad skill {entry[:60]!r}: write skill:level, e.g. returns:3")
            continue
        if skill not in known:
            reasons.append(f"unknown skill {skill[:60]!r}")
            continue
        if not level.isdigit() or int(level) > MAX_LEVEL:
            reasons.append(f"bad level {level[:20]!r} for skill {skill!r}: 0 to {MAX_LEVEL}")
            continue
        if skill in skills:
            reasons.append(f"skill {skill!r} given twice")
            continue
        skills[skill] = int(level)
    return skills


def _campaigns(raw: str, known: Collection[str], reasons: list[str]) -> list[str]:
    campaigns: list[str] = []
    for campaign in filter(None, (c.strip() for c in raw.split(";"))):
        if campaign not in known:
            reasons.append(f"unknown campaign {campaign[:60]!r}")
        elif campaign not in campaigns:
            campaigns.append(campaign)
    return campaigns
