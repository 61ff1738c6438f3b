"""The server's settings: flags, then environment, then a TOML file, then defaults.

    settings = ServerSettings.load(flags={"port": 9000}, config_file="hearthline.toml")

Environment variables are ``HEARTHLINE_<NAME>`` (``HEARTHLINE_PORT``,
``HEARTHLINE_HEARTBEAT_TIMEOUT_S``...); ``HEARTHLINE_DATABASE_URL`` and
``HEARTHLINE_DATA_DIR`` are the store's own. A TOML file holds the same names under a
``[server]`` table.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

ENV_PREFIX = "HEARTHLINE_"


class SettingsError(ValueError):
    """A setting that cannot be used, with the name and the reason."""


class ServerSettings(BaseModel):
    """Everything the server can be told; every field has a sensible default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    data_dir: str = "data"
    database_url: str | None = None
    # An agent whose heartbeats stop for this long is reported as connection lost.
    heartbeat_timeout_s: float = Field(default=10.0, gt=0, le=3600)
    # None: Secure cookies unless served over plain http on a loopback address, where
    # browsers would drop them (see docs/server.md).
    cookie_secure: bool | None = None
    https: bool = False
    session_ttl_s: float = Field(default=12 * 3600.0, gt=0)
    # Failed logins allowed per username and per client address within a minute.
    login_failures_per_minute: int = Field(default=5, ge=1)
    # Events kept in memory for streams that resume; older resumes get a fresh snapshot.
    replay_buffer: int = Field(default=20_000, ge=100)
    # Events a slow stream may have waiting before it is told to take a fresh snapshot.
    stream_backlog: int = Field(default=5_000, ge=100)
    # Seconds an authenticated session or token lookup is remembered in memory.
    auth_cache_s: float = Field(default=5.0, ge=0)
    # argon2id cost; lower it only in tests.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    log_level: str = "info"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.https or not _is_loopback(self.host)

    @classmethod
    def load(
        cls,
        *,
        flags: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        config_file: str | Path | None = None,
    ) -> ServerSettings:
        """Settings from flags over environment over the config file over defaults."""
        values: dict[str, Any] = {}
        if config_file is not None:
            values.update(_read_file(Path(config_file)))
        env = os.environ if environ is None else environ
        for name in cls.model_fields:
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None and raw != "":
                values[name] = raw
        values.update({k: v for k, v in (flags or {}).items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "settings"
            raise SettingsError(f"setting {where}: {first['msg']}") from None


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
    section = data.get("server", {})
    if not isinstance(section, dict):
        raise SettingsError(f"config file {path}: [server] must be a table")
    return section


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
