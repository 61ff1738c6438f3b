"""Menu flows alone: what a flow must be to be used, and where each caller ends up."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.voice.figures import node_figures
from hearthline.voice.menus import (
    EXITS,
    Flow,
    MenuError,
    Node,
    Step,
    Walker,
    check_flow,
    flow_from_dict,
    flow_to_dict,
)

QUEUES = {"returns", "orders", "help"}

BANK = Flow(
    start="main",
    operator="help",
    closed="closed",
    nodes=(
        Node(
            "main",
            "menu",
            prompt="welcome",
            invalid_prompt="sorry",
            options=(("1", "returns"), ("2", "account"), ("3", "spanish")),
            retries=1,
        ),
        Node("spanish", "menu", sets=(("language", "es"),), options=(("1", "returns"),)),
        Node(
            "returns",
            "queue",
            queue="returns",
            sets=(("service_type", "returns"), ("priority", "5")),
        ),
        Node("account", "collect", lookup="account", min_digits=4, max_digits=6, next="orders"),
        Node("orders", "queue", queue="orders", priority=2),
        Node("closed", "menu", options=(("1", "callback"), ("2", "voicemail")), fallback="bye"),
        Node("callback", "callback", queue="returns"),
        Node("voicemail", "voicemail", queue="returns"),
        Node("bye", "hangup", prompt="goodbye"),
    ),
)


def test_the_bank_flow_is_valid() -> None:
    check_flow(BANK, queues=QUEUES)


def test_a_caller_presses_1_and_reaches_returns_with_the_data_set_on_the_way() -> None:
    walker = Walker(BANK)
    first = walker.start(10.0)
    assert first.play == ("welcome",) and first.wait_s == 5.0
    step = walker.digit("1", 12.5)
    assert step.end is not None
    assert (step.end.kind, step.end.queue, step.end.priority) == ("queue", "returns", 5)
    assert dict(step.end.data) == {"service_type": "returns", "priority": "5"}
    assert [(v.node, v.how, v.left_at - v.entered_at) for v in step.visits] == [
        ("main", "option:1", 2.5),
        ("returns", "queue", 0.0),
    ]


def test_zero_reaches_the_operator_from_any_menu_by_default() -> None:
    walker = Walker(BANK)
    walker.start(0.0)
    walker.digit("3", 1.0)
    step = walker.digit("0", 2.0)
    assert step.end is not None and step.end.zero_out
    assert (step.end.queue, step.end.node, dict(step.end.data)) == (
        "help",
        "spanish",
        {"language": "es"},
    )
    assert step.visits[0].how == "zero-out"


def test_invalid_input_replays_the_invalid_prompt_then_the_last_retry_goes_to_the_operator() -> (
    None
):
    walker = Walker(BANK)
    walker.start(0.0)
    again = walker.digit("9", 1.0)
    assert again.play == ("sorry", "welcome") and again.end is None
    step = walker.digit("#", 2.0)
    assert step.end is not None and (step.end.queue, step.end.zero_out) == ("help", False)
    assert step.visits[0].how == "invalid" and step.visits[0].invalids == 2


def test_a_silent_caller_times_out_and_follows_the_fallback() -> None:
    walker = Walker(BANK)
    walker.start(0.0, closed=True)
    steps = [walker.timeout(5.0 * i) for i in range(1, 4)]
    assert [s.end for s in steps[:2]] == [None, None]
    end = steps[2].end
    assert end is not None and (end.kind, end.node) == ("hangup", "bye")
    assert steps[2].play == ("goodbye",)
    assert steps[2].visits[0].how == "timeout" and steps[2].visits[0].timeouts == 3


def test_an_account_number_is_checked_and_the_customer_goes_with_the_call() -> None:
    walker = Walker(BANK)
    walker.start(0.0)
    walker.digit("2", 1.0)
    for d in "1234":
        assert walker.digit(d, 2.0).wait_s == 5.0
    asked = walker.digit("#", 3.0)
    assert asked.lookup == ("account", "1234")
    assert walker.digit("9", 3.1) == Step()  # pressed while the number is checked
    wrong = walker.checked(None, 3.2)
    assert wrong.end is None and wrong.wait_s == 5.0
    for d in "123456":  # max_digits checks without '#'
        step = walker.digit(d, 4.0)
    assert step.lookup == ("account", "123456")
    found = walker.checked("cust-7", 4.5)
    assert found.end is not None
    assert (found.end.queue, found.end.customer, found.end.priority) == ("orders", "cust-7", 2)


def test_an_order_number_identifies_the_customer_whose_order_it_is() -> None:
    flow = Flow(
        start="order",
        operator="returns",
        nodes=(
            Node("order", "collect", lookup="order", min_digits=5, max_digits=8, next="returns"),
            Node("returns", "queue", queue="returns"),
        ),
    )
    check_flow(flow, queues=QUEUES)
    walker = Walker(flow)
    walker.start(0.0)
    for d in "77001":
        walker.digit(d, 1.0)
    asked = walker.digit("#", 2.0)
    assert asked.lookup == ("order", "77001")  # the order's records, not the account's
    found = walker.checked("cust-9", 2.5)
    assert found.end is not None and (found.end.queue, found.end.customer) == ("returns", "cust-9")
    assert [(v.node, v.how) for v in found.visits] == [("order", "found"), ("returns", "queue")]


def test_a_caller_hanging_up_in_the_menu_is_counted_at_that_node() -> None:
    walker = Walker(BANK)
    walker.start(0.0)
    walker.digit("3", 1.0)
    step = walker.hang_up(4.0)
    assert step.end is not None and step.end.kind == "hangup"
    assert step.visits == (step.visits[0],) and step.visits[0].node == "spanish"
    assert walker.digit("1", 5.0) == Step()


def _flow(*nodes: Node, operator: str | None = "help", start: str = "a") -> Flow:
    return Flow(start=start, nodes=nodes, operator=operator)


@pytest.mark.parametrize(
    ("flow", "node", "words"),
    [
        (
            _flow(Node("a", "menu", options=(("1", "q"),)), Node("q", "queue", queue="help"),
                  Node("lost", "hangup")),
            "lost",
            "unreachable",
        ),
        (
            _flow(Node("a", "menu", options=(("1", "b"),), fallback="b"),
                  Node("b", "menu", options=(("1", "q"),), fallback="a"),
                  Node("q", "queue", queue="help")),
            "a",
            "loop with no exit",
        ),
        (_flow(Node("a", "menu", options=(("1", "q"),)), Node("q", "queue")), "q", "nowhere"),
        (_flow(Node("a", "menu")), "a", "routes nowhere"),
        (
            _flow(Node("a", "menu", options=(("1", "q"),)), Node("q", "queue", queue="help"),
                  operator=None),
            "a",
            "routes nowhere",
        ),
        (_flow(Node("a", "menu", options=(("1", "nope"),))), "a", "does not exist"),
        (_flow(Node("a", "queue", queue="elsewhere")), "a", "not known"),
        (_flow(Node("a", "collect", next=None)), "a", "no next node"),
        (_flow(Node("a", "collect", lookup="invoice", next="q"), Node("q", "queue", queue="help")),
         "a", "an account or an order, not 'invoice'"),
        (_flow(Node("a", "menu", options=(("x", "a"),))), "a", "an option is one of"),
        (_flow(Node("a", "hangup", sets=(("colour", "red"),))), "a", "may set"),
        (_flow(Node("a", "hangup"), Node("a", "hangup")), "a", "two nodes"),
    ],
)  # fmt: skip
def test_a_flow_that_cannot_be_used_is_refused_naming_the_node(
    flow: Flow, node: str, words: str
) -> None:
    with pytest.raises(MenuError, match=words) as refused:
        check_flow(flow, queues=QUEUES)
    assert refused.value.node == node


# Hypothesis: random valid flows, random callers ---------------------------------------------

_LEAF_KINDS = st.sampled_from(EXITS)


@st.composite
def valid_flows(draw: st.DrawFn) -> Flow:
    """Inner nodes (menus, collects) then leaves. Options point anywhere (loops
    included); inner node i leads to i + 1, and the first, a menu, to every leaf (so all
    are reachable); fallbacks point forward or to the operator (so silence gets out)."""
    n = draw(st.integers(2, 8))
    inner = draw(st.integers(1, n - 1))
    ids = [f"n{i}" for i in range(n)]
    nodes: list[Node] = []
    for i in range(inner):
        targets = draw(st.lists(st.sampled_from(ids), max_size=2))
        targets.append(ids[i + 1])
        if i == 0:
            targets += ids[inner + 1 :]
        options = tuple(zip("123456789*#", targets, strict=False))
        fallback = draw(st.none() | st.sampled_from(ids[i + 1 :]))
        retries = draw(st.integers(0, 3))
        if i == 0 or draw(st.booleans()):
            nodes.append(Node(ids[i], "menu", options=options, fallback=fallback, retries=retries))
        else:
            nodes.append(
                Node(ids[i], "collect", next=ids[i + 1], fallback=fallback, retries=retries,
                     min_digits=2, max_digits=4)
            )  # fmt: skip
    for i in range(inner, n):
        kind = draw(_LEAF_KINDS)
        nodes.append(Node(ids[i], kind, queue=None if kind == "hangup" else "help"))
    return Flow(start="n0", nodes=tuple(nodes), operator="help")


Action = tuple[str, str]
KINDS_OF_ACTION = ["digit", "timeout", "found", "missing"]
actions = st.lists(
    st.tuples(st.sampled_from(KINDS_OF_ACTION), st.sampled_from(list("0123456789*#"))),
    max_size=60,
)


def _act(walker: Walker, action: Action, at: float) -> Step:
    kind, key = action
    if kind == "digit":
        return walker.digit(key, at)
    if kind == "timeout":
        return walker.timeout(at)
    return walker.checked("cust" if kind == "found" else None, at)


def _in_a_state_that_can_end(walker: Walker, step: Step) -> None:
    """Every step either ends the call, waits for a key, or waits for a lookup."""
    if walker.ended is None:
        assert walker.checking or walker.node.kind in ("menu", "collect")
    if step.end is not None:
        assert step.end.kind in EXITS
        assert step.end.kind == "hangup" or step.end.queue is not None


@settings(max_examples=300, deadline=None)
@given(flow=valid_flows(), script=actions)
def test_every_caller_ends_in_a_queue_a_callback_a_voicemail_or_a_hang_up(
    flow: Flow, script: list[Action]
) -> None:
    check_flow(flow, queues=QUEUES)
    walker = Walker(flow)
    at = 0.0
    _in_a_state_that_can_end(walker, walker.start(at))
    for action in script:
        at += 1.0
        _in_a_state_that_can_end(walker, _act(walker, action, at))
    # Whatever happened, a caller who now presses nothing leaves within a bounded time:
    # a lookup in progress is answered (not found), then only timeouts.
    bound = len(flow.nodes) * (max(n.retries for n in flow.nodes) + 2) + 2
    for _ in range(bound):
        if walker.ended is not None:
            break
        at += 1.0
        step = walker.checked(None, at) if walker.checking else walker.timeout(at)
        _in_a_state_that_can_end(walker, step)
    assert walker.ended is not None, f"stuck in {walker.node.id}"


@settings(max_examples=300, deadline=None)
@given(
    flow=valid_flows(),
    cut=st.integers(0, 8),
    retarget=st.integers(0, 8),
)
def test_a_flow_is_refused_naming_a_node_of_it_or_else_nobody_gets_stuck(
    flow: Flow, cut: int, retarget: int
) -> None:
    """Damage a valid flow (point a fallback back at the start, drop a node): either the
    check refuses it naming a node that is in the flow, or silence still ends the call."""
    nodes = list(flow.nodes)
    victim = nodes[cut % len(nodes)]
    if victim.kind in ("menu", "collect") and retarget % 2:
        nodes[cut % len(nodes)] = Node(**{**_fields(victim), "fallback": "n0"})
    elif len(nodes) > 2:
        del nodes[cut % len(nodes)]
    damaged = Flow(start=flow.start, nodes=tuple(nodes), operator=flow.operator)
    names = {n.id for n in flow.nodes}
    refusal: MenuError | None = None
    try:
        check_flow(damaged, queues=QUEUES)
    except MenuError as refused:
        refusal = refused
    if refusal is not None:
        assert refusal.node in names
        return
    walker = Walker(damaged)
    walker.start(0.0)
    for i in range(len(nodes) * 6 + 2):
        if walker.ended is not None:
            break
        walker.checked(None, float(i)) if walker.checking else walker.timeout(float(i))
    assert walker.ended is not None


def _fields(node: Node) -> dict[str, object]:
    return {name: getattr(node, name) for name in Node.__slots__}


def test_a_flow_goes_to_json_and_back_unchanged() -> None:
    assert flow_from_dict(flow_to_dict(BANK)) == BANK


@given(flow=valid_flows())
def test_any_valid_flow_goes_to_json_and_back_unchanged(flow: Flow) -> None:
    assert flow_from_dict(flow_to_dict(flow)) == flow


def test_figures_per_node_from_the_visits_of_two_callers() -> None:
    visits = []
    for hang_up in (False, True):
        walker = Walker(BANK)
        walker.start(0.0)
        steps = [walker.digit("9", 4.0), walker.digit("3", 6.0)]
        steps.append(walker.hang_up(9.0) if hang_up else walker.digit("0", 10.0))
        for step in steps:
            visits += [
                {"number": "+1", "node": v.node, "at": v.left_at, "entered_at": v.entered_at,
                 "how": v.how, "timeouts": v.timeouts, "invalids": v.invalids}
                for v in step.visits
            ]  # fmt: skip
    main, spanish = node_figures(visits)
    assert (main.node, main.visits, main.mean_s, main.invalids) == ("main", 2, 6.0, 2)
    assert main.exits == {"option:3": 2}
    assert (spanish.hangups, spanish.zero_outs, spanish.seconds) == (1, 1, 7.0)
