"""Shared paths for the workforce-planning tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BANK_DIR = REPO / "examples" / "data" / "anonymous-bank"


@pytest.fixture(scope="session")
def bank_dir() -> Path:
    if not (BANK_DIR / "august_calls.csv").is_file():
        pytest.fail(f"the Anonymous Bank data is missing: expected it in {BANK_DIR.resolve()}")
    return BANK_DIR
