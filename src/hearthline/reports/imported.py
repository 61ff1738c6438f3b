"""History brought in: contacts handled before this center kept its log.

Each past call becomes one ``CallImported`` event in the log, through the one writer
(``RecordCalls``), so the report tables count it as they count a live contact, a rebuild
from the log finds it again, and the tenancy of the log scopes it to its client.

``bank_call`` reads one row of the Anonymous Bank's call log (examples/data/anonymous-bank).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

OUTCOMES = ("answered", "abandoned", "unknown")


@dataclass(frozen=True, slots=True)
class CallImported:
    """A past contact: it queued at ``at`` (epoch seconds), waited ``wait_s``, and was
    answered by ``agent`` (talk, hold, wrap-up), abandoned, or ended unknown."""

    at: float
    contact: str
    client: str
    campaign: str
    queue: str
    caller: str
    outcome: str
    wait_s: float
    agent: str | None = None
    talk_s: float = 0.0
    hold_s: float = 0.0
    wrap_s: float = 0.0
    # The outcome the agent recorded, if the history says: counted as a live one's.
    disposition: str | None = None
    sale: bool = False
    save: bool = False


@dataclass(frozen=True, slots=True)
class RecordCalls:
    """Stores past calls as history (a batch of them, in one transaction)."""

    calls: tuple[CallImported, ...]


class HistoryError(ValueError):
    """A past call that cannot be recorded, with the reason."""


def check_call(call: CallImported) -> CallImported:
    if call.outcome not in OUTCOMES:
        raise HistoryError(f"outcome must be one of {', '.join(OUTCOMES)}, got {call.outcome!r}")
    times = (call.at, call.wait_s, call.talk_s, call.hold_s, call.wrap_s)
    if not all(t >= 0 and t < 1e11 for t in times):
        raise HistoryError(f"call {call.contact}: times must be between 0 and 1e11 seconds")
    if not (call.contact and call.client and call.campaign and call.queue):
        raise HistoryError("a call needs its contact, client, campaign and queue")
    if call.disposition is not None and (call.outcome != "answered" or not call.agent):
        raise HistoryError(f"call {call.contact}: only an answered call has an agent's outcome")
    return call


def _clock(text: str, what: str) -> int:
    parts = text.strip().split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise HistoryError(f"{what} is not a time H:MM:SS: {text!r}")
    h, m, s = (int(p) for p in parts)
    return h * 3600 + m * 60 + s


def bank_call(
    row: dict[str, str], *, zone: ZoneInfo, client: str, campaign: str
) -> CallImported | None:
    """One row of the bank's log as a past call; None for a call that ended in the menu
    (never offered to an agent). The queue is the row's service type, lower case.

    A call queued when ``q_start`` is set, or answered straight from the menu (its wait
    is then 0 and its queueing time the menu exit). ``q_time`` is its wait, ``ser_time``
    its talk; AGENT calls were answered, HANG abandoned, PHANTOM ended unknown. A queueing
    clock far earlier than the menu entry crossed midnight: it is on the next day.
    """
    outcome = {"AGENT": "answered", "HANG": "abandoned", "PHANTOM": "unknown"}.get(
        row["outcome"].strip()
    )
    if outcome is None:
        raise HistoryError(f"outcome must be AGENT, HANG or PHANTOM, got {row['outcome']!r}")
    queued = row["q_start"].strip() != "0:00:00"
    if not queued and outcome != "answered":
        return None
    try:
        day = dt.date.fromisoformat(row["date"].strip())
        wait = int(row["q_time"]) if queued else 0
        talk = int(row["ser_time"]) if outcome == "answered" else 0
    except ValueError as exc:
        raise HistoryError(str(exc)) from None
    clock = _clock(row["q_start"] if queued else row["vru_exit"], "q_start")
    if clock < _clock(row["vru_entry"], "vru_entry") - 12 * 3600:
        day += dt.timedelta(days=1)
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone) + dt.timedelta(seconds=clock)
    server = row["server"].strip()
    customer = row["customer_id"].strip()
    return check_call(
        CallImported(
            at=local.timestamp(),
            contact=f"{campaign}-{row['call_id'].strip()}",
            client=client,
            campaign=campaign,
            queue=f"{campaign}-{row['type'].strip().lower()}",
            # 0 is the bank's unidentified caller: never anyone's repeat.
            caller="" if customer in ("", "0") else customer,
            outcome=outcome,
            wait_s=float(max(wait, 0)),
            agent=server if outcome == "answered" and server != "NO_SERVER" else None,
            talk_s=float(max(talk, 0)),
        )
    )
