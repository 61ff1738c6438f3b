"""Small helpers for driving the pages: sign in, open a page as a user, read the server."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from tests.conftest import VIEWPORT
from tests.web.server import PASSWORD, WebServer

expect.set_options(timeout=10_000)


class PageServer(Protocol):
    """A server the pages are opened on: a ``WebServer`` or one run as its own process."""

    @property
    def url(self) -> str: ...


def new_context(
    browser: Browser,
    server: PageServer,
    *,
    service_workers: Literal["allow", "block"] = "allow",
    timeout_ms: float = 15_000,
) -> BrowserContext:
    context = browser.new_context(
        viewport=VIEWPORT,
        base_url=server.url,
        service_workers=service_workers,
    )
    context.set_default_timeout(timeout_ms)
    # A page load waits on the server and the browser both: on a busy machine, longer.
    context.set_default_navigation_timeout(30_000)
    return context


def sign_in(page: Page, username: str, *, lands_on: str) -> None:
    """Signs in through the sign-in page and waits for the role's page."""
    page.goto("/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#signin-button")
    page.wait_for_url(f"**{lands_on}")


def start_ready(page: Page) -> None:
    """On the agent's page: Start work (not ready), then Ready, each seen on the pill."""
    page.click("#start-button")
    expect(page.locator("#state-pill")).to_have_text("Not ready")
    page.click("#ready-button")
    expect(page.locator("#state-pill")).to_have_text("Ready")


def open_as(
    browser: Browser,
    server: PageServer,
    username: str,
    *,
    lands_on: str,
    service_workers: Literal["allow", "block"] = "allow",
    timeout_ms: float = 15_000,
    init_script: str | None = None,
) -> Page:
    """A fresh browser context signed in as ``username``; page errors fail the test.
    ``init_script`` runs in each of its pages before the page's own scripts (a tone
    microphone, say)."""
    context = new_context(browser, server, service_workers=service_workers, timeout_ms=timeout_ms)
    if init_script is not None:
        context.add_init_script(init_script)
    page = watch(context.new_page())
    sign_in(page, username, lands_on=lands_on)
    return page


def watch(page: Page) -> Page:
    """Collects the page's script errors for ``no_page_errors``."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: _console(errors, msg))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _console(errors: list[str], msg: ConsoleMessage) -> None:
    # Failed requests are reported by the browser as console errors; the pages handle
    # them (offline, a 409 shown to the user), so only script errors count here.
    if msg.type == "error" and "Failed to load resource" not in msg.text:
        errors.append(msg.text)


def no_page_errors(*pages: Page) -> None:
    for page in pages:
        errors: list[str] = page.errors  # type: ignore[attr-defined]
        assert not errors, f"script errors on {page.url}: {errors}"


def score_returns_calls(server: WebServer) -> None:
    """acme's returns campaign gets a one-question scorecard (its calls can be scored on
    the quality page)."""
    card = {
        "sections": [
            {
                "title": "Opening",
                "questions": [{"id": "greet", "text": "Greeted", "kind": "yes_no"}],
            }
        ]
    }
    c = server.api("admin")
    try:
        r = c.put("/api/quality/templates/acme-returns", json=card)
    finally:
        c.close()
    assert r.status_code == 200, r.text


def contact_detail(server: WebServer, contact: str) -> dict[str, Any]:
    """The contact's story as the server stored it (read as the administrator)."""
    c = server.api("admin")
    try:
        r = c.get(f"/api/contacts/{contact}")
    finally:
        c.close()
    assert r.status_code == 200, r.text
    detail: dict[str, Any] = r.json()
    return detail


def latest_draft(server: WebServer, contact: str) -> dict[str, Any] | None:
    drafts = [
        e
        for e in contact_detail(server, contact)["events"]
        if e["type"] in ("NoteDrafted", "NoteFinalised")
    ]
    return drafts[-1] if drafts else None
