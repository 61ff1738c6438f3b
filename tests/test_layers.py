"""The layers' import contracts hold, and an import upwards breaks them.

``make lint`` runs the same contracts (pyproject.toml, ``[tool.importlinter]``); this
checks that they would catch a breach, on a copy of the package with one bad import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "hearthline", src / "hearthline")
    return src


def _add_import(module: Path, line: str) -> None:
    text = module.read_text()
    head = "from __future__ import annotations\n"
    assert head in text
    module.write_text(text.replace(head, f"{head}\n{line}  # noqa: F401\n", 1))


def test_the_package_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # The routing core reaching up for the service.
        (
            "routing/skills.py",
            "import hearthline.service",
            "hearthline.routing.skills -> hearthline.service",
        ),
        # The store reaching up for the API.
        ("store/log.py", "import hearthline.api.hub", "hearthline.store.log -> hearthline.api.hub"),
        # The kernel reaching for a domain.
        (
            "kernel/text.py",
            "import hearthline.routing.events",
            "hearthline.kernel.text -> hearthline.routing.events",
        ),
        # A pure domain doing I/O.
        ("crm/notebook.py", "import sqlalchemy", "hearthline.crm.notebook -> sqlalchemy"),
        ("wfm/erlang.py", "import asyncio", "hearthline.wfm.erlang -> asyncio"),
        # The API writing tables itself instead of through the service.
        ("api/hub.py", "import sqlalchemy", "hearthline.api.hub -> sqlalchemy"),
        (
            "api/live.py",
            "import hearthline.store.tables",
            "hearthline.api.live -> hearthline.store.tables",
        ),
    ],
)
def test_an_import_against_the_layers_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    src = _copy(tmp_path)
    _add_import(src / "hearthline" / module, line)
    result = _lint(src)
    assert result.returncode != 0
    assert broken in result.stdout
