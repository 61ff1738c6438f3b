"""The API reference page is served whole from this server: no CDN, no inline script."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Request, expect

from tests.web.server import WebServer
from tests.web.support import new_context, no_page_errors, watch

pytestmark = pytest.mark.browser


def test_the_api_reference_renders_from_this_server_alone(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    page = watch(new_context(browser, server).new_page())
    origins: set[str] = set()

    def seen(request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https"):
            origins.add(f"{parts.scheme}://{parts.netloc}")

    # The server builds its OpenAPI document on the first request: seconds of CPU, more
    # on a busy machine. Built first, the page's own request for it is answered at once.
    assert httpx.get(f"{server.url.rstrip('/')}/api/openapi.json", timeout=300).status_code == 200
    page.on("request", seen)
    response = page.goto("/api/docs")
    assert response is not None and response.ok
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Hearthline", timeout=30_000)
    expect(page.locator("#operations-auth-login_api_auth_login_post")).to_be_visible()
    page.screenshot(path=str(screenshots / "api-docs.png"))
    assert origins == {server.url.rstrip("/")}, origins
    no_page_errors(page)
