"""Connection health over a real socket: heartbeats stop, the agent comes back or not."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from hearthline.api.presence import Presence
from hearthline.kernel.ids import AgentId
from hearthline.routing import commands as cmd
from tests.api.support import Served, receive, serve, wait_for_event

# The silence the tests time starts when the call is set up (see _on_a_call), so the
# timeout can be short whatever the machine's load.
TIMEOUT_S = 1.5
# Losing the agent and hearing from them again must fit in the grace period: long enough
# that a loaded machine's pauses between those steps do not drop the call. The test of a
# drop waits for it, so its grace is short.
GRACE_S = 8.0
SHORT_GRACE_S = 2.5


@pytest.fixture
def app(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[Served]:
    grace = getattr(request, "param", GRACE_S)
    served = serve(sqlite_url, grace_s=grace, heartbeat_timeout_s=TIMEOUT_S)
    # FastAPI builds its routes on the first request that walks them, on the event loop:
    # about a second of CPU that, on a busy machine, would hold up the heartbeats the test
    # times. A request for no route walks them all before any timing starts.
    assert served.client().get("/api/no-such-route").status_code == 404
    yield served
    served.stop()


@contextmanager
def _beating(app: Served, agent: httpx.Client) -> Iterator[None]:
    """Heartbeats every 0.1 s, in the background, while the block runs."""
    stop = threading.Event()
    # Its own client: one httpx client is not shared between threads.
    beater = app.client(cookies=agent.cookies, headers=agent.headers)
    answers: list[int] = []

    def beat() -> None:
        while not stop.wait(0.1):
            answers.append(beater.post("/api/agent/heartbeat").status_code)

    thread = threading.Thread(target=beat, name="heartbeats", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(30)
    assert set(answers) <= {204}, answers


def _on_a_call(app: Served) -> tuple[httpx.Client, str]:
    """The agent signed in and on a call; their heartbeats stop when this returns.

    Until then they beat, so the agent is never lost while a slow machine sets the call up."""
    agent = app.login("a000")
    with _beating(app, agent):
        assert agent.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
        made = app.channel().post(
            "/api/channels/contacts", json={"queue": "returns", "caller": "+1555"}
        )
        contact = made.json()["contact_id"]
        assert agent.post(f"/api/agent/offers/{contact}/accept").status_code == 200
    return agent, contact


def test_silent_agent_is_lost_and_coming_back_within_grace_keeps_the_call(app: Served) -> None:
    agent, contact = _on_a_call(app)
    with app.stream(agent) as ws:
        assert receive(ws)["type"] == "snapshot"
        # No heartbeats from here: the monitor reports the connection lost.
        wait_for_event(ws, "AgentConnectionLost", agent="a000", timeout=TIMEOUT_S + 3)
        # The grace period started at the loss, at the latest now.
        grace_over = time.monotonic() + GRACE_S + 0.5
        desk = agent.get("/api/agent/desk").json()
        assert desk["agent"]["connected"] is False
        assert desk["contact"]["state"] == "connected"
        ws.send(json.dumps({"type": "heartbeat"}))
        wait_for_event(ws, "AgentReconnected", agent="a000")
        while time.monotonic() < grace_over:  # keep beating past the grace period
            ws.send(json.dumps({"type": "heartbeat"}))
            time.sleep(0.1)
        desk = agent.get("/api/agent/desk").json()
    assert desk["agent"]["state"] == "on-contact"
    assert desk["agent"]["connected"] is True
    assert desk["contact"]["id"] == contact
    assert desk["contact"]["state"] == "connected"


@pytest.mark.parametrize("app", [SHORT_GRACE_S], indirect=True, ids=["short-grace"])
def test_beyond_grace_the_call_drops_with_a_callback_not_counted_against_the_agent(
    app: Served,
) -> None:
    agent, contact = _on_a_call(app)
    supervisor = app.login("sup")
    with app.stream(agent) as ws:
        assert receive(ws)["type"] == "snapshot"
        wait_for_event(ws, "AgentConnectionLost", agent="a000", timeout=TIMEOUT_S + 3)
        wait_for_event(
            ws, "ContactDropped", contact=contact, side="agent", timeout=SHORT_GRACE_S + 3
        )
        wait_for_event(ws, "AgentWentNotReady", agent="a000", reason="connection-lost")
        live = supervisor.get("/api/supervisor/contacts").json()
        callback = next(c for c in live if c["origin"] == contact)
        assert callback["channel"] == "callback"
        assert callback["preferred_agent"] == "a000"
        ws.send(json.dumps({"type": "heartbeat"}))
        wait_for_event(ws, "AgentReconnected", agent="a000")
        # Beating on as a live page does: on a loaded machine the 1.5 s presence timeout
        # can pass between the beat above and this request, and a lost agent is not Ready.
        deadline = time.monotonic() + 10
        while True:
            ws.send(json.dumps({"type": "heartbeat"}))
            ready = agent.post("/api/agent/ready")
            if ready.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert ready.status_code == 200, ready.text
    deadline = time.monotonic() + 10
    while True:
        day = agent.get("/api/agent/my-day").json()
        if day["system_not_ready_s"].get("connection-lost") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert day["system_not_ready_s"]["connection-lost"] > 0
    assert "connection-lost" not in day["not_ready_s"]
    assert day["dropped"] == 1
    assert day["handled"] == 0


def test_an_agent_whose_call_media_dropped_is_reported_back_by_the_next_heartbeat() -> None:
    sent: list[object] = []

    async def send(command: object) -> None:
        sent.append(command)

    async def scenario() -> None:
        presence = Presence(send, timeout_s=60)
        presence.watch("a000")
        presence.expect_back("a001")  # never seen: nothing to expect
        presence.beat("a000")
        await asyncio.sleep(0)
        assert sent == []  # beating all along: nothing to report
        presence.expect_back("a000")  # the core holds them disconnected (their leg dropped)
        presence.beat("a000")
        await asyncio.sleep(0)
        assert sent == [cmd.ReportReconnected(AgentId("a000"))]
        assert presence.check() == []  # and not lost

    asyncio.run(scenario())
