"""Which figures a reader may see, and over which days: the one place reports are scoped.

Administrators and supervisors of the whole firm see everything. A supervisor of one
client company sees that client's contacts and outcomes, and the time of the agents who
work for it. A client company's viewer sees its own contacts and outcomes, never agents'
time (they work for other clients too) nor figures by agent. An agent sees their own
time and outcomes, nothing of the queues.
"""

from __future__ import annotations

import datetime as dt

from hearthline.api.directory import Directory
from hearthline.api.errors import ApiError, forbidden
from hearthline.api.principal import Principal, Role
from hearthline.reports.periods import Period, PeriodError, Span, period_dates, zone
from hearthline.store.queries.reports import ReportScope, check_grouping


def report_scope(d: Directory, p: Principal) -> ReportScope:
    if p.firm_wide:
        return ReportScope(clients=None, agents=None)
    if p.role is Role.SUPERVISOR and p.client_id is not None:
        agents = frozenset(a for a in d.agent_campaigns if p.client_id in d.agent_clients(a))
        return ReportScope(clients=frozenset({p.client_id}), agents=agents)
    if p.role is Role.CLIENT_VIEWER and p.client_id is not None:
        return ReportScope(clients=frozenset({p.client_id}), agents=None, agent_time=False)
    if p.role is Role.AGENT and p.agent_id is not None:
        return ReportScope(clients=None, agents=frozenset({p.agent_id}), contacts=False)
    raise forbidden("reports are for the firm's staff, its agents and its client companies")


def grouping(p: Principal, group: str) -> tuple[str, ...]:
    by = [g.strip() for g in group.split(",") if g.strip()]
    try:
        checked = check_grouping(by)
    except ValueError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    if "agent" in checked and p.role is Role.CLIENT_VIEWER:
        raise forbidden("figures by agent are the firm's own: group by client, campaign or queue")
    return checked


def span(
    time_zone: str,
    now: float,
    *,
    period: Period | None,
    day: dt.date | None,
    first: dt.date | None,
    last: dt.date | None,
) -> Span:
    """The days asked for: ``first`` to ``last``, or the ``period`` (default: the day)
    holding ``day`` (default: today in the firm's time zone)."""
    tz = zone(time_zone)
    try:
        if first is not None or last is not None:
            if first is None or last is None:
                raise PeriodError("a custom range needs both start and end (YYYY-MM-DD)")
            if period is not None or day is not None:
                raise PeriodError("give either start and end, or period and date")
            return Span.of(first, last, tz)
        today = dt.datetime.fromtimestamp(now, tz=tz).date()
        return Span.of(*period_dates(period or Period.DAY, day or today), tz)
    except PeriodError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    except OverflowError:
        raise ApiError(422, "invalid", "dates must be from 1970 on, and before 9000") from None
