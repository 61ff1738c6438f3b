"""Who may use the call page (``/api/call-page``, setting ``voice_call_page``), over real
HTTP and WebSocket on servers without voice: off by default, this host only, or anyone
signed in; never from another site's page. (With voice on: tests/voice/test_real_call_page.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from hearthline.api.routes.call_page import _refusal
from hearthline.api.settings import ServerSettings, SettingsError
from tests.api.support import Served, serve


@pytest.fixture
def page_server(sqlite_url: str, request: pytest.FixtureRequest) -> Iterator[Served]:
    served = serve(sqlite_url, voice_call_page=request.param)
    yield served
    served.stop()


def _ws(served: Served) -> str:
    return served.url.replace("http://", "ws://") + "/api/call-page/ws"


@pytest.mark.parametrize("page_server", ["off"], indirect=True)
def test_the_page_is_off_by_default(page_server: Served) -> None:
    r = page_server.client().get("/api/call-page")
    assert r.status_code == 404
    assert "setting voice_call_page" in r.json()["message"]
    with pytest.raises(InvalidStatus), connect(_ws(page_server), open_timeout=5):
        pass


@pytest.mark.parametrize("page_server", ["signed-in"], indirect=True)
def test_signed_in_needs_a_sign_in(page_server: Served) -> None:
    r = page_server.client().get("/api/call-page")
    assert r.status_code == 401
    assert "sign in" in r.json()["message"]
    # Signed in, the next question is voice, which is off on this server.
    r = page_server.login("sup").get("/api/call-page")
    assert r.status_code == 404
    assert r.json()["message"] == "voice is off on this server (setting voice)"


@pytest.mark.parametrize("page_server", ["local"], indirect=True)
def test_local_takes_this_host_and_not_other_sites_or_hosts(page_server: Served) -> None:
    client = page_server.client()
    assert client.get("/api/call-page").json()["message"] == (
        "voice is off on this server (setting voice)"
    )
    r = client.get("/api/call-page", headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert "own pages" in r.json()["message"]
    evil = "http://evil.example"
    with pytest.raises(InvalidStatus) as refused, connect(_ws(page_server), origin=evil):  # type: ignore[arg-type]
        pass
    assert refused.value.response.status_code == 403
    # Another host's address (tests speak over loopback only: the check itself).
    ctx = page_server.app.state.app_context
    host = page_server.url.removeprefix("http://")
    found = asyncio.run(_refusal(ctx, "192.0.2.7", None, None, host))
    assert found is not None and found.status == 403
    assert found.message == "the call page takes calls from this host only"
    assert asyncio.run(_refusal(ctx, "not-an-address", None, None, host)) is not None


def test_the_two_settings_are_read_and_checked() -> None:
    settings = ServerSettings.load(
        environ={
            "HEARTHLINE_VOICE_CALL_PAGE": "local",
            "HEARTHLINE_VOICE_CALLS_REQUIRE": " phone>=1 ",
        }
    )
    assert settings.voice_call_page == "local"
    assert settings.voice_calls_require == "phone>=1"
    defaults = ServerSettings.load(environ={})
    assert defaults.voice_call_page == "off" and defaults.voice_calls_require is None
    with pytest.raises(SettingsError, match=r"voice_call_page"):
        ServerSettings.load(environ={"HEARTHLINE_VOICE_CALL_PAGE": "everyone"})
    with pytest.raises(SettingsError, match=r"voice_calls_require.*not a skill requirement"):
        ServerSettings.load(environ={"HEARTHLINE_VOICE_CALLS_REQUIRE": "phone>>"})
