"""A compiled build of the routing core and the simulator, beside the sources, never over them.

    python -m bench.compiled build/compiled      # copy of src/hearthline, hot modules compiled
    python -m bench.compiled DIR --opt=1 --jobs=1   # mypyc/C optimisation level, parallel compiles
    PYTHONPATH=build/compiled python -m pytest tests/routing tests/sim   # the core's tests on it

mypyc turns the modules below into C extensions inside a copy of the package; the copy
first on the path makes Python load them (an extension wins over a ``.py`` of the same
name), everything else stays the same source. Without a C compiler nothing changes: the
package in src/ is plain Python and needs none of this. ``make pytest-compiled`` (part of
``make test``) runs the core's tests on it. Everything the build writes (mypy's cache, the
C objects) stays under the output directory.
"""

from __future__ import annotations

import os
import resource
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
    ext_modules=mypycify({modules!r}, opt_level="{opt}", multi_file=True),
    script_args=["build_ext", "--inplace", "--parallel", "{jobs}"],
)
"""


def build(out: Path, *, opt: int = 2, jobs: int | None = None) -> float:
    """Builds the compiled copy into ``out`` (replacing it); returns the seconds it took.

    ``opt`` is mypyc's and the C compiler's optimisation level (0-3), ``jobs`` the C files
    compiled at once (default: one per core)."""
    started = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(
        ROOT / "src" / "hearthline",
        out / "hearthline",
        ignore=shutil.ignore_patterns("__pycache__", "*.so"),
    )
    (out / "setup_compiled.py").write_text(
        _SETUP.format(modules=list(MODULES), opt=opt, jobs=jobs or os.cpu_count() or 1),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(out)}
    subprocess.run(
        [sys.executable, "setup_compiled.py"], cwd=out, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def is_compiled(module: object) -> bool:
    """Whether ``module`` was loaded from a compiled extension."""
    return str(getattr(module, "__file__", "")).endswith((".so", ".pyd"))


def _option(argv: list[str], name: str) -> int | None:
    given = [a.removeprefix(f"--{name}=") for a in argv if a.startswith(f"--{name}=")]
    return int(given[-1]) if given else None


def main(argv: list[str]) -> int:
    places = [a for a in argv if not a.startswith("--")]
    out = Path(places[0] if places else ROOT / "build" / "compiled").resolve()
    opt = _option(argv, "opt")
    opt = 2 if opt is None else opt
    cpu_before = _children_cpu()
    try:
        seconds = build(out, opt=opt, jobs=_option(argv, "jobs"))
    except subprocess.CalledProcessError as exc:
        # mypyc reports type errors on stdout, the C compiler on stderr.
        for stream in (exc.stdout, exc.stderr):
            sys.stderr.write(stream.decode(errors="replace")[-4000:])
        print(f"compiling failed (exit {exc.returncode}); the sources in src/ are unaffected")
        return 1
    print(
        f"compiled {len(MODULES)} modules (-O{opt}) into {out} in {seconds:.0f} s "
        f"({_children_cpu() - cpu_before:.0f} s of CPU; load average {os.getloadavg()[0]:.1f})"
    )
    return 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
