from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "scenarios"
BANK = EXAMPLES.parent / "data" / "anonymous-bank"


@pytest.fixture
def examples() -> Path:
    return EXAMPLES
