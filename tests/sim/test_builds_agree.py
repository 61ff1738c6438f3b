"""The compiled build simulates the same days as the plain package, event for event.

Runs under ``make pytest-compiled`` (``HEARTHLINE_COMPILED=1``, the build first on the
path): the digests of tests/sim/day_digest.py from this process, on the compiled core,
against those of a child that runs the sources in src/ as plain Python.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hearthline.sim import engine
from tests.sim.conftest import REPO
from tests.sim.day_digest import digests

pytestmark = pytest.mark.skipif(
    os.environ.get("HEARTHLINE_COMPILED") != "1",
    reason="compares the compiled build with the plain one: make pytest-compiled",
)


def test_the_compiled_build_simulates_the_plain_packages_days_event_for_event() -> None:
    assert str(engine.__file__).endswith(".so")  # this process runs the compiled simulator
    plain = subprocess.run(
        [sys.executable, "-m", "tests.sim.day_digest"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])},
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = json.loads(plain.stdout)
    assert len(theirs) == 4
    assert digests() == theirs
