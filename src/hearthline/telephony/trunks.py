"""Who may call: the trunks, and the bounds on what one source address may send.

A trunk is a peer allowed to send INVITEs: by its source address (``networks``), by
digest credentials (``username`` and ``password``, checked by the B2BUA after a 401
challenge), or both (credentials from those networks only). Each has a cap on its calls
in progress. A trunk with an ``outbound`` target (``host:port``, and optionally digest
credentials the provider asks for) is also the way out: callbacks are dialled through
it. The B2BUA reads them from a JSON file the server writes (``dump``/``load``),
so the password is never on a command line nor in a log.

``SourceLimits`` is a token bucket per source address for new requests and one for
INVITEs; in-dialog requests of calls in progress never reach it (sippy hands them to
their dialog first), so a flood cannot disturb them. Pure: the caller passes the time.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Where no trunk is configured: calls from this host only, as before trunks existed.
LOOPBACK = ("127.0.0.0/8", "::1/128")
DEFAULT_MAX_CALLS = 200


class TrunkError(ValueError):
    """A trunk that cannot be used, naming it and the reason."""


@dataclass(frozen=True, slots=True)
class Trunk:
    name: str
    networks: tuple[Network, ...] = ()
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    max_calls: int = DEFAULT_MAX_CALLS
    # Where callbacks are dialled: the provider's SIP address, and the credentials it
    # challenges our INVITEs with (none: it admits us by address).
    outbound_host: str | None = None
    outbound_port: int = 5060
    outbound_username: str | None = None
    outbound_password: str | None = field(default=None, repr=False)

    @property
    def outbound(self) -> str | None:
        """The target as the settings give it, ``host:port`` (None: not a way out)."""
        if self.outbound_host is None:
            return None
        host = f"[{self.outbound_host}]" if ":" in self.outbound_host else self.outbound_host
        return f"{host}:{self.outbound_port}"

    @property
    def digest(self) -> bool:
        return self.username is not None

    def admits(self, address: str) -> bool:
        """Whether ``address`` may send this trunk's INVITEs (a digest trunk without
        networks: any address, the credentials decide)."""
        if not self.networks:
            return self.digest
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)


def trunk_from_dict(raw: dict[str, Any]) -> Trunk:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TrunkError("a trunk needs a name")
    networks: list[Network] = []
    for text in raw.get("networks") or ():
        try:
            networks.append(ipaddress.ip_network(str(text), strict=False))
        except ValueError:
            raise TrunkError(f"trunk {name}: {text!r} is not an address or network") from None
    username = raw.get("username")
    password = raw.get("password")
    if (username is None) != (password is None):
        raise TrunkError(f"trunk {name}: a username needs a password and the other way round")
    if username is not None and (not str(username) or not str(password)):
        raise TrunkError(f"trunk {name}: the username and password may not be empty")
    if username is None and not networks:
        raise TrunkError(f"trunk {name}: give networks, a username and password, or both")
    max_calls = raw.get("max_calls", DEFAULT_MAX_CALLS)
    if not isinstance(max_calls, int) or isinstance(max_calls, bool) or max_calls < 1:
        raise TrunkError(f"trunk {name}: max_calls must be a whole number of at least 1")
    host, port, out_user, out_password = _outbound(name, raw)
    return Trunk(
        name=name,
        networks=tuple(networks),
        username=None if username is None else str(username),
        password=None if password is None else str(password),
        max_calls=max_calls,
        outbound_host=host,
        outbound_port=port,
        outbound_username=out_user,
        outbound_password=out_password,
    )


def _outbound(name: str, raw: dict[str, Any]) -> tuple[str | None, int, str | None, str | None]:
    where = raw.get("outbound")
    user, password = raw.get("outbound_username"), raw.get("outbound_password")
    if where is None:
        if user is not None or password is not None:
            raise TrunkError(f"trunk {name}: outbound credentials need an outbound target")
        return None, 5060, None, None
    if not isinstance(where, str) or not where.strip():
        raise TrunkError(f"trunk {name}: outbound must be host or host:port")
    host, port = _host_port(where.strip())
    if not host or not 1 <= port <= 65535 or any(c in host for c in ' ;@<>/"\\'):
        raise TrunkError(f"trunk {name}: outbound {where!r} is not host or host:port")
    if (user is None) != (password is None):
        raise TrunkError(
            f"trunk {name}: an outbound username needs a password and the other way round"
        )
    if user is not None and (not isinstance(user, str) or not isinstance(password, str)
                             or not user or not password):  # fmt: skip
        raise TrunkError(f"trunk {name}: the outbound username and password may not be empty")
    return host, port, user, password


def way_out(trunks: Sequence[Trunk]) -> Trunk | None:
    """The trunk callbacks are dialled through: the first with an outbound target."""
    return next((t for t in trunks if t.outbound_host is not None), None)


def check_trunks(trunks: list[Trunk]) -> None:
    """Names and usernames are unique: a username names one trunk's password."""
    names = [t.name for t in trunks]
    users = [t.username for t in trunks if t.username is not None]
    for seen in (names, users):
        twice = sorted({x for x in seen if seen.count(x) > 1})
        if twice:
            raise TrunkError(f"trunk {twice[0]!r} is given twice")


def loopback_trunk() -> Trunk:
    return trunk_from_dict({"name": "loopback", "networks": list(LOOPBACK)})


@dataclass(frozen=True, slots=True)
class Registration:
    """Hearthline registering to a provider's registrar (``host:port``) as ``username``
    at ``domain`` (the registrar's host when not given), refreshed before ``expires``."""

    registrar_host: str
    registrar_port: int
    username: str
    password: str = field(repr=False)
    domain: str = ""
    expires: int = 300

    @property
    def registrar(self) -> str:
        return f"{self.registrar_host}:{self.registrar_port}"


def registration_from_dict(raw: dict[str, Any]) -> Registration:
    where = raw.get("registrar")
    if not isinstance(where, str) or not where.strip():
        raise TrunkError("a registration needs a registrar (host or host:port)")
    host, port = _host_port(where.strip())
    if not host or not 1 <= port <= 65535:
        raise TrunkError(f"registration {where}: the registrar is host or host:port")
    username, password = raw.get("username"), raw.get("password")
    if not isinstance(username, str) or not username or not isinstance(password, str):
        raise TrunkError(f"registration {where}: needs a username and a password")
    expires = raw.get("expires", 300)
    if not isinstance(expires, int) or isinstance(expires, bool) or not 30 <= expires <= 86400:
        raise TrunkError(f"registration {where}: expires must be 30 to 86400 seconds")
    return Registration(
        registrar_host=host,
        registrar_port=port,
        username=username,
        password=password,
        domain=str(raw.get("domain") or host),
        expires=expires,
    )


def _host_port(text: str) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]`` or ``[v6]:port``; port 0 when it is not one."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ("5060" if not rest else "x")
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, "5060"
    try:
        port = int(port_text)
    except ValueError:
        port = 0
    return host, port


def refresh_after(granted_s: int) -> float:
    """When to register again: before the registrar's grant runs out, with room for a
    retransmission or two (sippy's own agent waits the whole grant)."""
    return max(granted_s * 0.8, granted_s - 30.0, 5.0) if granted_s > 10 else granted_s / 2


@dataclass(frozen=True, slots=True)
class Bounds:
    """Per source address: new requests a second (any method) and INVITEs a second, each
    with a burst of twice that; ``retry_after_s`` goes in the 503's Retry-After."""

    requests_per_s: float = 50.0
    invites_per_s: float = 10.0
    retry_after_s: int = 5


def dump(
    path: Path, trunks: list[Trunk], bounds: Bounds, registrations: Sequence[Registration] = ()
) -> None:
    """Writes the B2BUA's file, readable by its owner only (it holds passwords)."""
    data = {
        "trunks": [
            {
                "name": t.name,
                "networks": [str(n) for n in t.networks],
                "username": t.username,
                "password": t.password,
                "max_calls": t.max_calls,
                "outbound": t.outbound,
                "outbound_username": t.outbound_username,
                "outbound_password": t.outbound_password,
            }
            for t in trunks
        ],
        "bounds": {
            "requests_per_s": bounds.requests_per_s,
            "invites_per_s": bounds.invites_per_s,
            "retry_after_s": bounds.retry_after_s,
        },
        "registrations": [
            {
                "registrar": r.registrar,
                "username": r.username,
                "password": r.password,
                "domain": r.domain,
                "expires": r.expires,
            }
            for r in registrations
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(data), encoding="utf-8")


def load(path: Path) -> tuple[list[Trunk], Bounds, list[Registration]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    trunks = [trunk_from_dict(raw) for raw in data.get("trunks", [])]
    check_trunks(trunks)
    raw = data.get("bounds", {})
    default = Bounds()
    bounds = Bounds(
        requests_per_s=float(raw.get("requests_per_s", default.requests_per_s)),
        invites_per_s=float(raw.get("invites_per_s", default.invites_per_s)),
        retry_after_s=int(raw.get("retry_after_s", default.retry_after_s)),
    )
    registrations = [registration_from_dict(r) for r in data.get("registrations", [])]
    return trunks, bounds, registrations


def by_source(trunks: list[Trunk], address: str) -> Trunk | None:
    """The trunk that admits ``address`` without credentials, if any."""
    for trunk in trunks:
        if not trunk.digest and trunk.admits(address):
            return trunk
    return None


def by_username(trunks: list[Trunk], username: str, address: str) -> Trunk | None:
    for trunk in trunks:
        if trunk.username == username and trunk.admits(address):
            return trunk
    return None


def may_challenge(trunks: list[Trunk], address: str) -> bool:
    """Whether some digest trunk takes calls from ``address``: else a 403 at once."""
    return any(t.digest and t.admits(address) for t in trunks)


class _Bucket:
    __slots__ = ("at", "tokens")

    def __init__(self, tokens: float, at: float) -> None:
        self.tokens = tokens
        self.at = at


class TokenBuckets:
    """One bucket per key; at most ``keep`` keys, the full (idle) ones dropped first, so
    a flood of made-up source addresses cannot grow it without bound."""

    def __init__(self, rate: float, *, keep: int = 10_000) -> None:
        self.rate = rate
        self.burst = max(1.0, 2 * rate)
        self.keep = keep
        self._buckets: dict[str, _Bucket] = {}

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str, now: float) -> bool:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.keep:
                self._prune(now)
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True

    def _prune(self, now: float) -> None:
        full = [
            key
            for key, b in self._buckets.items()
            if b.tokens + (now - b.at) * self.rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self.keep:
            # All busy: forget them all rather than grow; each starts again with a burst.
            self._buckets.clear()


class SourceLimits:
    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds
        self.requests = TokenBuckets(bounds.requests_per_s)
        self.invites = TokenBuckets(bounds.invites_per_s)

    def allow(self, address: str, method: str, now: float) -> bool:
        if not self.requests.take(address, now):
            return False
        return method != "INVITE" or self.invites.take(address, now)
