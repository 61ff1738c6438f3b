"""What a service level is, once, for every report: the live server's statistics, the
read-model tables, the supervisor's day figures and the simulator's results.

The words are in docs/simulator.md (Results) and every other page points there:

- a call counts as **offered** to the queue it waits in, in the interval it arrived;
- it is **answered within target** when an agent accepts it after a wait (from taking
  its place in the queue) of at most the queue's ``service_target_s``;
- the **service level** is calls answered within target over calls offered. Every call
  not answered within target counts against it: a caller who gave up, however soon
  (short abandons are not taken out), a call sent on by a limit or cut by a fault, and
  a call still waiting when the figures are read. This is the service level of Erlang C
  and Erlang A (docs/planning.md), so a plan's promise and a day's figures compare.
"""

from __future__ import annotations

from dataclasses import dataclass


def within_target(wait_s: float, target_s: float) -> bool:
    """Whether a wait of ``wait_s`` seconds is within the target: a call answered after
    it was answered within target; a caller who gave up after it is a short abandon."""
    return wait_s <= target_s


def service_level(offered: float, answered_in_target: float) -> float | None:
    """Calls answered within target over calls offered; None when none were offered."""
    return answered_in_target / offered if offered > 0 else None


# A caller who hangs up within this many seconds of queueing most often misdialled or
# was cut off before anyone could answer: counted as abandoned, and shown apart.
SHORT_ABANDON_S = 5.0
# An answered contact whose customer calls the same campaign again within this many
# seconds was not resolved the first time (first-contact resolution).
REPEAT_WINDOW_S = 7 * 86400.0


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of a report: its name in the API and the exports, its heading, its unit
    and what it means, written once and shown to users beside the numbers."""

    name: str
    label: str
    unit: str
    definition: str


def _days(seconds: float) -> str:
    return f"{seconds / 86400:g}"


FIGURES: tuple[Figure, ...] = (
    Figure(
        "offered",
        "Offered",
        "contacts",
        "Contacts that took a place in a queue, counted in the interval they arrived; a "
        "callback the center owed counts when it is queued.",
    ),
    Figure("answered", "Answered", "contacts", "Offered contacts an agent accepted."),
    Figure(
        "abandoned",
        "Abandoned",
        "contacts",
        "Offered contacts whose caller hung up while waiting, short abandons included.",
    ),
    Figure(
        "short_abandoned",
        "Short abandons",
        "contacts",
        f"Of the abandoned, callers who hung up within {SHORT_ABANDON_S:g} s of queueing.",
    ),
    Figure(
        "abandon_rate",
        "Abandon rate",
        "ratio",
        "(Abandoned - short abandons) / (offered - short abandons).",
    ),
    Figure(
        "service_level",
        "Service level",
        "ratio",
        "Offered contacts answered within their queue's target wait, over all offered; "
        "abandons, short ones included, count against it.",
    ),
    Figure(
        "asa_s",
        "Average speed of answer",
        "seconds",
        "Wait from queueing to an agent accepting, averaged over answered contacts.",
    ),
    Figure(
        "talk_s",
        "Talk",
        "seconds",
        "Time on answered contacts not on hold, averaged over answered contacts.",
    ),
    Figure("hold_s", "Hold", "seconds", "Time answered callers spent on hold, averaged."),
    Figure(
        "wrap_s",
        "Wrap-up",
        "seconds",
        "The agent's after-contact work, averaged over answered contacts.",
    ),
    Figure(
        "handle_s",
        "Average handle time",
        "seconds",
        "Talk + hold + wrap-up, averaged over answered contacts.",
    ),
    Figure(
        "occupancy",
        "Occupancy",
        "ratio",
        "Agents' time talking, on hold and in wrap-up over their time available, "
        "ringing, talking, on hold and in wrap-up (not-ready time is left out).",
    ),
    Figure(
        "transfers",
        "Transfers",
        "contacts",
        "Answered contacts the agent passed on to another queue or agent.",
    ),
    Figure(
        "callbacks",
        "Callbacks",
        "contacts",
        "Callbacks the center owed (after a dropped call or a caller's request) that were "
        "queued for an agent.",
    ),
    Figure(
        "callback_requests",
        "Callback requests",
        "contacts",
        "Waiting callers who asked to be called back instead.",
    ),
    Figure(
        "repeats",
        "Repeat contacts",
        "contacts",
        "Answered contacts whose customer (known customer, else the caller's number) "
        f"contacted the same campaign again within {_days(REPEAT_WINDOW_S)} days.",
    ),
    Figure(
        "fcr",
        "First-contact resolution",
        "ratio",
        "1 - repeat contacts / answered: final only once the window has passed.",
    ),
    Figure("outcomes", "Outcomes", "contacts", "Outcomes (dispositions) agents recorded."),
    Figure("sales", "Sales", "contacts", "Outcomes that count as a sale."),
    Figure("saves", "Saves", "contacts", "Outcomes that count as a save (a customer kept)."),
    Figure("save_rate", "Save rate", "ratio", "Saves over outcomes recorded."),
    Figure(
        "evaluations",
        "Evaluations",
        "contacts",
        "Contacts a supervisor scored on the campaign's scorecard, counted when scored; "
        "calibration scorings and overturned evaluations are left out.",
    ),
    Figure(
        "quality_score",
        "Quality score",
        "score",
        "The mean score (0 to 100) of those evaluations; a critical question failed scores 0.",
    ),
    Figure(
        "scheduled_s",
        "Scheduled",
        "seconds",
        "Planned work in the agents' shifts: each shift they held once it was over, less its "
        "planned breaks, in the firm's days (a night counts in each day for its part).",
    ),
    Figure(
        "adhering_s",
        "In adherence",
        "seconds",
        "Of the scheduled time, the time the agent was signed in and not on a break of their "
        "own; a lost connection or a restart counts as kept (it is the center's, not theirs).",
    ),
    Figure("adherence", "Adherence", "ratio", "In adherence over scheduled."),
    Figure(
        "worked_s",
        "Worked",
        "seconds",
        "From each shift's start to its end, breaks included, the time signed in and not on a "
        "break of the agent's own (a lost connection or a restart included); time outside "
        "the shifts is on the timesheet, not here.",
    ),
    Figure("conformance", "Conformance", "ratio", "Worked over scheduled."),
    Figure(
        "excused_s",
        "Lost to the system",
        "seconds",
        "Of the scheduled time, that lost to a dropped connection or a restart: kept apart, "
        "and counted as in adherence, never against the agent.",
    ),
    Figure(
        "late_starts",
        "Late starts",
        "shifts",
        "Shifts first signed in to later than the sign-in grace after their start (the "
        "schedules' settings, 5 min by default), on the day the shift starts.",
    ),
    Figure("late_s", "Time late", "seconds", "Start to first sign-in, summed over late starts."),
    Figure(
        "early_leaves",
        "Early leaves",
        "shifts",
        "Shifts the agent signed out of for good earlier than the sign-out grace before "
        "their end, on the day of the sign-out; a sign-out while the connection was lost "
        "is not counted.",
    ),
    Figure("early_s", "Time left early", "seconds", "Sign-out to end, summed over early leaves."),
    Figure(
        "absences",
        "Absences",
        "shifts",
        "Shifts the agent never signed in to (not counted as late starts).",
    ),
)

FIGURE_NAMES: tuple[str, ...] = tuple(f.name for f in FIGURES)


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``; None when the whole is zero (nothing to measure)."""
    return part / whole if whole > 0 else None
