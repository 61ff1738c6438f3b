"""Errors every layer may raise."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input from the command line: printed as one clear line, exit code 2.

    It lives in the kernel so that each package's ``cli.py`` can raise it without
    importing the ``hearthline`` command, which imports them all."""
