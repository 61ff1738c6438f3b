"""Fixtures shared by the test tiers: Debian's chromium driven by Playwright.

One headless chromium per test module; each test makes its own browser contexts, so cookies,
storage and service workers never leak between tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The ring is WebAudio: let it play without a click in a headless run.
    "--autoplay-policy=no-user-gesture-required",
]
VIEWPORT = {"width": 1366, "height": 768}
ROOT = Path(__file__).resolve().parents[1]
# Every run writes its screenshots under test-artifacts/ (not tracked) to be looked at;
# `make screenshots` points this at docs/screenshots/ to refresh the ones docs show.
SCREENSHOTS = Path(
    os.environ.get("HEARTHLINE_SCREENSHOTS") or ROOT / "test-artifacts" / "screenshots"
)


# Per module, not per session: Playwright's sync API keeps an event loop running while it
# is open, and tests of other modules run asyncio code of their own.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(
            "Debian's chromium is not installed: `make test` installs it (apt-get install "
            "chromium); the browser tests never skip",
            pytrace=False,
        )
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
