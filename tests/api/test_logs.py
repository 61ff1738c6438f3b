"""The server's logs never hold a credential."""

from __future__ import annotations

import logging

import pytest
from websockets.sync.client import connect

from hearthline.api.logs import RedactSecrets
from tests.api.support import Served, receive


def test_a_stream_token_in_the_query_never_reaches_the_access_log(
    served_sqlite: Served, caplog: pytest.LogCaptureFixture
) -> None:
    token = served_sqlite.channel_token
    admin = served_sqlite.login("admin")
    made = admin.post("/api/admin/tokens", json={"username": "sup", "name": "board"}).json()
    with (
        caplog.at_level(logging.INFO, logger="uvicorn.access"),
        caplog.at_level(logging.INFO, logger="uvicorn.error"),
    ):
        with connect(served_sqlite.ws_url + f"?token={made['token']}", open_timeout=5) as ws:
            receive(ws)
        served_sqlite.client().get(f"/api/auth/me?token={token}&x=1")
    # The server's records (the test's own HTTP client logs its requests too).
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("uvicorn")]
    assert any("/api/auth/me?token=[redacted]&x=1" in line for line in lines), lines
    assert any("/api/stream?token=[redacted]" in line for line in lines), lines
    assert not any(made["token"] in line or token in line for line in lines)


def test_the_filter_leaves_other_records_alone() -> None:
    record = logging.LogRecord("x", logging.INFO, "f", 1, "%s %s", ("a", "b"), None)
    assert RedactSecrets().filter(record) and record.getMessage() == "a b"
