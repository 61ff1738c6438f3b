"""``hearthline db``: migrate, rebuild, status; a bad URL is one clear line, exit 2."""

from __future__ import annotations

from pathlib import Path

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


def test_expire_recordings_deletes_what_is_past_its_clients_retention(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import insert, select

    from hearthline.kernel.clock import WallClock
    from hearthline.store import tables as t
    from hearthline.store.engine import create_store_engine, resolve_url
    from hearthline.store.migrate import upgrade

    engine = create_store_engine(resolve_url(None, data_dir=str(tmp_path)))
    upgrade(engine)
    now = WallClock().now()
    store = tmp_path / "recordings" / "acme"
    store.mkdir(parents=True)
    for name in ("old", "new"):
        (store / f"{name}.ogg").write_bytes(b"OggS")
    with engine.begin() as conn:
        conn.execute(insert(t.firm).values(id="firm", name="Firm"))
        conn.execute(insert(t.clients).values(id="acme", firm_id="firm", name="Acme"))
        conn.execute(insert(t.recording_retention).values(client_id="acme", days=7, updated_at=0))
        for name, age_days in (("old", 8), ("new", 6)):
            conn.execute(
                insert(t.recordings).values(
                    contact_id=name, client_id="acme", call_id=f"c-{name}",
                    file=f"acme/{name}.ogg", seconds=1.0, started_at=0.0,
                    created_at=now - age_days * 86400,
                )
            )  # fmt: skip
    assert main(["db", "expire-recordings", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "deleted acme/old.ogg (acme, contact old)" in out and "1 recordings" in out
    assert not (store / "old.ogg").exists() and (store / "new.ogg").exists()
    with engine.connect() as conn:
        assert list(conn.execute(select(t.recordings.c.contact_id)).scalars()) == ["new"]
        assert conn.execute(select(t.audit_log.c.action)).scalars().all() == ["recording.deleted"]
    engine.dispose()
