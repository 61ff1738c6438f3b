"""Connection health over a real socket: heartbeats stop, the agent comes back or not."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.api.support import Served, receive, serve, wait_for_event

# Long enough that a loaded machine does not lose the agent between signing in and
# answering (no stream beats for them until the test opens one), short for the test.
TIMEOUT_S = 1.5
GRACE_S = 2.5


@pytest.fixture
def app(sqlite_url: str) -> Iterator[Served]:
    served = serve(sqlite_url, grace_s=GRACE_S, heartbeat_timeout_s=TIMEOUT_S)
    yield served
    served.stop()


def _on_a_call(app: Served) -> tuple[httpx.Client, str]:
    agent = app.login("a000")
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
        desk = agent.get("/api/agent/desk").json()
        assert desk["agent"]["connected"] is False
        assert desk["contact"]["state"] == "connected"
        ws.send(json.dumps({"type": "heartbeat"}))
        wait_for_event(ws, "AgentReconnected", agent="a000")
        deadline = time.monotonic() + GRACE_S + 0.5
        while time.monotonic() < deadline:  # keep beating past the grace period
            ws.send(json.dumps({"type": "heartbeat"}))
            time.sleep(0.1)
        desk = agent.get("/api/agent/desk").json()
    assert desk["agent"]["state"] == "on-contact"
    assert desk["agent"]["connected"] is True
    assert desk["contact"]["id"] == contact
    assert desk["contact"]["state"] == "connected"


def test_beyond_grace_the_call_drops_with_a_callback_not_counted_against_the_agent(
    app: Served,
) -> None:
    agent, contact = _on_a_call(app)
    supervisor = app.login("sup")
    with app.stream(agent) as ws:
        assert receive(ws)["type"] == "snapshot"
        wait_for_event(ws, "AgentConnectionLost", agent="a000", timeout=TIMEOUT_S + 3)
        wait_for_event(ws, "ContactDropped", contact=contact, side="agent", timeout=GRACE_S + 3)
        wait_for_event(ws, "AgentWentNotReady", agent="a000", reason="connection-lost")
        live = supervisor.get("/api/supervisor/contacts").json()
        callback = next(c for c in live if c["origin"] == contact)
        assert callback["channel"] == "callback"
        assert callback["preferred_agent"] == "a000"
        ws.send(json.dumps({"type": "heartbeat"}))
        wait_for_event(ws, "AgentReconnected", agent="a000")
        assert agent.post("/api/agent/ready").status_code == 200
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
