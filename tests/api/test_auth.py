"""Accounts and security: argon2id, cookies, CSRF, API tokens, login throttling."""

from __future__ import annotations

from sqlalchemy import select

from hearthline.store import tables as s
from hearthline.store import tables as t
from tests.api.support import PASSWORD, Served


def test_login_sets_an_httponly_samesite_cookie_and_passwords_are_argon2id(
    served_sqlite: Served,
) -> None:
    app = served_sqlite
    c = app.client()
    r = c.post("/api/auth/login", json={"username": "sup", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    # Served over plain http on loopback: a Secure cookie would be dropped by browsers.
    assert "secure" not in cookie.replace("samesite", "")
    assert r.json()["user"]["role"] == "supervisor"
    with app.writer.engine.connect() as conn:
        stored = conn.execute(select(s.users.c.password_hash).where(s.users.c.username == "sup"))
        assert stored.scalar_one().startswith("$argon2id$")
        session_ids = conn.execute(select(t.sessions.c.id)).scalars().all()
    token = c.cookies["hearthline_session"]
    assert token not in session_ids  # only its hash is kept
    assert c.get("/api/auth/me").json()["user"]["username"] == "sup"


def test_cookie_writes_need_the_csrf_token_and_tokens_do_not(served_sqlite: Served) -> None:
    app = served_sqlite
    agent = app.login("a000")
    csrf = agent.headers.pop("X-CSRF-Token")
    r = agent.post("/api/agent/sign-in")
    assert r.status_code == 403 and r.json()["error"] == "csrf"
    r = agent.post("/api/agent/sign-in", headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    assert agent.get("/api/agent/desk").status_code == 200  # reads need no token
    assert agent.post("/api/agent/sign-in", headers={"X-CSRF-Token": csrf}).status_code == 200
    channel = app.channel()
    assert channel.post("/api/channels/contacts", json={"queue": "returns"}).status_code == 201


def test_logout_ends_the_session(served_sqlite: Served) -> None:
    app = served_sqlite
    c = app.login("admin")
    assert c.post("/api/auth/logout").status_code == 204
    c.cookies.clear()
    stale = app.client()
    assert stale.get("/api/auth/me").status_code == 401


def test_failed_logins_are_throttled_with_retry_after(served_sqlite: Served) -> None:
    app = served_sqlite
    c = app.client()
    for _ in range(5):
        r = c.post("/api/auth/login", json={"username": "admin", "password": "guess guess"})
        assert r.status_code == 401
        assert r.json()["message"] == "wrong username or password"
    r = c.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    # An unknown user answers exactly like a wrong password.
    other = app.client()
    r = other.post("/api/auth/login", json={"username": "nobody", "password": "x"})
    assert r.status_code in (401, 429)


def test_admin_issued_tokens_act_as_their_user_until_revoked(served_sqlite: Served) -> None:
    app = served_sqlite
    admin = app.login("admin")
    made = admin.post("/api/admin/tokens", json={"username": "sup", "name": "wallboard"})
    assert made.status_code == 201
    secret, ident = made.json()["token"], made.json()["id"]
    with app.writer.engine.connect() as conn:
        hashes = conn.execute(select(t.api_tokens.c.token_hash)).scalars().all()
    assert secret not in hashes
    bearer = app.client(headers={"Authorization": f"Bearer {secret}"})
    assert bearer.get("/api/supervisor/queues").status_code == 200
    assert bearer.get("/api/admin/users").status_code == 403
    assert admin.delete(f"/api/admin/tokens/{ident}").status_code == 204
    assert bearer.get("/api/supervisor/queues").status_code == 401
    audit = admin.get("/api/admin/audit").json()
    assert [a["action"] for a in audit[:2]] == ["token.revoke", "token.create"]
    assert "hl_" not in str(audit)


def test_changing_a_password_needs_the_current_one(served_sqlite: Served) -> None:
    app = served_sqlite
    c = app.login("a001")
    r = c.post(
        "/api/auth/password",
        json={"current_password": "wrong one!", "new_password": "brand new password"},
    )
    assert r.status_code == 403
    r = c.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "brand new password"},
    )
    assert r.status_code == 204
    fresh = app.client()
    bad = fresh.post("/api/auth/login", json={"username": "a001", "password": PASSWORD})
    assert bad.status_code == 401
    app.login("a001", "brand new password")
