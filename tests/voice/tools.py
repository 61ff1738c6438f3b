"""The real-call tests' one precondition: the voice tools `make voice` installs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

NEEDED = ("rtpengine", "sipp", "espeak-ng", "sox")


def skip_without_voice_tools() -> None:
    """Skips the calling test module, naming what is missing, where a tool is not installed."""
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"real calls need {', '.join(missing)}: `make voice` installs them (as root)",
            allow_module_level=True,
        )


KAMAILIO_MISSING = "several B2BUA workers need kamailio: `make voice` installs it (as root)"


def has_kamailio() -> bool:
    """Whether Kamailio (several B2BUA workers) is installed (in /usr/sbin for Debian)."""
    return shutil.which("kamailio") is not None or Path("/usr/sbin/kamailio").exists()


def skip_without_kamailio() -> None:
    """Skips the calling test module where Kamailio is missing, naming it."""
    if not has_kamailio():
        pytest.skip(KAMAILIO_MISSING, allow_module_level=True)
