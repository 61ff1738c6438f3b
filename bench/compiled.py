"""A compiled build of the routing core and the simulator, beside the sources, never over them.

    python -m bench.compiled build/compiled      # copy of src/hearthline, hot modules compiled
    PYTHONPATH=build/compiled python -m pytest tests/routing tests/sim   # the core's tests on it

mypyc turns the modules below into C extensions inside a copy of the package; the copy
first on the path makes Python load them (an extension wins over a ``.py`` of the same
name), everything else stays the same source. Without a C compiler nothing changes: the
package in src/ is plain Python and needs none of this. ``make pytest-compiled`` runs the
core's tests on it (not yet in ``make test``: a compiled core's snapshot does not load).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The per-call path of a simulated day: the core's records, decisions and state changes,
# and the simulator's loop, world and tallies. Scenario parsing (Pydantic) and reports
# run once per day and stay interpreted.
MODULES = (
    "hearthline/kernel/clock.py",
    "hearthline/kernel/ids.py",
    "hearthline/routing/apply.py",
    "hearthline/routing/commands.py",
    "hearthline/routing/events.py",
    "hearthline/routing/handlers.py",
    "hearthline/routing/matching.py",
    "hearthline/routing/router.py",
    "hearthline/routing/runtime.py",
    "hearthline/routing/skills.py",
    "hearthline/routing/states.py",
    "hearthline/sim/engine.py",
    "hearthline/sim/results.py",
    "hearthline/sim/run.py",
    "hearthline/sim/world.py",
)

_SETUP = """
from setuptools import setup
from mypyc.build import mypycify

setup(
    name="hearthline-compiled",
    ext_modules=mypycify({modules!r}, opt_level="2", multi_file=True),
    script_args=["build_ext", "--inplace", "--parallel", "{jobs}"],
)
"""


def build(out: Path) -> float:
    """Builds the compiled copy into ``out`` (replacing it); returns the seconds it took."""
    started = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(
        ROOT / "src" / "hearthline",
        out / "hearthline",
        ignore=shutil.ignore_patterns("__pycache__", "*.so"),
    )
    (out / "setup_compiled.py").write_text(
        _SETUP.format(modules=list(MODULES), jobs=os.cpu_count() or 1), encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(out)}
    subprocess.run(
        [sys.executable, "setup_compiled.py"], cwd=out, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def is_compiled(module: object) -> bool:
    """Whether ``module`` was loaded from a compiled extension."""
    return str(getattr(module, "__file__", "")).endswith((".so", ".pyd"))


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else ROOT / "build" / "compiled").resolve()
    try:
        seconds = build(out)
    except subprocess.CalledProcessError as exc:
        # mypyc reports type errors on stdout, the C compiler on stderr.
        for stream in (exc.stdout, exc.stderr):
            sys.stderr.write(stream.decode(errors="replace")[-4000:])
        print(f"compiling failed (exit {exc.returncode}); the sources in src/ are unaffected")
        return 1
    print(f"compiled {len(MODULES)} modules into {out} in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
