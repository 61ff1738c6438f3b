"""What a request may cost before anyone knows who sent it, over a real socket: bodies
refused by size before they are read, slow bodies and slow headers cut off."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tests.api.support import Served, serve

TIMEOUT_S = 2.0


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    url = f"sqlite:///{tmp_path_factory.mktemp('limits') / 'hearthline.sqlite3'}"
    served = serve(url, body_timeout_s=TIMEOUT_S, header_timeout_s=TIMEOUT_S)
    yield served
    served.stop()


def _connect(app: Served) -> socket.socket:
    port = int(app.url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass  # closed with our unread bytes in its buffer: the answer came first
    return b"".join(chunks)


def _request(path: str, length: int | None, extra: str = "") -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"{size}{extra}\r\n"
    ).encode()


def test_a_large_anonymous_body_is_refused_before_it_is_sent(app: Served) -> None:
    with _connect(app) as sock:
        sock.sendall(_request("/api/admin/agents/import", 60 * 1024 * 1024))
        answer = _answer(sock)  # no byte of the body was sent
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b'"too-large"' in answer and b"without a valid sign-in" in answer


def test_a_chunked_anonymous_body_is_cut_off_at_the_limit(app: Served) -> None:
    chunk = b"x" * 16384
    with _connect(app) as sock:
        sock.sendall(_request("/api/auth/login", None, "Transfer-Encoding: chunked\r\n"))
        # Past the limit, and never finished: the answer cannot wait for the end.
        for _ in range(8):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


def test_a_signed_in_caller_may_send_a_larger_body(app: Served) -> None:
    admin = app.login("admin")
    rows = "".join(f"imp{n},Agent {n},returns:1,acme-returns\n" for n in range(3000))
    body = ("id,name,skills,campaigns\n" + rows).encode()
    assert len(body) > 64 * 1024
    r = admin.post(
        "/api/admin/agents/import",
        params={"dry_run": "true"},
        content=body,
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["created"]) == 3000
    # The same body with a forged cookie is an anonymous one.
    forged = app.client(cookies={"hearthline_session": "forged"})
    r = forged.post("/api/admin/agents/import", content=body)
    assert r.status_code == 413 and "without a valid sign-in" in r.json()["message"]


def test_a_body_that_does_not_arrive_in_time_is_answered_408(app: Served) -> None:
    with _connect(app) as sock:
        sock.sendall(_request("/api/auth/login", 100) + b'{"username": "a')
        started = time.monotonic()
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert time.monotonic() - started < TIMEOUT_S + 5


def test_slow_or_no_headers_close_the_connection(app: Served) -> None:
    for opening in (b"", b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"):
        with _connect(app) as sock:
            sock.sendall(opening)
            started = time.monotonic()
            time.sleep(TIMEOUT_S / 2)
            sock.sendall(b"X-Slow: 1\r\n" if opening else b"")
            assert _answer(sock) == b""
        assert time.monotonic() - started < TIMEOUT_S + 5


def test_headers_past_their_limit_are_refused(app: Served) -> None:
    with _connect(app) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 40_000)
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]


def test_a_kept_alive_connection_and_a_stream_outlive_the_header_deadline(app: Served) -> None:
    c = app.login("a000")
    assert c.get("/api/health").status_code == 200
    with app.stream(c) as ws:
        ws.recv(timeout=10)  # the snapshot
        time.sleep(TIMEOUT_S * 1.5)
        ws.send('{"type": "heartbeat"}')
        ws.ping().wait(5)
    assert c.get("/api/auth/me").status_code == 200
