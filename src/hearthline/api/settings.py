"""The server's settings: flags, then environment, then a TOML file, then defaults.

    settings = ServerSettings.load(flags={"port": 9000}, config_file="hearthline.toml")

Environment variables are ``HEARTHLINE_<NAME>`` (``HEARTHLINE_PORT``,
``HEARTHLINE_HEARTBEAT_TIMEOUT_S``...); ``HEARTHLINE_DATABASE_URL`` and
``HEARTHLINE_DATA_DIR`` are the store's own. A TOML file holds the same names under a
``[server]`` table.
"""

from __future__ import annotations

import ipaddress
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from hearthline.routing.errors import ConfigError
from hearthline.routing.skills import compile_requirement
from hearthline.telephony import engines as engines_
from hearthline.telephony import trunks as trunks_

ENV_PREFIX = "HEARTHLINE_"


class SettingsError(ValueError):
    """A setting that cannot be used, with the name and the reason."""


class TrunkSettings(BaseModel):
    """One peer allowed to call (``[[server.voice_trunks]]``, docs/voice.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    networks: list[str] = []
    username: str | None = None
    password: SecretStr | None = None  # never shown in a repr or a log
    max_calls: int = Field(default=trunks_.DEFAULT_MAX_CALLS, ge=1)
    # Callbacks are dialled through the first trunk with an outbound target.
    outbound: str | None = None
    outbound_username: str | None = None
    outbound_password: SecretStr | None = None

    def trunk(self) -> trunks_.Trunk:
        password = None if self.password is None else self.password.get_secret_value()
        out = self.outbound_password
        return trunks_.trunk_from_dict(
            {
                "name": self.name,
                "networks": self.networks,
                "username": self.username,
                "password": password,
                "max_calls": self.max_calls,
                "outbound": self.outbound,
                "outbound_username": self.outbound_username,
                "outbound_password": None if out is None else out.get_secret_value(),
            }
        )


class RegistrationSettings(BaseModel):
    """A provider's registrar Hearthline registers to (``[[server.voice_registrations]]``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    registrar: str
    username: str
    password: SecretStr
    domain: str | None = None
    expires: int = 300

    def registration(self) -> trunks_.Registration:
        return trunks_.registration_from_dict(
            {
                "registrar": self.registrar,
                "username": self.username,
                "password": self.password.get_secret_value(),
                "domain": self.domain,
                "expires": self.expires,
            }
        )


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
    # Sign-in attempts per account a minute before a lockout (doubling each time, at
    # most login_max_lockout_s), and per client address (see docs/server.md).
    login_failures_per_minute: int = Field(default=5, ge=1)
    login_failures_per_address_per_minute: int = Field(default=30, ge=1)
    login_max_lockout_s: float = Field(default=900.0, ge=1)
    # Password checks (argon2, 64 MiB each) running at once; more wait their turn.
    argon2_concurrency: int = Field(default=4, ge=1, le=64)
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
    # Request bodies: without a valid sign-in, with one (each route has its own limit
    # below this), and the time a body may take to arrive. Headers: their size and the
    # time they may take; an idle kept-alive connection is closed after keep_alive_s.
    max_anonymous_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_body_bytes: int = Field(default=65 * 1024 * 1024, ge=1024)
    body_timeout_s: float = Field(default=60.0, gt=0)
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    header_timeout_s: float = Field(default=10.0, gt=0)
    keep_alive_s: float = Field(default=5.0, gt=0)
    # Real calls (docs/voice.md): rtpengine and the B2BUA as child processes.
    voice: bool = False
    voice_sip_host: str = "127.0.0.1"
    voice_sip_port: int = Field(default=5070, ge=1, le=65535)
    voice_ng_port: int = Field(default=22790, ge=1, le=65535)
    voice_rtp_min: int = Field(default=42000, ge=1024, le=65535)
    voice_rtp_max: int = Field(default=42999, ge=1024, le=65535)
    # Live calls outlive the server (docs/voice.md, "Restarts"): rtpengine and the B2BUA
    # are not stopped with it (SIGTERM, a crash), and the next server takes their calls
    # over; Ctrl-C (SIGINT) still ends everything. Off: they stop with the server.
    voice_keep_calls: bool = False
    # A queued caller hears their place and expected wait this often (seconds); 0: never.
    voice_wait_announce_s: float = Field(default=45.0, ge=0, le=3600)
    # The "call the center" page (/call, docs/voice.md): it puts calls into the clients'
    # queues, so it is off unless asked for: "local" lets anyone connecting from this
    # host's loopback (the demo), "signed-in" anyone signed in with any role.
    voice_call_page: Literal["off", "local", "signed-in"] = "off"
    # A skill requirement every real call has unless its menu sets one (e.g. "phone>=1":
    # only agents with a phone skill are offered real calls); none by default.
    voice_calls_require: str | None = None
    # A dialled callback that is not answered this long (seconds) is cancelled: no answer.
    voice_dial_timeout_s: float = Field(default=30.0, gt=0, le=300)
    # A bridged agent leg from which rtpengine receives no packet this long (seconds) is a
    # lost connection (the core's grace period follows); 0: not watched.
    voice_agent_silence_s: float = Field(default=5.0, ge=0, le=600)
    # Who may call (docs/voice.md, "Trunks"); none: this host only (loopback).
    voice_trunks: list[TrunkSettings] = []
    # New SIP requests, and INVITEs, a second from one source address (bursts of twice
    # that); past them 503 with Retry-After.
    # Registrars of providers Hearthline registers to (digest credentials).
    voice_registrations: list[RegistrationSettings] = []
    voice_sip_requests_per_s: float = Field(default=50.0, gt=0, le=100_000)
    voice_sip_invites_per_s: float = Field(default=10.0, gt=0, le=100_000)
    # rtpengines run by the operator (the scale tier): their ng addresses, comma-separated
    # ("10.0.0.5:22790,10.0.0.6:22790"); calls spread over them. Empty: one rtpengine as
    # the server's child, on voice_ng_port and voice_rtp_min..max.
    voice_rtpengines: str = ""
    # The UDP port on 127.0.0.1 where rtpengine reports the callers' keys: external
    # engines' dtmf-log-dest must name it; 0: any free port (the child is told which).
    voice_dtmf_port: int = Field(default=0, ge=0, le=65535)
    # B2BUA processes (the scale tier, docs/voice.md "Several B2BUA workers"): past one,
    # worker N listens on 127.0.0.1 (or voice_sip_host) at voice_sip_port + N, and Kamailio,
    # a child too, takes the public voice_sip_port in front of them. Not with
    # voice_keep_calls yet.
    voice_b2bua_workers: int = Field(default=1, ge=1, le=32)

    @field_validator("voice_b2bua_workers")
    @classmethod
    def _workers(cls, value: int, info: ValidationInfo) -> int:
        if value > 1 and info.data.get("voice_keep_calls"):
            raise ValueError("several B2BUA workers do not go with voice_keep_calls yet")
        if value > 1 and info.data.get("voice_sip_port", 0) + value > 65535:
            raise ValueError("the workers' ports (voice_sip_port + 1...) run past 65535")
        return value

    @field_validator("voice_rtpengines")
    @classmethod
    def _engines(cls, value: str) -> str:
        try:
            engines_.parse_addresses(value)
        except engines_.EngineAddressError as exc:
            raise ValueError(str(exc)) from None
        return value.strip()

    @field_validator("voice_calls_require")
    @classmethod
    def _requirement(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            compile_requirement(value)
        except ConfigError as exc:
            raise ValueError(f"not a skill requirement: {exc}") from None
        return value.strip()

    @field_validator("voice_trunks", "voice_registrations", mode="before")
    @classmethod
    def _trunks_from_json(cls, value: Any) -> Any:
        # HEARTHLINE_VOICE_TRUNKS (and _REGISTRATIONS) hold them as a JSON list.
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError("must be a JSON list") from None
        return value

    @field_validator("voice_registrations")
    @classmethod
    def _registrations_usable(cls, value: list[RegistrationSettings]) -> list[RegistrationSettings]:
        try:
            for r in value:
                r.registration()
        except trunks_.TrunkError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("voice_trunks")
    @classmethod
    def _trunks_usable(cls, value: list[TrunkSettings]) -> list[TrunkSettings]:
        try:
            trunks_.check_trunks([t.trunk() for t in value])
        except trunks_.TrunkError as exc:
            raise ValueError(str(exc)) from None
        return value

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
