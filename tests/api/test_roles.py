"""Every endpoint, with every role and with users of another client company.

The walk enumerates the app's routes, so an endpoint added later cannot escape it: an
endpoint with no rule below fails the test. Each answer must be what the role allows
(anything but 401/403 and never a 5xx for a role the endpoint serves, 403 for the
others), and users of globex, pointed at acme's things, get 403 or 404 -- never a
success, and no successful answer of theirs mentions acme's things.
"""

from __future__ import annotations

import base64
import io
import time
import wave
from typing import Any

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from sqlalchemy import select

from hearthline.service.actions.tokens import add_token as create_token
from hearthline.store import tables as s
from hearthline.store import tables as t
from tests.api.support import Served

ADMIN, SUP, AGENT, VIEWER, CHANNEL = "admin", "supervisor", "agent", "client_viewer", "channel"
PERSONS = {ADMIN, SUP, AGENT, VIEWER}
EVERYONE = PERSONS | {CHANNEL}
PUBLIC = "public"

# Path prefix (or "METHOD path" exactly) -> roles served. The first match wins.
RULES: list[tuple[str, set[str] | str]] = [
    ("GET /api/health", PUBLIC),
    ("GET /api/openapi.json", PUBLIC),
    ("GET /api/docs", PUBLIC),
    ("GET /api/docs/start.js", PUBLIC),
    ("POST /api/auth/login", PUBLIC),
    # Its own setting says who (tests/api/test_call_page.py); off by default: 404 to all.
    ("GET /api/call-page", PUBLIC),
    ("POST /api/auth/two-factor", {ADMIN, SUP}),
    ("POST /api/auth/two-factor/off", {ADMIN, SUP}),
    ("/api/auth/", EVERYONE),
    ("/api/admin/", {ADMIN}),
    ("/api/agent/", {AGENT}),
    # Listening in on a live call: supervisors of its client and administrators.
    ("POST /api/supervisor/agents/{agent_id}/listen", {ADMIN, SUP}),
    ("/api/supervisor/listening/", {ADMIN, SUP}),
    ("/api/supervisor/", {ADMIN, SUP}),
    ("/api/channels/", {ADMIN, CHANNEL}),
    ("POST /api/customers", {ADMIN, SUP, AGENT}),
    ("POST /api/customers/{customer_id}/contacts", {ADMIN, SUP, AGENT}),
    ("POST /api/customers/{customer_id}/orders", {ADMIN, SUP, AGENT}),
    ("/api/customers", PERSONS),
    ("/api/reports/agents", {ADMIN, SUP}),
    # Menus belong to numbers of client companies; agents have none. What the figures
    # mean is no one's data.
    ("GET /api/reports/menus/definitions", PERSONS),
    ("/api/reports/menus", {ADMIN, SUP, VIEWER}),
    ("/api/reports/queues", {ADMIN, SUP, VIEWER}),
    ("/api/reports/", PERSONS),
    ("GET /api/contacts", {ADMIN, SUP, VIEWER}),
    ("/api/contacts/", PERSONS),
    ("/api/campaigns", PERSONS),
    ("/api/reasons", PERSONS),
    ("/api/clients", PERSONS),
    ("/api/queues", PERSONS),
    ("/api/planning/", {ADMIN, SUP}),
    ("/api/billing/", {ADMIN, VIEWER}),
    ("PUT /api/schedules/settings", {ADMIN}),
    ("PUT /api/schedules/rules", {ADMIN}),
    ("/api/schedules/mine/", {AGENT}),
    ("/api/schedules/", {ADMIN, SUP}),
    ("GET /api/knowledge/search", PERSONS),
    ("GET /api/knowledge/articles", PERSONS),
    ("GET /api/knowledge/articles/{article_id}", PERSONS),
    ("PUT /api/knowledge/settings", {ADMIN}),
    ("/api/knowledge/", {ADMIN, SUP}),
    ("POST /api/quality/evaluations/{evaluation_id}/acknowledge", {AGENT}),
    ("POST /api/quality/evaluations/{evaluation_id}/dispute", {AGENT}),
    ("GET /api/quality/evaluations", PERSONS),
    ("GET /api/quality/evaluations/{evaluation_id}", PERSONS),
    ("GET /api/quality/trends", PERSONS),
    ("/api/quality/", {ADMIN, SUP}),
    # A client's recorded calls: its viewers and supervisors, and firm-wide staff; agents
    # the voicemail of a callback offered to them (any other: 404, as if none).
    # The voicemails of the clients one sees: not agents (theirs are on the desk).
    ("GET /api/recordings/voicemails", {ADMIN, SUP, VIEWER}),
    # Marking one dealt with: the client's staff (viewers read only).
    ("PUT /api/recordings/voicemails/{recording_id}/dealt-with", {ADMIN, SUP}),
    # Turning one into a callback: the client's staff too.
    ("POST /api/recordings/voicemails/{recording_id}/callback", {ADMIN, SUP}),
    ("/api/recordings", PERSONS),
]
# Answers a served role may get from these endpoints whatever it sends.
EXPECTED_REFUSALS = {
    "POST /api/auth/login": {401, 429},
    "POST /api/auth/password": {403},
    # Open shifts are the firm's: a supervisor of one client company may not publish them.
    "POST /api/schedules/windows": {403},
    # Enrolment is for a person's browser session, never a token's.
    "POST /api/auth/two-factor": {403},
    "POST /api/auth/two-factor/off": {403},
}

SEED_FORMS = {
    "name": "Returns call",
    "dispositions": [
        {"id": "return-processed", "label": "Return processed"},
        {"id": "prevented-exchange", "label": "Exchange", "counts_as_save": True},
        {
            "id": "prevented-resale",
            "label": "Resale",
            "counts_as_sale": True,
            "counts_as_save": True,
        },
    ],
    "fields": [
        {"name": "order_number", "kind": "text", "label": "Order", "required": True},
        {"name": "refund_amount", "kind": "number"},
        {"name": "reason", "kind": "choice", "choices": ["damaged", "wrong-size", "changed-mind"]},
    ],
}

QUALITY_CARD = {
    "sections": [
        {"title": "Opening", "questions": [{"id": "greet", "text": "Greeted", "kind": "yes_no"}]}
    ]
}


MENU_FLOW = {
    "client_id": "acme",
    "start": "main",
    "operator": "returns",
    "nodes": [
        {"id": "main", "kind": "menu", "options": {"1": "returns"}},
        {"id": "returns", "kind": "queue", "queue": "returns"},
    ],
}


def _walk_wav() -> str:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setparams((1, 2, 8000, 0, "NONE", "not compressed"))
        w.writeframes(b"\x00\x10" * 4000)
    return base64.b64encode(out.getvalue()).decode()


WALK_WAV = _walk_wav()


def _bodies(due_at: float) -> dict[str, Any]:
    return {
        "POST /api/auth/login": {"username": "nobody", "password": "not this one"},
        "POST /api/auth/password": {
            "current_password": "not the password",
            "new_password": "a long new password",
        },
        "POST /api/auth/two-factor": {"password": "not the password"},
        "POST /api/auth/two-factor/confirm": {"code": "123456"},
        "POST /api/auth/two-factor/off": {"password": "not the password", "code": "123456"},
        "POST /api/agent/sign-in": {"ready": False},
        "POST /api/agent/not-ready": {"reason": "break"},
        "POST /api/agent/contacts/{contact}/transfer": {"queue": "returns"},
        "POST /api/agent/contacts/{contact}/consult": {"agent": "a001"},
        "POST /api/agent/contacts/{contact}/notes": {"revision": 5, "text": "n"},
        "POST /api/agent/contacts/{contact}/finish": {
            "disposition": "return-processed",
            "fields": {"order_number": "o1"},
        },
        "POST /api/agent/help": {"text": "help"},
        "POST /api/supervisor/agents/{agent}/state": {"state": "not-ready", "reason": "break"},
        "POST /api/supervisor/contacts/{contact}/priority": {"priority": 5},
        "POST /api/supervisor/contacts/{contact}/move": {"queue": "returns"},
        "POST /api/supervisor/contacts/{contact}/outcome": {
            "disposition": "return-processed",
            "reason": "the customer returned it",
        },
        "POST /api/supervisor/help/{request_id}/answer": {"text": "ok"},
        "PUT /api/admin/clients/{client_id}": {"name": "Acme Retail"},
        "PUT /api/admin/campaigns/{campaign_id}": {"client_id": "acme", "name": "Returns"},
        "PUT /api/admin/queues/{queue_id}": {
            "campaign_id": "acme-returns",
            "name": "Returns",
            "requirement": "returns>=1",
            "wrap_up_mode": "manual",
            "offer_timeout_s": 15,
        },
        "PUT /api/admin/skills/{skill_id}": {"name": "Returns"},
        "PUT /api/admin/agents/{agent_id}": {
            "name": "Agent 1",
            "skills": {"returns": 3},
            "campaigns": ["acme-returns"],
        },
        "PUT /api/admin/reasons": {
            "reasons": [{"id": "break", "label": "Break"}, {"id": "lunch", "label": "Lunch"}]
        },
        "PUT /api/admin/campaigns/{campaign_id}/forms": SEED_FORMS,
        "PUT /api/admin/campaigns/{campaign_id}/script": {"body": "Thank you for calling."},
        "PUT /api/admin/campaigns/{campaign_id}/guide": {
            "steps": [{"id": "hello", "text": "Thank you for calling."}]
        },
        "PUT /api/agent/contacts/{contact}/guide": {"version": 0, "path": []},
        "PUT /api/admin/settings": {"connection_grace_s": 60, "direct_transfer_wait_s": 30},
        "POST /api/admin/users": {
            "username": "walker",
            "password": "long enough password",
            "role": "client_viewer",
            "client_id": "acme",
        },
        "PATCH /api/admin/users/{user_id}": {"display_name": "Victim"},
        "PUT /api/admin/numbers/{number}": {"queue_id": "returns", "label": "main"},
        "POST /api/admin/tokens": {"username": "acme-viewer", "name": "walk"},
        "POST /api/channels/contacts": {"queue": "returns", "caller": "+1555"},
        "POST /api/channels/contacts/{contact}/route": {"queue": "returns"},
        "POST /api/channels/contacts/{contact}/drop": {"side": "caller"},
        "POST /api/channels/callbacks": {"queue": "returns", "due_at": due_at, "caller": "+1"},
        "POST /api/customers": {"client_id": "acme", "name": "Ann", "phone": "+1555123"},
        "POST /api/customers/{customer_id}/contacts": {"contact_id": "walk-1"},
        "POST /api/customers/{customer_id}/orders": {"numbers": ["77001"]},
        "PUT /api/admin/pay/settings": {"currency": "GBP"},
        "PUT /api/admin/pay/rules/{agent_id}/{effective_from}": {"hourly_rate": "11.50"},
        "PUT /api/admin/pay/bonus-rules/{campaign_id}": {"per_save": "2"},
        "PUT /api/admin/pay/contract-rules/{contract_kind}/{effective_from}": {
            "hourly_rate": "10.00"
        },
        "PUT /api/admin/billing/rate-cards/{client_id}": {"per_handled_call": "1.10"},
        # A period that has not ended: the walk closes nothing.
        "POST /api/admin/payroll/close": {"day": "2099-01-01"},
        "PUT /api/schedules/settings": {"time_zone": "UTC"},
        "PUT /api/schedules/contracts/{agent}": {"group": "help"},
        "POST /api/schedules/generate": {
            "start": due_at,
            "needs": [{"group": "help", "required": [1, 1, 1, 1, 1, 1, 1, 1]}],
            "lengths_h": [4],
        },
        "POST /api/schedules/windows": {
            "window": "walk-w",
            "change": "walk-change",
            "closes_at": due_at,
            "shifts": [{"id": "walk-s", "group": "help", "start": due_at, "end": due_at + 28800}],
        },
        "POST /api/schedules/timesheets/{agent}/corrections": {
            "day": "2026-12-01",
            "start": 1796119200,
            "end": 1796122800,
            "state": "working",
            "reason": "home internet down",
        },
        "POST /api/schedules/mine/picks": {"shift": "walk-s"},
        "PUT /api/schedules/rules": {"approval": "cover", "pick_order": "seniority"},
        "POST /api/schedules/changes/{change}/decision": {"approve": True},
        "POST /api/schedules/mine/trades": {"shift": "walk-s", "partner": "a001"},
        "POST /api/schedules/mine/trades/{change}/answer": {"accept": True},
        "POST /api/schedules/mine/give-backs": {"shift": "walk-s"},
        "POST /api/schedules/mine/time-off": {"start": due_at, "end": due_at + 3600},
        "POST /api/schedules/mine/sick": {"shift": "walk-s"},
        "POST /api/schedules/twin": {
            "shifts": [{"id": "tw-s", "group": "help", "start": due_at, "end": due_at + 28800}],
            "demand": [{"group": "help", "start": due_at, "calls": [5, 5, 5, 5]}],
            "runs": 1,
        },
        "POST /api/knowledge/articles": {"client_id": "acme", "title": "Returns", "body": "b"},
        "PUT /api/knowledge/articles/{article_id}": {"client_id": "acme", "title": "Returns"},
        "POST /api/knowledge/articles/{article_id}/archive": {"archived": False},
        "POST /api/knowledge/bulletins": {"client_id": "acme", "title": "T", "due_at": due_at},
        "POST /api/knowledge/bulletins/{bulletin_id}/article": {"client_id": "acme"},
        "POST /api/knowledge/questions/{question_id}/answer": {"text": "ok"},
        "PUT /api/knowledge/settings": {"ack_before_ready": False},
        "POST /api/agent/bulletins/{bulletin_id}/acknowledge": {"answer": "yes"},
        "POST /api/agent/bulletins/{bulletin_id}/questions": {"text": "why?"},
        "PUT /api/quality/templates/{campaign_id}": QUALITY_CARD,
        "POST /api/quality/evaluations": {"contact_id": "walk-1", "answers": {"greet": 1}},
        "POST /api/quality/evaluations/{evaluation_id}/acknowledge": {"comment": "fine"},
        "POST /api/quality/evaluations/{evaluation_id}/dispute": {"comment": "I did"},
        "POST /api/quality/evaluations/{evaluation_id}/resolve": {
            "decision": "uphold",
            "comment": "heard it",
        },
        "POST /api/quality/evaluations/{evaluation_id}/coaching": {"text": "use the name"},
        "PUT /api/admin/menus/{number}": MENU_FLOW,
        "PUT /api/admin/hours/{campaign_id}": {
            "spans": [{"day": "mon", "opens": "08:00", "closes": "18:00"}],
            "holidays": ["2026-12-25"],
        },
        "PUT /api/admin/prompts/{client_id}/{name}": {"wav_base64": WALK_WAV},
        "POST /api/admin/prompts/{client_id}/{name}/speak": {"text": "Thank you for calling."},
        "POST /api/supervisor/announcements": {"client_id": "acme", "text": "An outage"},
        "POST /api/supervisor/announcements/{announcement_id}/switch": {"active": True},
        "POST /api/supervisor/agents/{agent_id}/listen": {"mode": "listen"},
        "POST /api/supervisor/listening/{session}/answer": {"party": "caller", "sdp": "v=0"},
        "POST /api/supervisor/listening/{session}/resubscribe": {"party": "caller"},
        "POST /api/supervisor/listening/{session}/publish": {"sdp": "v=0"},
        "PUT /api/supervisor/listening/{session}/mode": {"mode": "whisper"},
        "PUT /api/admin/campaigns/{campaign_id}/recording-policy": {
            "mode": "share",
            "share_percent": 50,
        },
        "PUT /api/admin/clients/{client_id}/recording-retention": {"days": 30},
        "PUT /api/recordings/voicemails/{recording_id}/dealt-with": {"dealt_with": True},
        "POST /api/recordings/voicemails/{recording_id}/callback": {},
    }


class World:
    def __init__(self, app: Served) -> None:
        self.app = app
        admin = app.login("admin")
        a0 = app.login("a000")
        a0.post("/api/agent/sign-in", json={"ready": True})
        made = app.channel().post(
            "/api/channels/contacts",
            json={"queue": "returns", "contact_id": "walk-1", "caller": "+1555"},
        )
        assert made.status_code == 201, made.text
        assert a0.post("/api/agent/offers/walk-1/accept").status_code == 200
        self.help_id = a0.post("/api/agent/help", json={"text": "hi"}).json()["id"]
        customer = admin.post(
            "/api/customers", json={"client_id": "acme", "name": "Acme Ann", "phone": "+1999"}
        )
        self.customer_id = customer.json()["id"]
        victim = admin.post(
            "/api/admin/users",
            json={"username": "victim", "password": "long enough pw", "role": "supervisor"},
        )
        self.victim_id = victim.json()["id"]
        self.victim_token = admin.post("/api/admin/tokens", json={"username": "victim"}).json()[
            "id"
        ]
        admin.put("/api/admin/numbers/+15550001", json={"queue_id": "returns"})
        admin.put("/api/admin/billing/rate-cards/acme", json={"per_handled_call": "1"})
        article = admin.post(
            "/api/knowledge/articles", json={"client_id": "acme", "title": "Acme returns"}
        )
        self.article_id = article.json()["id"]
        bulletin = admin.post(
            "/api/knowledge/bulletins",
            json={"client_id": "acme", "title": "Acme policy", "due_at": time.time() + 3600},  # noqa: TID251
        )
        self.bulletin_id = bulletin.json()["id"]
        asked = a0.post(f"/api/agent/bulletins/{self.bulletin_id}/questions", json={"text": "q"})
        self.question_id = asked.json()["id"]
        admin.put("/api/quality/templates/acme-returns", json=QUALITY_CARD)
        self.evaluation_id = admin.post(
            "/api/quality/evaluations", json={"contact_id": "walk-1", "answers": {"greet": 1}}
        ).json()["id"]
        admin.put("/api/admin/menus/+15550001", json=MENU_FLOW)
        self.announcement_id = admin.post(
            "/api/supervisor/announcements", json={"client_id": "acme", "text": "Acme outage"}
        ).json()["id"]
        with app.writer.engine.begin() as conn:
            self.recording_id = conn.execute(
                s.recordings.insert().values(
                    contact_id="walk-1", client_id="acme", call_id="walk-call",
                    file="acme/walk-1.ogg", seconds=1.0, started_at=0.0, created_at=0.0,
                    kind="voicemail",  # every recording route has it: marking one too
                )
            ).inserted_primary_key[0]  # fmt: skip
        self.tokens = self._tokens()

    def _tokens(self) -> dict[str, tuple[str, str]]:
        """who -> (role, bearer token): user tokens for each user, and two channel tokens."""
        out: dict[str, tuple[str, str]] = {}
        engine = self.app.writer.engine
        with engine.begin() as conn:
            users = conn.execute(select(s.users.c.id, s.users.c.username, s.users.c.role)).all()
            for ident, name, role in users:
                if name in ("victim",):
                    continue
                _, secret = create_token(conn, user_id=ident, name="walk", scope="user", now=0.0)
                out[name] = (role, secret)
            viewer = next(i for i, n, _ in users if n == "globex-viewer")
            _, secret = create_token(conn, user_id=viewer, name="gx", scope="channel", now=0.0)
            out["globex-channel"] = (CHANNEL, secret)
            assert conn.execute(select(t.api_tokens.c.id)).first() is not None
        out["channel"] = (CHANNEL, self.app.channel_token)
        return out

    def path(self, template: str) -> str:
        values = {
            "contact": "walk-1",
            "agent": "a001",
            "request_id": str(self.help_id),
            "client_id": "acme",
            "campaign_id": "acme-returns",
            "queue_id": "returns",
            "skill_id": "returns",
            "agent_id": "a001",
            "user_id": str(self.victim_id),
            "number": "+15550001",
            "token_id": self.victim_token,
            "customer_id": self.customer_id,
            "effective_from": "2026-03-01",
            "contract_kind": "part-time",
            "window": "walk-w",
            "change": "walk-change",
            "article_id": str(self.article_id),
            "bulletin_id": str(self.bulletin_id),
            "question_id": str(self.question_id),
            "evaluation_id": str(self.evaluation_id),
            "version": "1",
            "name": "walk-prompt",
            "announcement_id": str(self.announcement_id),
            "session": "0123abcd",
            "recording_id": str(self.recording_id),
        }
        return template.format(**values)


OUTSIDERS = {"sup-globex", "globex-viewer", "g000", "globex-channel"}
ACME_MARKS = ("acme", "a000", "a001", "a002", "walk-1", "returns", "+1999")


def _rule(method: str, path: str) -> set[str] | str:
    for key, roles in RULES:
        if key == f"{method} {path}" or (" " not in key and path.startswith(key)):
            return roles
    raise AssertionError(f"no role rule for {method} {path}: add one to RULES")


@pytest.fixture
def world(served: Served) -> World:
    return World(served)


def test_every_endpoint_answers_every_role_within_its_scope(world: World) -> None:
    app = world.app
    bodies = _bodies(due_at=time.time() + 3600)  # noqa: TID251 -- a time for the core's clock
    routes = []
    for rc in iter_route_contexts(app.app.routes):
        route = rc.original_route
        if isinstance(route, APIWebSocketRoute):
            continue  # the stream's access is tested in test_stream.py
        for method in sorted((rc.methods or set()) - {"HEAD"}):
            routes.append((method, rc.path, route))
    assert len(routes) > 70
    callers = {
        who: (role, app.client(headers={"Authorization": f"Bearer {token}"}))
        for who, (role, token) in world.tokens.items()
    }
    anon = app.client()
    problems: list[str] = []
    for method, template, route in routes:
        key = f"{method} {template}"
        served_roles = _rule(method, template)
        body = bodies.get(key)
        if isinstance(route, APIRoute) and route.body_field is not None:
            assert body is not None, f"no sample body for {key}"
        path = world.path(template)
        touches_acme = "{" in template or "acme" in str(body) or "returns" in str(body)
        r = anon.request(method, path, json=body)
        not_200 = ("POST /api/auth/login", "GET /api/call-page")
        want = {200} if served_roles == PUBLIC and key not in not_200 else None
        if served_roles != PUBLIC and r.status_code != 401:
            problems.append(f"anonymous {key}: {r.status_code}")
        if want is not None and r.status_code not in want:
            problems.append(f"anonymous {key}: {r.status_code}")
        for who, (role, c) in callers.items():
            r = c.request(method, path, json=body)
            status = r.status_code
            label = f"{who} ({role}) {method} {path}: {status} {r.text[:160]}"
            if status >= 500:
                problems.append(label)
                continue
            if not r.headers.get("content-type", "").startswith("application/json") and (
                status != 204
                and not key.startswith(
                    (
                        "GET /api/docs",
                        "GET /api/reports/export",
                        "GET /api/reports/menus/export",
                        "GET /api/admin/prompts/{client_id}/{name}/wav",
                        "GET /api/admin/default-prompts/{name}/wav",
                    )
                )
            ):
                problems.append(f"{label} (not JSON)")
            serves = served_roles == PUBLIC or role in served_roles
            if not serves:
                if status != 403:
                    problems.append(f"{label} (expected 403)")
                continue
            if who in OUTSIDERS and touches_acme and served_roles != PUBLIC:
                if status not in (403, 404) and key not in EXPECTED_REFUSALS:
                    problems.append(f"{label} (outsider on acme: expected 403/404)")
            elif status in (401, 403) and status not in EXPECTED_REFUSALS.get(key, set()):
                problems.append(f"{label} (refused a served role)")
            if who in OUTSIDERS and 200 <= status < 300 and key != "GET /api/openapi.json":
                text = r.text.lower()
                leaked = [m for m in ACME_MARKS if m in text]
                if leaked:
                    problems.append(f"{label} (leaks {leaked})")
    assert problems == [], "\n".join(problems)
