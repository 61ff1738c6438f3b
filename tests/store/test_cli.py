"""``hearthline db``: migrate, rebuild, status; a bad URL is one clear line, exit 2."""

from __future__ import annotations

import pytest

from hearthline.cli import main
from hearthline.store.migrate import head_revision


def test_upgrade_then_status_then_rebuild(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--database-url", db_url]) == 0
    assert main(["db", "status", "--database-url", db_url]) == 0
    assert main(["db", "rebuild-reports", "--database-url", db_url]) == 0
    out = capsys.readouterr().out
    assert (
        f"schema at {head_revision()}" in out
        and "0 events" in out
        and "rebuilt from 0 events" in out
    )


def test_a_bad_database_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "status", "--database-url", "mysql://x/y"]) == 2
    assert "unsupported database 'mysql'" in capsys.readouterr().err
