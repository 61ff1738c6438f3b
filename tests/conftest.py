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

from tests.databases import drop_templates

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


@pytest.fixture(scope="session", autouse=True)
def _database_templates() -> Iterator[None]:
    """Drops this process's migrated templates (tests/databases.py) when its tests end."""
    yield
    drop_templates()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# The files that take longest, measured (docs/development.md): under pytest-xdist they start
# first, so that no worker is left running one of them alone at the end of the run.
LONGEST_FILES = (
    "api/test_schemathesis.py",
    "api/test_schemathesis_pg.py",
    "routing/test_invariants.py",
    "demo/test_demo_command.py",
    "api/test_roles.py",
    "demo/test_demo_clock.py",
    "demo/test_demo_browser.py",
    "api/test_cross_client_walk.py",
    "reports/test_bank_history.py",
    "api/test_hostile_corpus.py",
    "wfm/test_wfm_cli.py",
    "store/test_writer.py",
    "sim/test_examples.py",
    "store/test_crash.py",
    "api/test_stream.py",
    "api/test_throttle.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    first = {ROOT / "tests" / name: rank for rank, name in enumerate(LONGEST_FILES)}
    # A stable sort: every other file, and the tests inside each file, keep their order.
    items.sort(key=lambda item: first.get(item.path, len(first)))
