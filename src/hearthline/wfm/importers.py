"""Contact history from CSV: the generic format and the Anonymous Bank call logs.

Every row either becomes a contact or is reported as a :class:`BadRow` with its line
number and the reason; a bad row never stops the import and is never dropped silently.
Deliberate adjustments to rows that are odd but usable are counted in ``History.notes``.

Generic format (header required, one row per contact; docs/planning.md has examples)::

    arrival,queue,wait_s,handle_s,outcome
    2010-08-22T08:03:12,PS,14,187,answered

* ``arrival``: when the contact asked for an agent, ISO 8601 local time.
* ``queue``: queue or contact type, any non-empty text.
* ``wait_s``: seconds waited for an agent (empty if unknown).
* ``handle_s``: seconds of handling by the agent (empty if unknown or not answered).
* ``outcome``: ``answered``, ``abandoned`` (gave up waiting), ``unknown``, or ``menu``
  (ended in the menu without asking for an agent: kept, but not offered to agents).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

OUTCOMES = ("answered", "abandoned", "unknown", "menu")
OFFERED_OUTCOMES = ("answered", "abandoned", "unknown")
FORMATS = ("generic", "anonymous-bank")
GENERIC_COLUMNS = ("arrival", "queue", "wait_s", "handle_s", "outcome")
BANK_COLUMNS = (
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
# A handle time beyond this is a recording fault (the bank's log has a ten-hour call), not
# work to plan for: the contact still counts as offered and answered, its handle time as
# unknown.
DEFAULT_MAX_HANDLE_S = 7200.0


@dataclass(frozen=True)
class BadRow:
    """A row that could not be read: its line number in the file (header is line 1)."""

    line: int
    reason: str


@dataclass(frozen=True)
class History:
    """Imported contacts, one row each: ``arrival`` (datetime64), ``queue``, ``wait_s``,
    ``handle_s`` (NaN when unknown), ``outcome`` (one of :data:`OUTCOMES`)."""

    contacts: pd.DataFrame
    bad_rows: tuple[BadRow, ...] = ()
    notes: tuple[str, ...] = ()
    source: str = ""
    rows_read: int = 0

    def queues(self) -> list[str]:
        """The queues present, sorted."""
        return sorted(str(q) for q in self.contacts["queue"].unique())

    def offered(self) -> pd.DataFrame:
        """Contacts offered to agents (everything except menu-only calls)."""
        return self.contacts[self.contacts["outcome"].isin(OFFERED_OUTCOMES)]

    def before(self, when: dt.datetime) -> History:
        """The same history restricted to contacts arriving strictly before ``when``."""
        kept = self.contacts[self.contacts["arrival"] < pd.Timestamp(when)]
        return History(
            contacts=kept.reset_index(drop=True),
            bad_rows=self.bad_rows,
            notes=self.notes,
            source=self.source,
            rows_read=self.rows_read,
        )


@dataclass
class _Builder:
    arrival: list[dt.datetime] = field(default_factory=list)
    queue: list[str] = field(default_factory=list)
    wait: list[float] = field(default_factory=list)
    handle: list[float] = field(default_factory=list)
    outcome: list[str] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    rows: int = 0

    def add(
        self, arrival: dt.datetime, queue: str, wait: float, handle: float, outcome: str
    ) -> None:
        self.arrival.append(arrival)
        self.queue.append(queue)
        self.wait.append(wait)
        self.handle.append(handle)
        self.outcome.append(outcome)

    def build(self, source: str) -> History:
        frame = pd.DataFrame(
            {
                "arrival": pd.to_datetime(pd.Series(self.arrival, dtype="datetime64[ns]")),
                "queue": pd.Series(self.queue, dtype=object),
                "wait_s": np.asarray(self.wait, dtype=np.float64),
                "handle_s": np.asarray(self.handle, dtype=np.float64),
                "outcome": pd.Series(self.outcome, dtype=object),
            }
        )
        frame = frame.sort_values("arrival", kind="stable").reset_index(drop=True)
        notes = tuple(f"{count} {what}" for what, count in sorted(self.notes.items()))
        return History(
            contacts=frame,
            bad_rows=tuple(self.bad),
            notes=notes,
            source=source,
            rows_read=self.rows,
        )


class WrongFormat(ValueError):
    """The file was read as one format but its header is another's (``found``)."""

    def __init__(self, message: str, found: str) -> None:
        super().__init__(message)
        self.found = found


def sniff_format(path: Path | str) -> str | None:
    """The format whose columns the file's header holds, or None when it is neither."""
    with Path(path).open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    names = tuple(h.strip() for h in header)
    for fmt, columns in (("anonymous-bank", BANK_COLUMNS), ("generic", GENERIC_COLUMNS)):
        if names[: len(columns)] == columns:
            return fmt
    return None


def load_history(
    path: Path | str, *, fmt: str = "generic", max_handle_s: float = DEFAULT_MAX_HANDLE_S
) -> History:
    """Read a history file in format ``fmt`` (``generic``, ``anonymous-bank``, or ``auto``:
    whichever the header is).

    Raises ``ValueError`` for an unknown format or a file whose header is not that format
    (``WrongFormat`` when it is the other one), ``OSError`` (FileNotFoundError...) when
    the file cannot be read.
    """
    if fmt not in (*FORMATS, "auto"):
        raise ValueError(
            f"unknown history format {fmt!r}; use one of: {', '.join(FORMATS)} (or auto)"
        )
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"history file not found: {p}")
    found = sniff_format(p)
    if fmt == "auto":
        if found is None:
            raise ValueError(
                f"{p}: the header is neither history format: generic starts "
                f"{','.join(GENERIC_COLUMNS)}; anonymous-bank starts "
                f"{','.join(BANK_COLUMNS[:4])},..."
            )
        fmt = found
    elif found is not None and found != fmt:
        raise WrongFormat(f"{p}: not the {fmt} format: its header is the {found} format's", found)
    with p.open(newline="", encoding="utf-8-sig") as fh:
        if fmt == "generic":
            return read_generic(fh, source=str(p), max_handle_s=max_handle_s)
        return read_anonymous_bank(fh, source=str(p), max_handle_s=max_handle_s)


def _header(reader: Iterable[list[str]], expected: tuple[str, ...], fmt: str, source: str) -> None:
    try:
        header = next(iter(reader))
    except StopIteration:
        raise ValueError(f"{source}: empty file, expected a {fmt} header") from None
    names = tuple(h.strip() for h in header)
    missing = [c for c in expected if c not in names]
    if missing:
        raise ValueError(f"{source}: not the {fmt} format: missing column(s) {', '.join(missing)}")
    if names[: len(expected)] != expected:
        raise ValueError(f"{source}: {fmt} columns must be, in order: {','.join(expected)}")


def _records(
    lines: Iterable[str], columns: tuple[str, ...], fmt: str, source: str, b: _Builder
) -> Iterator[tuple[int, list[str]]]:
    """The data rows of a CSV in ``fmt`` after its header, as (line number, stripped
    fields). Blank lines are skipped; every other row counts as read, and one with the
    wrong number of fields is kept as a bad row instead of being given out."""
    reader = csv.reader(lines)
    _header(reader, columns, fmt, source)
    for row in reader:
        if not row or all(not c.strip() for c in row):
            continue
        b.rows += 1
        if len(row) != len(columns):
            b.bad.append(
                BadRow(reader.line_num, f"expected {len(columns)} fields, found {len(row)}")
            )
            continue
        yield reader.line_num, [c.strip() for c in row]


def _seconds(text: str, what: str, *, allow_empty: bool) -> float:
    s = text.strip()
    if s == "":
        if allow_empty:
            return math.nan
        raise ValueError(f"{what} is empty")
    try:
        value = float(s)
    except ValueError:
        raise ValueError(f"{what} is not a number: {s!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be 0 or more seconds, got {s!r}")
    return value


def read_generic(
    lines: Iterable[str], *, source: str = "<generic>", max_handle_s: float = DEFAULT_MAX_HANDLE_S
) -> History:
    """Parse the generic format from an iterable of lines (an open file)."""
    b = _Builder()
    for line, row in _records(lines, GENERIC_COLUMNS, "generic", source, b):
        try:
            arrival_text, queue, wait_text, handle_text, outcome = row
            try:
                arrival = dt.datetime.fromisoformat(arrival_text)
            except ValueError:
                raise ValueError(f"arrival is not an ISO date-time: {arrival_text!r}") from None
            if arrival.tzinfo is not None:
                arrival = arrival.replace(tzinfo=None)
            if not queue:
                raise ValueError("queue is empty")
            wait = _seconds(wait_text, "wait_s", allow_empty=True)
            handle = _seconds(handle_text, "handle_s", allow_empty=True)
            outcome = outcome.lower()
            if outcome not in OUTCOMES:
                raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        except ValueError as exc:
            b.bad.append(BadRow(line, str(exc)))
            continue
        if handle > max_handle_s:
            b.notes[f"handle times over {max_handle_s:g} s treated as unknown"] += 1
            handle = math.nan
        b.add(arrival, queue, wait, handle, outcome)
    return b.build(source)


def _clock(text: str, what: str) -> int:
    parts = text.strip().split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{what} is not a time H:MM:SS: {text!r}")
    h, m, s = (int(p) for p in parts)
    if h > 23 or m > 59 or s > 59:
        raise ValueError(f"{what} is not a time of day: {text!r}")
    return h * 3600 + m * 60 + s


def _whole_seconds(text: str, what: str) -> int:
    s = text.strip()
    try:
        return int(s)
    except ValueError:
        raise ValueError(f"{what} is not a whole number of seconds: {s!r}") from None


def read_anonymous_bank(
    lines: Iterable[str],
    *,
    source: str = "<anonymous-bank>",
    max_handle_s: float = DEFAULT_MAX_HANDLE_S,
) -> History:
    """Parse the Anonymous Bank call log (see its README for the columns).

    A call's arrival is when it joined the agents' queue (``q_start``), or left the menu
    (``vru_exit``) when it went straight to an agent; ``q_start`` reads 0:00:00 for calls
    that never queued. Durations come from the ``*_time`` columns, which stay right for
    calls that run past midnight (their exit clock reads earlier than their start).
    AGENT calls are answered, HANG calls abandoned (in the queue, or in the menu when they
    never queued, which are kept as ``menu``), PHANTOM calls unknown.
    """
    b = _Builder()
    for line, row in _records(lines, BANK_COLUMNS, "anonymous-bank", source, b):
        try:
            f = dict(zip(BANK_COLUMNS, row, strict=True))
            try:
                day = dt.date.fromisoformat(f["date"])
            except ValueError:
                raise ValueError(f"date is not YYYY-MM-DD: {f['date']!r}") from None
            queue = f["type"]
            if not queue:
                raise ValueError("type is empty")
            vru_entry = _clock(f["vru_entry"], "vru_entry")
            vru_exit = _clock(f["vru_exit"], "vru_exit")
            q_start = _clock(f["q_start"], "q_start")
            _clock(f["q_exit"], "q_exit")
            _clock(f["ser_start"], "ser_start")
            _clock(f["ser_exit"], "ser_exit")
            q_time = _whole_seconds(f["q_time"], "q_time")
            ser_time = _whole_seconds(f["ser_time"], "ser_time")
            _whole_seconds(f["vru_time"], "vru_time")
            if q_time < 0:
                raise ValueError(f"q_time is negative: {q_time}")
            if ser_time < 0:
                raise ValueError(f"ser_time is negative: {ser_time}")
            outcome_raw = f["outcome"]
            if outcome_raw not in ("AGENT", "HANG", "PHANTOM"):
                raise ValueError(f"outcome must be AGENT, HANG or PHANTOM, got {outcome_raw!r}")
        except ValueError as exc:
            b.bad.append(BadRow(line, str(exc)))
            continue

        queued = f["q_start"] != "0:00:00"
        clock = q_start if queued else vru_exit
        # A clock reading far earlier than the menu entry means the call crossed midnight.
        day_offset = 1 if clock < vru_entry - 12 * 3600 else 0
        if day_offset:
            b.notes["arrivals after midnight moved to the next day"] += 1
        arrival = dt.datetime.combine(day, dt.time()) + dt.timedelta(days=day_offset, seconds=clock)
        handle = math.nan
        if outcome_raw == "AGENT":
            outcome = "answered"
            if f["ser_start"] == "0:00:00" and ser_time == 0:
                b.notes["answered calls without service times (handle time unknown)"] += 1
            elif ser_time > max_handle_s:
                b.notes[f"handle times over {max_handle_s:g} s treated as unknown"] += 1
            else:
                handle = float(ser_time)
        elif outcome_raw == "HANG":
            outcome = "abandoned" if queued else "menu"
        else:
            outcome = "unknown"
        if int(f["vru_time"]) < 0:
            b.notes["calls whose menu exit reads before its entry (menu time ignored)"] += 1
        wait = float(q_time) if queued else 0.0
        b.add(arrival, queue, wait, handle, outcome)
    return b.build(source)
