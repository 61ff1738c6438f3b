"""Running uvicorn in the foreground so that an interrupt always ends in a clean stop, on
a socket bound before anything else starts."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle

from hearthline.api.settings import ServerSettings
from hearthline.kernel.errors import UsageError


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers: a connection
    that trickles them in (or opens and says nothing) is closed after
    ``header_timeout_s``, instead of being held for ever."""

    header_timeout_s = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._between_requests():
            self._arm()
        super().data_received(data)
        if not self._between_requests():
            self._disarm()

    def handle_websocket_upgrade(self, event: Any) -> None:
        self._disarm()  # the stream's own protocol takes the connection over
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        cycle: RequestResponseCycle | None = self.cycle  # None before the first request
        return cycle is None or cycle.response_complete

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self._between_requests() and not self.transport.is_closing():
            self.transport.close()


def limits(settings: ServerSettings) -> dict[str, Any]:
    """uvicorn's settings for the server's limits (``docs/server.md``)."""
    protocol = type(
        "GuardedH11", (GuardedH11Protocol,), {"header_timeout_s": settings.header_timeout_s}
    )
    return {
        "http": protocol,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": settings.keep_alive_s,
    }


def bind_port(host: str, port: int) -> socket.socket:
    """The listening address, bound now, so that a port in use is one clear line (and exit
    code 2) before the server prints or prepares anything, rather than uvicorn's
    ``[Errno 98]`` after it. The server is then handed this very socket: nothing else can
    take the port in between."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # As uvicorn does: a port left in TIME_WAIT by the last run is free to use again.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        where = f"{host}:{port}"
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} is in use on {host} (another program is listening there): "
                f"choose another with --port, e.g. --port {free_port(host)}"
            ) from None
        if exc.errno == errno.EACCES:
            raise UsageError(
                f"may not listen on {where} (ports below 1024 need privileges): "
                "choose another with --port"
            ) from None
        raise UsageError(f"cannot listen on {where}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def free_port(host: str) -> int:
    """A port the system reports free on ``host`` just now (a suggestion, not a promise)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_until_stopped(
    server: uvicorn.Server,
    sock: socket.socket | None = None,
    *,
    stopped_by: Callable[[int], None] | None = None,
) -> None:
    """Serves until Ctrl-C or SIGTERM, and returns (rather than dying) either way.

    uvicorn shuts down gracefully on both signals and then re-raises the one it caught.
    With Python's default SIGTERM handler that would end the process on the spot, and the
    caller's clean-up (stopping the writer, its last snapshot) would never run; answered
    by this handler it becomes an interrupt like Ctrl-C.
    """
    if stopped_by is not None:
        # Told which signal stops the server, before its shutdown runs.
        handle_exit = server.handle_exit

        def told(signum: int, frame: FrameType | None) -> None:
            stopped_by(signum)
            handle_exit(signum, frame)

        server.handle_exit = told  # type: ignore[method-assign,assignment]
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=None if sock is None else [sock])
    finally:
        signal.signal(signal.SIGTERM, previous)
        if sock is not None:
            sock.close()
