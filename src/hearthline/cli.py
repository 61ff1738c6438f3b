"""The `hearthline` command: one sub-command per job, each registered by its own package.

Each module named in ``COMMAND_MODULES`` exposes ``register(subparsers)``, which adds its
sub-commands and sets ``func`` on them; ``func(args)`` returns the process exit code.
Keeping the list here (rather than scanning entry points) keeps start-up explicit.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Protocol, cast

from hearthline.kernel.errors import UsageError

COMMAND_MODULES: tuple[str, ...] = (
    "hearthline.wfm.cli",
    "hearthline.sim.cli",
    "hearthline.service.cli",
    "hearthline.api.cli",
    "hearthline.demo.cli",
)


class _CommandModule(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hearthline", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        module = cast(_CommandModule, importlib.import_module(name))
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = cast(Callable[[argparse.Namespace], int], args.func)
    try:
        return func(args)
    except UsageError as exc:
        print(f"hearthline {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`hearthline forecast ... | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
