"""A report row's figures (``definitions.FIGURES``) from the sums of the stored rows.

Three read models feed a row: the queues' (what happened to contacts), the agents' (how
they spent their time) and the outcomes' (what they recorded); the quality evaluations
a fourth, the shifts' adherence per agent and day a fifth. A grouping uses those that
have its dimensions: by queue there is no agent time, by agent no waiting contacts. A
figure without its source is None, as is a ratio of nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from hearthline.reports.definitions import FIGURE_NAMES, ratio

Sums = Mapping[str, float]

QUEUE_SUMS = (
    "offered",
    "answered",
    "answered_in_target",
    "abandoned",
    "abandoned_short",
    "callbacks_offered",
    "converted_to_callback",
    "transferred_out",
    "repeated",
    "wait_answered_s",
    "talk_s",
    "hold_s",
    "wrap_s",
)
AGENT_SUMS = ("answered", "transferred", "available_s", "reserved_s", "talk_s", "hold_s", "wrap_s")
OUTCOME_SUMS = ("outcomes", "sales", "saves")
QUALITY_SUMS = ("evaluations", "score")
# The stored adherence rows' columns (``wfm.adherence_days.SUMS``).
ADHERENCE_SUMS = (
    "scheduled_s",
    "adhering_s",
    "excused_s",
    "worked_s",
    "late_starts",
    "late_s",
    "early_leaves",
    "early_s",
    "absences",
)

Figures = dict[str, float | None]


def derive(
    queue: Sums | None,
    agent: Sums | None,
    outcome: Sums | None,
    quality: Sums | None = None,
    adherence: Sums | None = None,
) -> Figures:
    out: Figures = dict.fromkeys(FIGURE_NAMES)
    if queue is not None:
        out.update(_contacts(queue))
    elif agent is not None:
        # By agent: the contacts they answered, from their own rows.
        answered = agent["answered"]
        out["answered"] = answered
        out["transfers"] = agent["transferred"]
        out.update(_handle(agent, answered))
    if agent is not None:
        busy = agent["talk_s"] + agent["hold_s"] + agent["wrap_s"]
        out["occupancy"] = ratio(busy, busy + agent["available_s"] + agent["reserved_s"])
    if outcome is not None:
        out["outcomes"] = outcome["outcomes"]
        out["sales"] = outcome["sales"]
        out["saves"] = outcome["saves"]
        out["save_rate"] = ratio(outcome["saves"], outcome["outcomes"])
    if quality is not None:
        out["evaluations"] = quality["evaluations"]
        out["quality_score"] = ratio(quality["score"], quality["evaluations"])
    if adherence is not None:
        for name in ADHERENCE_SUMS:
            out[name] = adherence[name]
        out["adherence"] = ratio(adherence["adhering_s"], adherence["scheduled_s"])
        out["conformance"] = ratio(adherence["worked_s"], adherence["scheduled_s"])
    return out


def _contacts(q: Sums) -> Figures:
    short = q["abandoned_short"]
    answered = q["answered"]
    repeats = ratio(q["repeated"], answered)
    return {
        "offered": q["offered"],
        "answered": answered,
        "abandoned": q["abandoned"],
        "short_abandoned": short,
        "abandon_rate": ratio(q["abandoned"] - short, q["offered"] - short),
        "service_level": ratio(q["answered_in_target"], q["offered"]),
        "asa_s": ratio(q["wait_answered_s"], answered),
        "transfers": q["transferred_out"],
        "callbacks": q["callbacks_offered"],
        "callback_requests": q["converted_to_callback"],
        "repeats": q["repeated"],
        "fcr": None if repeats is None else 1.0 - repeats,
        **_handle(q, answered),
    }


def _handle(s: Sums, answered: float) -> Figures:
    return {
        "talk_s": ratio(s["talk_s"], answered),
        "hold_s": ratio(s["hold_s"], answered),
        "wrap_s": ratio(s["wrap_s"], answered),
        "handle_s": ratio(s["talk_s"] + s["hold_s"] + s["wrap_s"], answered),
    }
