"""Menu flows: what a caller hears and presses before a queue takes them.

A flow is a set of nodes. ``menu`` plays a prompt and waits for one digit; ``collect``
gathers an account or order number and has it checked; the leaves end the menu: ``queue``
(with the contact data set on the way), ``callback`` (queued, then called back in that
place), ``voicemail`` and ``hangup``. "0" reaches a person (the flow's ``operator``
queue) from any menu unless the menu uses "0" itself.

Pure: a ``Walker`` is handed each digit, timeout and lookup answer with the time, and
says what to play, how long to wait, and how the call leaves the menu. The control plane
keeps the timers and the media.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from hearthline.voice.errors import VoiceError

MENU, COLLECT = "menu", "collect"
EXITS = ("queue", "callback", "voicemail", "hangup")
KINDS = (MENU, COLLECT, *EXITS)
# An account number is the customer's id in the client's records.
# What a collect node checks the digits against in the client's records: a customer's
# account number (their id) or one of their order numbers.
LOOKUPS = ("account", "order")
# Contact data a node may set: what the queue and the agent's desktop read.
DATA_KEYS = ("language", "service_type", "skill", "priority")
DIGITS = "0123456789*#"
ZERO_OUT = "0"
MAX_NODES = 200
_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_PROMPT = re.compile(r"^[A-Za-z0-9_-]{0,60}$")


class MenuError(VoiceError):
    """A flow that cannot be used; ``node`` names the node at fault."""

    code = "invalid-flow"

    def __init__(self, node: str, problem: str) -> None:
        super().__init__(f"node {node!r}: {problem}")
        self.node = node


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: str
    prompt: str = ""
    # menu: digit -> node
    options: tuple[tuple[str, str], ...] = ()
    timeout_s: float = 5.0
    retries: int = 2
    invalid_prompt: str = ""
    # Where a caller goes after the last retry; None: the operator queue.
    fallback: str | None = None
    # Contact data set on entering the node (language, service type, skill, priority).
    sets: tuple[tuple[str, str], ...] = ()
    # collect: what is checked, how many digits, and where a found customer goes
    lookup: str = "account"
    min_digits: int = 4
    max_digits: int = 12
    next: str | None = None
    # leaves
    queue: str | None = None
    priority: int = 0

    def targets(self) -> list[str]:
        out = [target for _, target in self.options]
        out += [t for t in (self.next, self.fallback) if t is not None]
        return out


@dataclass(frozen=True, slots=True)
class Flow:
    start: str
    nodes: tuple[Node, ...]
    # "0" and an exhausted menu with no fallback go here; None turns zero-out off.
    operator: str | None = None
    # Where callers start outside opening hours (a leaf, or a menu offering a callback).
    closed: str | None = None
    # The campaign whose opening hours decide between ``start`` and ``closed``.
    hours: str | None = None

    def node(self, node: str) -> Node:
        for n in self.nodes:
            if n.id == node:
                return n
        raise MenuError(node, "no such node")


# Checking a flow ---------------------------------------------------------------------------


# Checks a skill requirement (the routing core's grammar), raising an error that says why.
CheckSkill = Callable[[str], object]


def check_flow(
    flow: Flow,
    *,
    queues: Collection[str] | None = None,
    skill: CheckSkill | None = None,
) -> None:
    """Raises MenuError naming the first node at fault; ``queues``: those a leaf may name;
    ``skill``: checks what a node's ``sets: {skill: ...}`` asks of the agent."""
    if not flow.nodes:
        raise MenuError(flow.start, "a flow needs at least one node")
    if len(flow.nodes) > MAX_NODES:
        raise MenuError(flow.start, f"a flow has at most {MAX_NODES} nodes")
    by_id: dict[str, Node] = {}
    for node in flow.nodes:
        if not _ID.match(node.id):
            raise MenuError(node.id, "an id is 1-40 letters, digits, '-' or '_'")
        if node.id in by_id:
            raise MenuError(node.id, "two nodes have this id")
        by_id[node.id] = node
    if flow.operator is not None and queues is not None and flow.operator not in queues:
        raise MenuError(flow.start, f"the operator queue {flow.operator!r} is not known")
    for name, start in (("start", flow.start), ("closed", flow.closed)):
        if start is not None and start not in by_id:
            raise MenuError(start, f"the flow's {name} node does not exist")
    if flow.hours is not None and flow.closed is None:
        raise MenuError(flow.start, "a flow with opening hours needs a closed node")
    for node in flow.nodes:
        _check_node(node, by_id, flow.operator, queues)
        _check_skill(node, skill)
    _check_reachable(flow, by_id)
    for node in flow.nodes:
        _check_silent_path(node, by_id)


def _check_node(
    node: Node, by_id: dict[str, Node], operator: str | None, queues: Collection[str] | None
) -> None:
    if node.kind not in KINDS:
        raise MenuError(node.id, f"the kind is one of {', '.join(KINDS)}, not {node.kind!r}")
    for prompt in (node.prompt, node.invalid_prompt):
        if not _PROMPT.match(prompt):
            raise MenuError(node.id, f"a prompt is named by up to 60 letters, not {prompt!r}")
    for key, value in node.sets:
        if key not in DATA_KEYS:
            raise MenuError(node.id, f"it may set {', '.join(DATA_KEYS)}, not {key!r}")
        if key == "priority" and not _is_int(value):
            raise MenuError(node.id, f"a priority is a whole number, not {value!r}")
        if len(value) > 64:
            raise MenuError(node.id, f"the value of {key!r} is over 64 characters")
    for target in node.targets():
        if target not in by_id:
            raise MenuError(node.id, f"it leads to {target!r}, which does not exist")
    if not 1.0 <= node.timeout_s <= 60.0:
        raise MenuError(node.id, "a timeout is 1 to 60 seconds")
    if not 0 <= node.retries <= 5:
        raise MenuError(node.id, "retries are 0 to 5")
    if node.kind in (MENU, COLLECT) and node.fallback is None and operator is None:
        raise MenuError(
            node.id, "after its last retry it routes nowhere: give a fallback or an operator"
        )
    if node.kind == MENU:
        _check_menu(node)
    elif node.kind == COLLECT:
        _check_collect(node)
    elif node.kind in ("queue", "callback", "voicemail"):
        if node.queue is None:
            raise MenuError(node.id, f"a {node.kind} leaf routes nowhere: it names no queue")
        if queues is not None and node.queue not in queues:
            raise MenuError(node.id, f"the queue {node.queue!r} is not known")
    if node.kind in EXITS and (node.options or node.next or node.fallback):
        raise MenuError(node.id, f"a {node.kind} leaf ends the menu: it leads nowhere else")


def _check_skill(node: Node, check: CheckSkill | None) -> None:
    for key, value in node.sets:
        if key != "skill" or check is None:
            continue
        try:
            check(value)
        except Exception as exc:  # the routing core's refusal says what is wrong
            raise MenuError(node.id, f"the skill it sets is not a requirement: {exc}") from None


def _check_menu(node: Node) -> None:
    if not node.options:
        raise MenuError(node.id, "a menu with no options routes nowhere")
    seen: set[str] = set()
    for digit, _ in node.options:
        if len(digit) != 1 or digit not in DIGITS:
            raise MenuError(node.id, f"an option is one of {DIGITS!r}, not {digit!r}")
        if digit in seen:
            raise MenuError(node.id, f"two options use {digit!r}")
        seen.add(digit)


def _check_collect(node: Node) -> None:
    if node.lookup not in LOOKUPS:
        raise MenuError(node.id, f"it looks up an {' or an '.join(LOOKUPS)}, not {node.lookup!r}")
    if not 1 <= node.min_digits <= node.max_digits <= 32:
        raise MenuError(node.id, "digits: 1 <= min_digits <= max_digits <= 32")
    if node.next is None:
        raise MenuError(node.id, "a found customer routes nowhere: it names no next node")


def _check_reachable(flow: Flow, by_id: dict[str, Node]) -> None:
    seen: set[str] = set()
    todo = [s for s in (flow.start, flow.closed) if s is not None]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(by_id[current].targets())
    for node in flow.nodes:
        if node.id not in seen:
            raise MenuError(node.id, "it is unreachable from the start")


def _check_silent_path(node: Node, by_id: dict[str, Node]) -> None:
    """A caller who presses nothing follows fallbacks; they must reach a leaf."""
    path = [node.id]
    current = node
    while current.kind in (MENU, COLLECT) and current.fallback is not None:
        current = by_id[current.fallback]
        if current.id in path:
            loop = " -> ".join([*path[path.index(current.id) :], current.id])
            raise MenuError(current.id, f"a loop with no exit: a silent caller goes {loop}")
        path.append(current.id)


def _is_int(value: str) -> bool:
    return re.fullmatch(r"-?\d{1,6}", value) is not None


# Walking a flow ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Visit:
    """One stay in one node: measured in the log (time in menu, exits per option)."""

    node: str
    entered_at: float
    left_at: float
    # "option:<digit>", "zero-out", "found", "timeout", "invalid", "hangup", or the leaf's kind
    how: str
    timeouts: int = 0
    invalids: int = 0


@dataclass(frozen=True, slots=True)
class Ending:
    """How the call leaves the menu."""

    kind: str  # queue, callback, voicemail, hangup ("hangup" with node "": the caller left)
    node: str
    queue: str | None = None
    priority: int = 0
    data: tuple[tuple[str, str], ...] = ()
    customer: str | None = None
    zero_out: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """What to do now: play these prompts, then wait ``wait_s`` for a digit, or have
    ``lookup`` checked (``Walker.checked``), or the menu is over (``end``)."""

    play: tuple[str, ...] = ()
    wait_s: float | None = None
    lookup: tuple[str, str] | None = None
    end: Ending | None = None
    visits: tuple[Visit, ...] = ()


@dataclass
class Walker:
    """One caller in one flow."""

    flow: Flow
    node: Node = field(init=False)
    entered_at: float = 0.0
    tries: int = 0
    timeouts: int = 0
    invalids: int = 0
    digits: str = ""
    checking: bool = False
    data: dict[str, str] = field(default_factory=dict)
    customer: str | None = None
    ended: Ending | None = None

    def start(self, at: float, *, closed: bool = False) -> Step:
        first = self.flow.closed if closed and self.flow.closed else self.flow.start
        return self._enter(first, at, ())

    def digit(self, digit: str, at: float) -> Step:
        if self.ended is not None or self.checking:
            return Step()  # over, or a number is being checked: keys pressed meanwhile are lost
        node = self.node
        if node.kind == MENU:
            chosen = dict(node.options).get(digit)
            if chosen is not None:
                return self._enter(chosen, at, (self._leave(at, f"option:{digit}"),))
            if digit == ZERO_OUT and self.flow.operator is not None:
                return self._operator(at, self._leave(at, "zero-out"), zero_out=True)
            return self._retry(at, invalid=True)
        if digit == "#":
            return self._check(at)
        if not digit.isdigit() or len(digit) != 1:
            return self._retry(at, invalid=True)
        self.digits += digit
        if len(self.digits) >= node.max_digits:
            return self._check(at)
        return Step(wait_s=node.timeout_s)

    def timeout(self, at: float) -> Step:
        if self.ended is not None or self.checking:
            return Step()
        if self.node.kind == COLLECT and self.digits:
            return self._check(at)
        return self._retry(at, invalid=False)

    def checked(self, customer: str | None, at: float) -> Step:
        """The answer to ``Step.lookup``: the customer found, or None."""
        if self.ended is not None or not self.checking:
            return Step()
        self.checking = False
        if customer is None:
            return self._retry(at, invalid=True)
        self.customer = customer
        target = self.node.next
        assert target is not None  # check_flow: a collect names its next node
        return self._enter(target, at, (self._leave(at, "found"),))

    def hang_up(self, at: float) -> Step:
        """The caller hung up in the menu."""
        if self.ended is not None:
            return Step()
        visit = self._leave(at, "hangup")
        self.ended = Ending("hangup", "", data=tuple(sorted(self.data.items())))
        return Step(end=self.ended, visits=(visit,))

    # ----------------------------------------------------------------------------------------

    def _enter(self, node_id: str, at: float, visits: tuple[Visit, ...]) -> Step:
        node = self.flow.node(node_id)
        self.node, self.entered_at = node, at
        self.tries = self.timeouts = self.invalids = 0
        self.digits = ""
        self.data.update(node.sets)
        play = (node.prompt,) if node.prompt else ()
        if node.kind in EXITS:
            visit = Visit(node.id, at, at, node.kind)
            self.ended = Ending(
                node.kind,
                node.id,
                queue=node.queue,
                priority=self._priority() + node.priority,
                data=tuple(sorted(self.data.items())),
                customer=self.customer,
            )
            return Step(play=play, end=self.ended, visits=(*visits, visit))
        return Step(play=play, wait_s=node.timeout_s, visits=visits)

    def _leave(self, at: float, how: str) -> Visit:
        return Visit(self.node.id, self.entered_at, at, how, self.timeouts, self.invalids)

    def _check(self, at: float) -> Step:
        if len(self.digits) < self.node.min_digits:
            return self._retry(at, invalid=True)
        self.checking = True
        return Step(lookup=(self.node.lookup, self.digits))

    def _retry(self, at: float, *, invalid: bool) -> Step:
        node = self.node
        self.tries += 1
        if invalid:
            self.invalids += 1
        else:
            self.timeouts += 1
        self.digits = ""
        if self.tries > node.retries:
            visit = self._leave(at, "invalid" if invalid else "timeout")
            if node.fallback is not None:
                return self._enter(node.fallback, at, (visit,))
            return self._operator(at, visit, zero_out=False)
        again = [node.invalid_prompt] if invalid and node.invalid_prompt else []
        again += [node.prompt] if node.prompt else []
        return Step(play=tuple(again), wait_s=node.timeout_s)

    def _operator(self, at: float, visit: Visit, *, zero_out: bool) -> Step:
        assert self.flow.operator is not None  # check_flow: no fallback means an operator
        self.ended = Ending(
            "queue",
            self.node.id,
            queue=self.flow.operator,
            priority=self._priority(),
            data=tuple(sorted(self.data.items())),
            customer=self.customer,
            zero_out=zero_out,
        )
        return Step(end=self.ended, visits=(visit,))

    def _priority(self) -> int:
        value = self.data.get("priority", "0")
        return int(value) if _is_int(value) else 0


# Flows as JSON ------------------------------------------------------------------------------

_NODE_DEFAULTS = Node("x", MENU)


def flow_to_dict(flow: Flow) -> dict[str, object]:
    nodes: list[dict[str, object]] = []
    for node in flow.nodes:
        out: dict[str, object] = {"id": node.id, "kind": node.kind}
        for name in Node.__slots__:
            value = getattr(node, name)
            if name in ("id", "kind") or value == getattr(_NODE_DEFAULTS, name):
                continue
            out[name] = dict(value) if name in ("options", "sets") else value
        nodes.append(out)
    return {
        "start": flow.start,
        "operator": flow.operator,
        "closed": flow.closed,
        "hours": flow.hours,
        "nodes": nodes,
    }


def flow_from_dict(data: dict[str, object]) -> Flow:
    """The flow a ``flow_to_dict`` (or the API's body) describes; MenuError if malformed."""
    raw = data.get("nodes")
    if not isinstance(raw, list):
        raise MenuError(str(data.get("start", "")), "a flow lists its nodes")
    nodes = tuple(_node(n) for n in raw)
    return Flow(
        start=str(data.get("start", "")),
        nodes=nodes,
        operator=_opt(data.get("operator")),
        closed=_opt(data.get("closed")),
        hours=_opt(data.get("hours")),
    )


def _node(raw: object) -> Node:
    if not isinstance(raw, dict):
        raise MenuError("?", "a node is an object")
    ident = str(raw.get("id", ""))
    fields: dict[str, object] = {}
    for name in Node.__slots__:
        if name not in raw:
            continue
        value = raw[name]
        if name in ("options", "sets"):
            if not isinstance(value, dict):
                raise MenuError(ident, f"{name} maps keys to values")
            value = tuple((str(k), str(v)) for k, v in value.items())
        fields[name] = value
    try:
        return Node(**fields)  # type: ignore[arg-type]
    except TypeError as exc:
        raise MenuError(ident, f"not a node: {exc}") from None


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
