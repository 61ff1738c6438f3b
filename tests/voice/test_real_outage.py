"""An agent's home network failing during a real call: ``netns_outage.py``'s cases (the
path gone for 20 s and back; the page's address changed), run by
``scripts/voice-outage.sh`` in a network namespace of its own. They run in a child
process because this worker cannot enter a namespace itself: it would leave the
database server and every other test's loopback behind. Making the namespace needs
root, as CI runs; without it the cases are skipped, saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.voice.tools import skip_without_voice_tools

pytestmark = [pytest.mark.voice, pytest.mark.browser, pytest.mark.slow]

skip_without_voice_tools()

ROOT = Path(__file__).resolve().parents[2]


def test_an_agents_leg_cut_off_or_moved_to_a_new_address_comes_back_both_ways() -> None:
    if os.geteuid() != 0 or shutil.which("iptables") is None:
        pytest.skip("a network namespace of the test's own needs root and iptables")
    run = subprocess.run(
        ["bash", str(ROOT / "scripts" / "voice-outage.sh"), "-x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert run.returncode == 0, f"{run.stdout[-8000:]}\n{run.stderr[-2000:]}"
    assert "2 passed" in run.stdout, run.stdout[-2000:]
