"""Two-factor sign-in (TOTP) for supervisors and administrators, over real HTTP: enrolment
shown once, codes used once, recovery codes, and a firm that requires it."""

from __future__ import annotations

import httpx
import pyotp
import pytest
from sqlalchemy import select

from hearthline.kernel.clock import WallClock
from hearthline.store import tables as t
from tests.api.support import PASSWORD, Served


def _enrol(app: Served, c: httpx.Client) -> tuple[pyotp.TOTP, list[str]]:
    started = c.post("/api/auth/two-factor", json={"password": PASSWORD})
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    assert started.json()["uri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)
    wrong = c.post("/api/auth/two-factor/confirm", json={"code": _other_than(totp.now())})
    assert wrong.status_code == 403
    done = c.post("/api/auth/two-factor/confirm", json={"code": totp.now()})
    assert done.status_code == 200, done.text
    codes = done.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    return totp, codes


def _other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _login(app: Served, username: str, **extra: str) -> httpx.Response:
    body = {"username": username, "password": PASSWORD} | extra
    return app.client().post("/api/auth/login", json=body)


def test_a_supervisor_with_two_factor_signs_in_with_a_code_once(served: Served) -> None:
    me = served.login("sup")
    totp, codes = _enrol(served, me)
    # Shown once: a second enrolment is refused, and only hashes are stored.
    assert me.post("/api/auth/two-factor", json={"password": PASSWORD}).status_code == 409
    with served.writer.engine.connect() as conn:
        stored = conn.execute(select(t.recovery_codes.c.code_hash)).scalars().all()
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not {c.replace("-", "") for c in codes} & set(stored)

    asked = _login(served, "sup")
    assert asked.status_code == 401 and asked.json()["error"] == "two-factor-required"
    assert "set-cookie" not in asked.headers
    wrong = _login(served, "sup", code=_other_than(totp.now()))
    assert wrong.status_code == 401 and wrong.json()["error"] == "wrong-code"
    # The enrolment used this step's code: the next step's is the one to use.
    code = totp.at(WallClock().now() + totp.interval)
    ok = _login(served, "sup", code=code)
    assert ok.status_code == 200, ok.text
    assert ok.json()["user"]["two_factor"] is True
    again = _login(served, "sup", code=code)
    assert again.status_code in (401, 429) and again.json()["error"] != "ok"
    # A recovery code works once.
    rescued = _login(served, "sup", code=codes[0])
    assert rescued.status_code == 200, rescued.text
    assert _login(served, "sup", code=codes[0]).json()["error"] == "wrong-code"


def test_the_firm_may_require_it_of_supervisors_and_administrators(served_sqlite: Served) -> None:
    app = served_sqlite
    admin = app.login("admin")
    r = admin.put("/api/admin/settings", json={"require_two_factor": True})
    assert r.status_code == 200 and r.json()["require_two_factor"] is True
    # The administrator too must enrol before anything else.
    assert admin.get("/api/admin/settings").status_code == 403
    _enrol(app, admin)
    assert admin.get("/api/admin/settings").json()["require_two_factor"] is True
    sup = app.login("sup-acme")
    assert sup.get("/api/auth/me").json()["user"]["must_enrol"] is True
    refused = sup.get("/api/supervisor/agents")
    assert refused.status_code == 403 and refused.json()["error"] == "two-factor-enrolment"
    # Agents are not asked; a stream of a supervisor who must enrol is refused.
    assert app.login("a000").get("/api/agent/desk").status_code == 200
    with pytest.raises(Exception), app.stream(sup) as ws:  # noqa: B017
        ws.recv(timeout=5)
    _enrol(app, sup)
    assert sup.get("/api/supervisor/agents").status_code == 200
    assert sup.get("/api/auth/me").json()["user"]["must_enrol"] is False
    # Settings changed without naming it keep it.
    kept = admin.put("/api/admin/settings", json={"connection_grace_s": 30})
    assert kept.json()["require_two_factor"] is True


def test_agents_and_tokens_cannot_enrol(served_sqlite: Served) -> None:
    app = served_sqlite
    agent = app.login("a000")
    r = agent.post("/api/auth/two-factor", json={"password": PASSWORD})
    assert r.status_code == 403
    bad = app.login("sup").post("/api/auth/two-factor", json={"password": "not the password"})
    assert bad.status_code == 403 and bad.json()["error"] == "wrong-password"
    nothing = app.login("sup").post("/api/auth/two-factor/confirm", json={"code": "123456"})
    assert nothing.status_code == 409


def _audited(app: Served, action: str) -> list[tuple[str, str]]:
    a = t.audit_log
    with app.writer.engine.connect() as conn:
        rows = conn.execute(select(a.c.target, a.c.after).where(a.c.action == action))
        return [(r.target, r.after) for r in rows]


def test_a_supervisor_turns_it_off_with_password_and_code(served_sqlite: Served) -> None:
    app = served_sqlite
    me = app.login("sup")
    _, codes = _enrol(app, me)
    other = app.login("sup", code=codes[1])  # a second browser, signed in with a code
    wrong = me.post("/api/auth/two-factor/off", json={"password": "nope", "code": codes[0]})
    assert wrong.status_code == 403 and wrong.json()["error"] == "wrong-password"
    bad = me.post("/api/auth/two-factor/off", json={"password": PASSWORD, "code": "000000"})
    assert bad.status_code == 401 and bad.json()["error"] == "wrong-code"
    assert me.get("/api/auth/me").json()["user"]["two_factor"] is True
    off = me.post("/api/auth/two-factor/off", json={"password": PASSWORD, "code": codes[0]})
    assert off.status_code == 204, off.text
    # This session stays, the other one ends, and a password alone signs in again.
    assert me.get("/api/auth/me").json()["user"]["two_factor"] is False
    assert other.get("/api/auth/me").status_code == 401
    assert _login(app, "sup").status_code == 200
    again = me.post("/api/auth/two-factor/off", json={"password": PASSWORD, "code": codes[2]})
    assert again.status_code == 409
    with app.writer.engine.connect() as conn:
        assert conn.execute(select(t.recovery_codes)).first() is None
    assert ("sup", "false") in [(w, str(a).lower()) for w, a in _audited(app, "user.two-factor")]


def test_it_cannot_be_turned_off_while_the_firm_requires_it(served_sqlite: Served) -> None:
    app = served_sqlite
    admin = app.login("admin")
    _enrol(app, admin)
    assert admin.put("/api/admin/settings", json={"require_two_factor": True}).status_code == 200
    sup = app.login("sup")
    _, codes = _enrol(app, sup)
    r = sup.post("/api/auth/two-factor/off", json={"password": PASSWORD, "code": codes[0]})
    assert r.status_code == 409 and r.json()["error"] == "two-factor-required-by-firm"
    assert sup.get("/api/auth/me").json()["user"]["two_factor"] is True


def test_an_administrator_resets_a_lost_phone(served_sqlite: Served) -> None:
    app = served_sqlite
    admin = app.login("admin")
    sup = app.login("sup")
    _enrol(app, sup)
    assert admin.put("/api/admin/settings", json={"require_two_factor": True}).status_code == 200
    _enrol(app, admin)
    users = {u["username"]: u["id"] for u in admin.get("/api/admin/users").json()}
    assert admin.delete(f"/api/admin/users/{users['admin']}/two-factor").status_code == 409
    assert admin.delete("/api/admin/users/999999/two-factor").status_code == 404
    assert app.login("a000").get("/api/auth/me").status_code == 200
    agent_off = admin.delete(f"/api/admin/users/{users['a000']}/two-factor")
    assert agent_off.status_code == 409  # never had it: nothing to reset
    r = admin.delete(f"/api/admin/users/{users['sup']}/two-factor")
    assert r.status_code == 204, r.text
    # Their sessions end; the password signs in, and the firm's rule makes them enrol again.
    assert sup.get("/api/auth/me").status_code == 401
    back = app.login("sup")
    assert back.get("/api/auth/me").json()["user"]["must_enrol"] is True
    assert back.get("/api/supervisor/agents").status_code == 403
    _enrol(app, back)
    assert back.get("/api/supervisor/agents").status_code == 200
    assert any(w == "sup" for w, _ in _audited(app, "user.two-factor"))
