"""Menus over HTTP: flows refused naming the node, prompts checked, opening hours in the
firm's zone, announcements switched live and audited, each client's alone."""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from hearthline.store import tables as t
from tests.api.support import Served, serve

NUMBER = "+15550300"


@pytest.fixture
def app(sqlite_url: str) -> Iterator[Served]:
    served = serve(sqlite_url)
    yield served
    served.stop()


def _flow(**changes: Any) -> dict[str, Any]:
    flow: dict[str, Any] = {
        "client_id": "acme",
        "start": "main",
        "operator": "returns",
        "nodes": [
            {"id": "main", "kind": "menu", "prompt": "greeting", "options": {"1": "returns"}},
            {"id": "returns", "kind": "queue", "queue": "returns", "sets": {"language": "en"}},
        ],
    }
    flow.update(changes)
    return flow


def _wav(*, rate: int = 8000, channels: int = 1, seconds: float = 1.0) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setparams((channels, 2, rate, 0, "NONE", "not compressed"))
        w.writeframes(b"\x00\x10" * channels * int(rate * seconds))
    return out.getvalue()


def _b64(data: bytes) -> dict[str, str]:
    return {"wav_base64": base64.b64encode(data).decode()}


def test_a_flow_is_stored_read_back_and_audited(app: Served) -> None:
    admin = app.login("admin")
    put = admin.put(f"/api/admin/menus/{NUMBER}", json=_flow())
    assert put.status_code == 200, put.text
    got = admin.get(f"/api/admin/menus/{NUMBER}").json()
    assert got["nodes"][1] == {
        **got["nodes"][1],
        "id": "returns",
        "queue": "returns",
        "sets": {"language": "en"},
    }
    assert [f["number"] for f in admin.get("/api/admin/menus").json()] == [NUMBER]
    with app.writer.engine.connect() as conn:
        actions = conn.execute(select(t.audit_log.c.action, t.audit_log.c.target)).all()
    assert ("menu.put", NUMBER) in [tuple(a) for a in actions]
    assert admin.delete(f"/api/admin/menus/{NUMBER}").status_code == 204
    assert admin.get(f"/api/admin/menus/{NUMBER}").status_code == 404


@pytest.mark.parametrize(
    ("nodes", "node", "words"),
    [
        (
            [{"id": "main", "kind": "menu", "options": {"1": "q"}},
             {"id": "q", "kind": "queue", "queue": "returns"},
             {"id": "orphan", "kind": "hangup"}],
            "orphan",
            "unreachable",
        ),
        (
            [{"id": "main", "kind": "menu", "options": {"1": "b"}, "fallback": "b"},
             {"id": "b", "kind": "menu", "options": {"1": "q"}, "fallback": "main"},
             {"id": "q", "kind": "queue", "queue": "returns"}],
            "main",
            "loop with no exit",
        ),
        ([{"id": "main", "kind": "menu", "options": {"1": "q"}}, {"id": "q", "kind": "queue"}],
         "q", "routes nowhere"),
        # Another client's queue is no queue of this flow's.
        ([{"id": "main", "kind": "menu", "options": {"1": "q"}},
          {"id": "q", "kind": "queue", "queue": "sales"}], "q", "not known"),
        ([{"id": "main", "kind": "menu", "prompt": "nope", "options": {"1": "q"}},
          {"id": "q", "kind": "hangup"}], "main", "no prompt 'nope'"),
        ([{"id": "main", "kind": "teleport"}], "main", "kind is one of"),
        # The skill a node sets becomes the contact's requirement: it must be one.
        ([{"id": "main", "kind": "menu", "options": {"1": "q"}},
          {"id": "q", "kind": "queue", "queue": "returns", "sets": {"skill": "french >="}}],
         "q", "the skill it sets is not a requirement: skill requirement 'french >='"),
    ],
)  # fmt: skip
def test_a_flow_that_cannot_be_used_is_refused_with_422_naming_the_node(
    app: Served, nodes: list[dict[str, Any]], node: str, words: str
) -> None:
    admin = app.login("admin")
    r = admin.put(f"/api/admin/menus/{NUMBER}", json=_flow(nodes=nodes))
    assert r.status_code == 422, r.text
    assert f"node {node!r}" in r.json()["message"] and words in r.json()["message"]
    assert admin.get(f"/api/admin/menus/{NUMBER}").status_code == 404  # nothing stored


def test_prompts_are_checked_for_format_and_length(app: Served) -> None:
    admin = app.login("admin")
    good = admin.put("/api/admin/prompts/acme/welcome", json=_b64(_wav(seconds=1.5)))
    assert good.status_code == 200, good.text
    assert good.json()["seconds"] == 1.5
    refusals = {
        "not base64": {"wav_base64": "!!!"},
        "not a wav": _b64(b"ID3\x03" + b"\x00" * 2000),
        "44.1 kHz": _b64(_wav(rate=44100, seconds=0.2)),
        "stereo": _b64(_wav(channels=2, seconds=0.2)),
        "too long": _b64(_wav(seconds=121)),
        "cut short": _b64(_wav(seconds=1.0)[:4000]),
    }
    for why, body in refusals.items():
        r = admin.put("/api/admin/prompts/acme/bad", json=body)
        assert r.status_code == 422, (why, r.text)
        assert r.json()["error"] == "invalid-prompt", why
    oversized = admin.put("/api/admin/prompts/acme/bad", json=_b64(_wav(seconds=140)))
    assert oversized.status_code == 422 and "wav_base64" in oversized.json()["message"]
    names = [p["name"] for p in admin.get("/api/admin/prompts").json()]
    assert names == ["welcome"]
    # The uploaded prompt may now be named by a flow.
    flow = _flow()
    flow["nodes"][0]["prompt"] = "welcome"
    assert admin.put(f"/api/admin/menus/{NUMBER}", json=flow).status_code == 200


def test_a_prompt_is_played_and_deleted_only_once_nothing_plays_it(app: Served) -> None:
    admin, sup = app.login("admin"), app.login("sup-acme")
    wav = _wav(seconds=0.5)
    assert admin.put("/api/admin/prompts/acme/outage", json=_b64(wav)).status_code == 200
    played = admin.get("/api/admin/prompts/acme/outage/wav")
    assert played.status_code == 200 and played.content == wav
    assert played.headers["content-type"] == "audio/wav"
    assert [p["name"] for p in sup.get("/api/supervisor/prompts").json()] == ["outage"]
    assert app.login("sup-globex").get("/api/supervisor/prompts").json() == []
    flow = _flow()
    flow["nodes"][0]["invalid_prompt"] = "outage"
    assert admin.put(f"/api/admin/menus/{NUMBER}", json=flow).status_code == 200
    made = sup.post(
        "/api/supervisor/announcements",
        json={"client_id": "acme", "text": "Outage", "prompt": "outage", "active": True},
    )
    assert made.status_code == 201, made.text
    refused = admin.delete("/api/admin/prompts/acme/outage")
    assert refused.status_code == 409
    message = refused.json()["message"]
    assert f"the menu of {NUMBER} (node 'main')" in message
    assert f"announcement {made.json()['id']} (switched on)" in message
    assert admin.delete(f"/api/admin/menus/{NUMBER}").status_code == 204
    switch = f"/api/supervisor/announcements/{made.json()['id']}/switch"
    assert sup.post(switch, json={"active": False}).status_code == 200
    assert admin.delete("/api/admin/prompts/acme/outage").status_code == 204
    assert admin.get("/api/admin/prompts/acme/outage/wav").status_code == 404
    assert admin.delete("/api/admin/prompts/acme/outage").status_code == 404
    # Switched on again, it would play the greeting in its place: refused naming it.
    again = sup.post(switch, json={"active": True})
    assert again.status_code == 422 and "'outage'" in again.json()["message"]
    missing = sup.post(
        "/api/supervisor/announcements", json={"client_id": "acme", "text": "x", "prompt": "nope"}
    )
    assert missing.status_code == 422 and "'nope'" in missing.json()["message"]
    with app.writer.engine.connect() as conn:
        actions = conn.execute(select(t.audit_log.c.action)).scalars().all()
    assert actions.count("prompt.delete") == 1


def test_the_default_prompts_are_listed_and_played(app: Served) -> None:
    admin = app.login("admin")
    names = [p["name"] for p in admin.get("/api/admin/default-prompts").json()]
    assert "greeting" in names and "menu-closed" in names
    played = admin.get("/api/admin/default-prompts/menu-invalid/wav")
    assert played.status_code == 200 and played.content[:4] == b"RIFF"
    assert admin.get("/api/admin/default-prompts/nope/wav").status_code == 422


def test_a_prompt_is_spoken_from_text(app: Served) -> None:
    admin = app.login("admin")
    r = admin.post("/api/admin/prompts/acme/hello/speak", json={"text": "Hello and welcome."})
    assert r.status_code == 200, r.text
    assert 0.5 < r.json()["seconds"] < 10


def test_opening_hours_in_the_firm_zone(app: Served) -> None:
    admin = app.login("admin")
    every_minute = [{"day": d, "opens": "00:00", "closes": "24:00"} for d in
                    ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]  # fmt: skip
    r = admin.put("/api/admin/hours/acme-returns", json={"spans": every_minute})
    assert r.status_code == 200, r.text
    assert r.json()["open_now"] is True and r.json()["zone"]
    closed = admin.put(
        "/api/admin/hours/acme-returns", json={"spans": [], "holidays": ["2026-12-25"]}
    )
    assert closed.json()["open_now"] is False
    assert admin.get("/api/admin/hours/acme-returns").json()["holidays"] == ["2026-12-25"]
    bad = admin.put(
        "/api/admin/hours/acme-returns",
        json={"spans": [{"day": "mon", "opens": "18:00", "closes": "08:00"}]},
    )
    assert bad.status_code == 422 and "closes before it opens" in bad.json()["message"]
    overlapping = admin.put(
        "/api/admin/hours/acme-returns",
        json={"spans": [{"day": "fri", "opens": "08:00", "closes": "12:00"},
                        {"day": "fri", "opens": "11:00", "closes": "17:00"}]},
    )  # fmt: skip
    assert overlapping.status_code == 422
    assert overlapping.json()["message"] == "fri: 08:00-12:00 overlaps 11:00-17:00"
    assert admin.get("/api/admin/hours/acme-returns").json()["holidays"] == ["2026-12-25"]


def test_announcements_are_switched_live_audited_and_kept_to_their_client(app: Served) -> None:
    acme, globex = app.login("sup-acme"), app.login("sup-globex")
    made = acme.post(
        "/api/supervisor/announcements",
        json={"client_id": "acme", "queue_id": "returns", "text": "We know about the outage"},
    )
    assert made.status_code == 201, made.text
    ident = made.json()["id"]
    assert made.json()["active"] is False
    on = acme.post(f"/api/supervisor/announcements/{ident}/switch", json={"active": True})
    assert on.json()["active"] is True
    assert globex.get("/api/supervisor/announcements").json() == []
    theirs = globex.post(f"/api/supervisor/announcements/{ident}/switch", json={"active": False})
    assert theirs.status_code == 404
    refused = globex.post(
        "/api/supervisor/announcements", json={"client_id": "acme", "text": "not yours"}
    )
    assert refused.status_code == 404
    wrong_queue = acme.post(
        "/api/supervisor/announcements",
        json={"client_id": "acme", "queue_id": "sales", "text": "x"},
    )
    assert wrong_queue.status_code == 404
    off = acme.post(f"/api/supervisor/announcements/{ident}/switch", json={"active": False})
    assert off.json()["active"] is False
    with app.writer.engine.connect() as conn:
        trail = conn.execute(
            select(t.audit_log.c.action, t.audit_log.c.username).order_by(t.audit_log.c.id)
        ).all()
    assert [tuple(r) for r in trail if r[0].startswith("announcement")] == [
        ("announcement.add", "sup-acme"),
        ("announcement.on", "sup-acme"),
        ("announcement.off", "sup-acme"),
    ]


def test_the_menus_board_has_a_line_per_menu_of_the_supervisors_clients(app: Served) -> None:
    admin = app.login("admin")
    assert admin.put(f"/api/admin/menus/{NUMBER}", json=_flow()).status_code == 200
    acme, globex = app.login("sup-acme"), app.login("sup-globex")
    assert acme.get("/api/supervisor/menus/board").json() == [
        {"number": NUMBER, "client_id": "acme", "in_menu": 0, "callers": 0, "mean_s": 0.0,
         "hangups": 0, "zero_outs": 0}
    ]  # fmt: skip
    assert globex.get("/api/supervisor/menus/board").json() == []
    bad = acme.get("/api/supervisor/menus/board", params={"since": "yesterday"})
    assert bad.status_code == 422
    assert app.login("acme-viewer").get("/api/supervisor/menus/board").status_code == 403
