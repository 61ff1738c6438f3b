"""Scenario files: a simulated day described in TOML, checked before anything runs.

A scenario names the queues (arrivals, handle times, caller patience, routing policy),
the agents (how many or who, skills, shifts and breaks) and how agents behave (time to
accept an offer, missed offers, dropped connections). docs/simulator.md documents every
key with examples; examples/scenarios/ holds complete files.

Any mistake is reported as a :class:`ScenarioError` naming the key (and its line where it
can be found), never as a traceback. Files a scenario refers to (a forecast, a history)
are found relative to the scenario file.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hearthline.routing.config import Strategy

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
_CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")


class ScenarioError(ValueError):
    """A scenario that cannot be run, with a message naming the problem."""


def clock_seconds(text: str) -> float:
    """'08:30' or '08:30:15' as seconds since midnight (up to 48:00 for a night shift)."""
    m = _CLOCK.match(text.strip())
    if m is None:
        raise ValueError(f"a time of day is written HH:MM or HH:MM:SS, got {text!r}")
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 48:
        raise ValueError(f"hours must be at most 48, got {text!r}")
    return float(h * 3600 + mi * 60 + s)


def _date_field(value: str | None) -> str | None:
    """A day of a history, forecast or plan, checked when the scenario is read."""
    if value is not None:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"date must be YYYY-MM-DD, got {value!r}") from None
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Durations -------------------------------------------------------------------------------


class ExponentialSpec(_Model):
    kind: Literal["exponential"]
    mean_s: float = Field(gt=0)


class LognormalSpec(_Model):
    kind: Literal["lognormal"]
    mean_s: float = Field(gt=0)
    sd_s: float = Field(gt=0)


class ConstantSpec(_Model):
    kind: Literal["constant"]
    value_s: float = Field(ge=0)


class EmpiricalSpec(_Model):
    """Observed values, given inline or taken from a history file.

    From history: handle times of answered calls, or (for patience) the waits of callers
    who gave up, of the given ``date`` and call ``types`` (queues) if set.
    """

    kind: Literal["empirical"]
    values: list[Annotated[float, Field(ge=0)]] | None = None
    history: str | None = None
    format: Literal["generic", "anonymous-bank"] = "anonymous-bank"
    date: str | None = None
    types: list[str] | None = None

    _date = field_validator("date")(_date_field)

    @model_validator(mode="after")
    def _one_source(self) -> EmpiricalSpec:
        if (self.values is None) == (self.history is None):
            raise ValueError("give either values = [...] or history = 'file.csv'")
        if self.values is not None and not self.values:
            raise ValueError("values must not be empty")
        return self


class NoneSpec(_Model):
    kind: Literal["none"]


DistSpec = Annotated[
    ExponentialSpec | LognormalSpec | ConstantSpec | EmpiricalSpec | NoneSpec,
    Field(discriminator="kind"),
]
FiniteDistSpec = Annotated[
    ExponentialSpec | LognormalSpec | ConstantSpec | EmpiricalSpec,
    Field(discriminator="kind"),
]


def _clock_field(value: str | None) -> str | None:
    if value is not None:
        clock_seconds(value)
    return value


# Queues ------------------------------------------------------------------------------------


class ArrivalsSpec(_Model):
    """Exactly one of: ``per_hour`` (constant), ``per_interval`` (calls in each interval
    from ``start``), ``forecast`` (CSV with ``start`` and ``calls`` columns) or ``history``
    (a call log: the calls offered per interval on ``date``)."""

    per_hour: float | None = Field(default=None, ge=0)
    per_interval: list[Annotated[float, Field(ge=0)]] | None = None
    interval_minutes: int | None = Field(default=None, gt=0, le=1440)
    start: str | None = None
    forecast: str | None = None
    history: str | None = None
    format: Literal["generic", "anonymous-bank"] = "anonymous-bank"
    date: str | None = None
    types: list[str] | None = None
    queue: str | None = None
    scale: float = Field(default=1.0, ge=0)
    # The line's opening hours, "HH:MM-HH:MM": outside them callers hear the closed
    # message and leave, so no call reaches the queue.
    open: str | None = Field(default=None, pattern=r"^\d\d:\d\d-\d\d:\d\d$")

    _start = field_validator("start")(_clock_field)
    _date = field_validator("date")(_date_field)

    @model_validator(mode="after")
    def _one_source(self) -> ArrivalsSpec:
        given = [
            k
            for k in ("per_hour", "per_interval", "forecast", "history")
            if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of per_hour, per_interval, forecast or history"
                + (f" (found {', '.join(given)})" if given else "")
            )
        if self.history is not None and self.date is None:
            raise ValueError("arrivals from a history need the date = 'YYYY-MM-DD' to replay")
        if self.open is not None:
            opens, closes = (clock_seconds(t) for t in self.open.split("-"))
            if opens >= closes:
                raise ValueError(f"open = {self.open!r}: the line closes before it opens")
        return self


class WrapUpSpec(_Model):
    """``timed``: the agent is ready again after ``seconds``. ``manual``: the agent says
    when, after a ``time`` drawn per contact; ``seconds`` is then the maximum."""

    mode: Literal["timed", "manual"] = "timed"
    seconds: float = Field(default=0.0, ge=0)
    time: FiniteDistSpec | None = None

    @model_validator(mode="after")
    def _manual_needs_time(self) -> WrapUpSpec:
        if self.mode == "manual" and self.time is None:
            raise ValueError("a manual wrap-up needs time = { kind = ... } (how long agents take)")
        if self.mode == "manual" and self.seconds <= 0:
            raise ValueError("a manual wrap-up needs seconds > 0 (its maximum)")
        return self


_OVERFLOW = r"^(voicemail|callback|queue:[A-Za-z0-9][A-Za-z0-9_.\-]*)$"


class StepSpec(_Model):
    """After ``after_s`` seconds in the queue: a new (usually wider) requirement, a higher
    priority, or an overflow elsewhere (``queue:ID``, ``callback`` or ``voicemail``)."""

    after_s: float = Field(ge=0)
    requirement: str | None = None
    priority: int | None = None
    overflow: str | None = Field(default=None, pattern=_OVERFLOW)


class MenuSpec(_Model):
    """Callers walk a menu flow (JSON, as ``PUT /api/admin/menus`` takes it) before the
    queue: ``choices`` per node (key -> probability; the rest press nothing), prompt
    lengths by name, and an exponential menu patience."""

    flow: str
    patience_s: float = Field(gt=0)
    think_s: float = Field(default=1.5, ge=0)
    prompt_s: dict[str, Annotated[float, Field(ge=0)]] = {}
    choices: dict[str, dict[str, Annotated[float, Field(ge=0, le=1)]]] = {}


class QueueSpec(_Model):
    id: str = Field(pattern=_ID)
    name: str = ""
    campaign: str = Field(default="default", pattern=_ID)
    requirement: str = "*"
    steps: list[StepSpec] = []
    strategy: Strategy = Strategy.LONGEST_IDLE
    service_target_s: float = Field(default=20.0, gt=0)
    offer_timeout_s: float = Field(default=20.0, gt=0)
    priority: int = 0
    max_wait_s: float | None = Field(default=None, ge=0)
    on_max_wait: str = Field(default="callback", pattern=_OVERFLOW)
    max_length: int | None = Field(default=None, ge=0)
    on_full: str = Field(default="voicemail", pattern=_OVERFLOW)
    wrap_up: WrapUpSpec = WrapUpSpec()
    arrivals: ArrivalsSpec
    menu: MenuSpec | None = None
    handle_time: FiniteDistSpec
    patience: DistSpec = NoneSpec(kind="none")


# Agents ------------------------------------------------------------------------------------


class BehaviourSpec(_Model):
    """How simulated agents act: answer after ``accept``, miss an offer with
    ``miss_probability`` (then make themselves ready after ``ready_after_miss``), lose
    their connection ``drops_per_hour`` times an hour for ``drop_length``."""

    accept: FiniteDistSpec = ConstantSpec(kind="constant", value_s=0.0)
    miss_probability: float = Field(default=0.0, ge=0, lt=1)
    ready_after_miss: FiniteDistSpec = ConstantSpec(kind="constant", value_s=10.0)
    drops_per_hour: float = Field(default=0.0, ge=0)
    drop_length: FiniteDistSpec = ExponentialSpec(kind="exponential", mean_s=20.0)


class ShiftSpec(_Model):
    start: str
    end: str

    _clocks = field_validator("start", "end")(_clock_field)

    @model_validator(mode="after")
    def _order(self) -> ShiftSpec:
        if clock_seconds(self.end) <= clock_seconds(self.start):
            raise ValueError(f"shift end {self.end} must be after its start {self.start}")
        return self


class BreakSpec(_Model):
    """A break of ``minutes`` at ``at``; with ``spread_minutes`` the group's agents start
    it one after another across that window instead of all at once."""

    at: str
    minutes: float = Field(gt=0)
    reason: str = Field(default="break", pattern=_ID)
    spread_minutes: float = Field(default=0.0, ge=0)

    _clock = field_validator("at")(_clock_field)


class StaffingSpec(_Model):
    """Agents on duty per interval, from a staffing plan (the CSV ``hearthline plan --csv``
    writes): its ``agents`` column (needed on the phones) or ``scheduled`` (with shrinkage).
    Agent k of the group is on duty in every interval that needs more than k agents."""

    plan: str
    column: Literal["agents", "scheduled"] = "agents"
    date: str | None = None
    queue: str | None = None

    _date = field_validator("date")(_date_field)


class AgentGroupSpec(_Model):
    count: int | None = Field(default=None, ge=1, le=200_000)
    names: list[Annotated[str, Field(pattern=_ID)]] | None = None
    staffing: StaffingSpec | None = None
    prefix: str = Field(default="agent", pattern=_ID)
    skills: dict[str, Annotated[int, Field(ge=0)]] = {}
    campaigns: list[str] | None = None
    shift: ShiftSpec | None = None
    breaks: list[BreakSpec] = []
    behaviour: BehaviourSpec | None = None

    @model_validator(mode="after")
    def _count_or_names(self) -> AgentGroupSpec:
        given = [k for k in ("count", "names", "staffing") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give one of count = N, names = ['...'] or staffing = { plan = '...' } "
                "for an agent group" + (f" (found {', '.join(given)})" if given else "")
            )
        if self.names is not None and len(set(self.names)) != len(self.names):
            raise ValueError("names in an agent group must be unique")
        if self.staffing is not None and self.shift is not None:
            raise ValueError("a group staffed from a plan takes its hours from the plan: no shift")
        return self

    def agent_ids(self, count: int | None = None) -> list[str]:
        """The group's ids; ``count`` for a group whose size comes from its plan."""
        if self.names is not None:
            return list(self.names)
        n = count if count is not None else (self.count or 0)
        width = max(4, len(str(n)))
        return [f"{self.prefix}-{i:0{width}d}" for i in range(1, n + 1)]


# The whole scenario --------------------------------------------------------------------------


class SimulationSpec(_Model):
    name: str = ""
    seed: int = 1
    start: str = "00:00"
    end: str | None = None
    hours: float | None = Field(default=None, gt=0, le=48)
    interval_minutes: int = Field(default=30, gt=0, le=1440)
    warmup_minutes: float = Field(default=0.0, ge=0)
    drain_minutes: float = Field(default=60.0, ge=0)
    connection_grace_s: float = Field(default=60.0, ge=0)

    _clocks = field_validator("start", "end")(_clock_field)

    @model_validator(mode="after")
    def _length(self) -> SimulationSpec:
        if (self.end is None) == (self.hours is None):
            raise ValueError("give either hours = N or end = 'HH:MM' for the simulated day")
        if self.end is not None and clock_seconds(self.end) <= clock_seconds(self.start):
            raise ValueError(f"end {self.end} must be after start {self.start}")
        if self.warmup_minutes * 60 >= self.end_s - self.start_s:
            raise ValueError("warmup_minutes must be shorter than the simulated day")
        return self

    @property
    def start_s(self) -> float:
        return clock_seconds(self.start)

    @property
    def end_s(self) -> float:
        if self.end is not None:
            return clock_seconds(self.end)
        assert self.hours is not None
        return self.start_s + self.hours * 3600.0

    @property
    def interval_s(self) -> float:
        return self.interval_minutes * 60.0


class Scenario(_Model):
    simulation: SimulationSpec
    queues: list[QueueSpec] = Field(min_length=1)
    agents: list[AgentGroupSpec] = Field(min_length=1)
    behaviour: BehaviourSpec = BehaviourSpec()
    # Where relative file names in the scenario are looked up.
    base_dir: str = "."

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        qids = [q.id for q in self.queues]
        dup = sorted({q for q in qids if qids.count(q) > 1})
        if dup:
            raise ValueError(f"queue ids must be unique; repeated: {', '.join(dup)}")
        for q in self.queues:
            for target in (q.on_max_wait, q.on_full):
                if target.startswith("queue:") and target[6:] not in qids:
                    raise ValueError(f"queue {q.id!r} overflows to unknown queue {target[6:]!r}")
        campaigns = {q.campaign for q in self.queues}
        ids: list[str] = []
        for g in self.agents:
            unknown = sorted(set(g.campaigns or ()) - campaigns)
            if unknown:
                raise ValueError(
                    f"agents name unknown campaign(s) {', '.join(unknown)}; "
                    f"queues use: {', '.join(sorted(campaigns))}"
                )
            ids += g.agent_ids()
        dup = sorted({a for a in ids if ids.count(a) > 1}) if len(set(ids)) != len(ids) else []
        if dup:
            raise ValueError(f"agent ids must be unique; repeated: {', '.join(dup[:5])}")
        return self

    def path(self, name: str) -> Path:
        """A file the scenario names, relative to the scenario file."""
        p = Path(name)
        return p if p.is_absolute() else Path(self.base_dir) / p

    def with_seed(self, seed: int) -> Scenario:
        return self.model_copy(
            update={"simulation": self.simulation.model_copy(update={"seed": seed})}
        )


# Loading -----------------------------------------------------------------------------------


def load_scenario(path: str | Path) -> Scenario:
    """Reads and checks a scenario file; raises :class:`ScenarioError` on any problem."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"scenario file not found: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read scenario file {p}: {exc}") from None
    return parse_scenario(text, source=str(p), base_dir=p.parent)


def parse_scenario(
    text: str, *, source: str = "<scenario>", base_dir: str | Path = "."
) -> Scenario:
    """Checks scenario TOML ``text``; ``base_dir`` is where relative file names point."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    data["base_dir"] = str(base_dir)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_describe(exc, text, source)) from None


def _describe(exc: ValidationError, text: str, source: str) -> str:
    problems = []
    for err in exc.errors()[:5]:
        loc = _clean_loc(err["loc"])
        where = ".".join(str(x) if isinstance(x, str) else f"[{x}]" for x in loc)
        where = where.replace(".[", "[") or "(top level)"
        line = _line_of(text, loc)
        at = f" (line {line})" if line else ""
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling; docs/simulator.md lists the keys)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        problems.append(f"{where}{at}: {msg}")
    more = len(exc.errors()) - len(problems)
    tail = f" (and {more} more)" if more > 0 else ""
    return f"{source}: " + "; ".join(problems) + tail


def _clean_loc(loc: tuple[int | str, ...]) -> list[int | str]:
    # Pydantic adds the union member's tag to the path (handle_time.exponential.mean_s).
    tags = {"exponential", "lognormal", "constant", "empirical", "none"}
    return [x for x in loc if not (isinstance(x, str) and x in tags)]


def _line_of(text: str, loc: list[int | str]) -> int | None:
    """Best effort: the line where the key at ``loc`` is written."""
    lines = text.splitlines()
    lo, hi = 0, len(lines)
    keys = list(loc)
    if len(keys) >= 2 and isinstance(keys[0], str) and isinstance(keys[1], int):
        header = re.compile(rf"^\s*\[\[\s*{re.escape(keys[0])}\s*\]\]")
        starts = [n for n, line in enumerate(lines) if header.match(line)]
        if keys[1] < len(starts):
            lo = starts[keys[1]]
            hi = starts[keys[1] + 1] if keys[1] + 1 < len(starts) else len(lines)
        keys = keys[2:]
    elif keys and isinstance(keys[0], str):
        header = re.compile(rf"^\s*\[\s*{re.escape(keys[0])}\s*\]")
        found = [n for n, line in enumerate(lines) if header.match(line)]
        if found:
            lo = found[0]
    names = [k for k in keys if isinstance(k, str)]
    for name in reversed(names):
        pattern = re.compile(rf"(^|[\s{{,.\[])\"?{re.escape(name)}\"?\s*=")
        for n in range(lo, hi):
            if pattern.search(lines[n]):
                return n + 1
    return lo + 1 if lo or hi != len(lines) else None
