"""`hearthline demo`: a live simulated call-center day on this machine, in the browser."""

from __future__ import annotations

import argparse
import shutil
from importlib import resources
from pathlib import Path

from hearthline.kernel.errors import UsageError

DEFAULT_DATA_DIR = Path("data") / "demo"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "demo",
        help="serve a simulated day (two client companies, forty agents) in the browser",
        description="Starts the server on a fresh SQLite file under --data-dir, runs a "
        "simulated day through it in accelerated time and prints the address and sign-ins.",
    )
    p.add_argument("--speed", type=float, default=60.0, help="simulated seconds a second (60)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (8080)")
    p.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="recreated on each run (data/demo)"
    )
    p.add_argument("--scenario", type=Path, help="another day to run (a simulator scenario)")
    p.add_argument(
        "--no-voice",
        dest="voice",
        action="store_false",
        help="no real calls, even where rtpengine is installed (docs/voice.md)",
    )
    p.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    from hearthline.demo.run import DemoOptions, run_demo
    from hearthline.sim import ScenarioError, build, load_scenario

    if not 0.1 <= args.speed <= 3600:
        raise UsageError(f"--speed must be between 0.1 and 3600, got {args.speed:g}")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    try:
        if args.scenario is not None:
            built = build(load_scenario(args.scenario))
        else:
            day = resources.files("hearthline.demo").joinpath("day.toml")
            with resources.as_file(day) as path:
                built = build(load_scenario(path))
    except (ScenarioError, OSError) as exc:
        raise UsageError(str(exc)) from None
    # Real calls wherever their parts are installed; the server says what is missing.
    voice = args.voice and all(shutil.which(t) for t in ("rtpengine", "espeak-ng", "sox"))
    options = DemoOptions(
        data_dir=args.data_dir, host=args.host, port=args.port, speed=args.speed, voice=voice
    )
    return run_demo(options, built)
