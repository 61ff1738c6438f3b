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


def within_target(wait_s: float, target_s: float) -> bool:
    """Whether a wait of ``wait_s`` seconds is within the target: a call answered after
    it was answered within target; a caller who gave up after it is a short abandon."""
    return wait_s <= target_s


def service_level(offered: float, answered_in_target: float) -> float | None:
    """Calls answered within target over calls offered; None when none were offered."""
    return answered_in_target / offered if offered > 0 else None
