"""An asyncio client of rtpengine's ng control protocol: ``<cookie> <JSON>`` datagrams.

rtpengine 10.5 takes JSON as well as bencode on its ng port and answers in the form it was
asked in, so no bencode library is needed. Each request carries a fresh cookie; the answer
with that cookie completes it. rtpengine repeats an answer for a repeated cookie, so a
lost datagram is simply sent again.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from typing import Any, Protocol

Message = dict[str, Any]


class NgError(RuntimeError):
    """rtpengine refused a command, or did not answer it."""


class NgTimeout(NgError):
    """rtpengine did not answer at all (not a refusal: it may be gone or unreachable)."""


class Ng(Protocol):
    """What drives rtpengine: one engine (``NgClient``) or several (``engines.EnginePool``,
    which sends each call's commands to the engine holding it)."""

    async def request(self, command: str, **fields: Any) -> Message: ...

    def close(self) -> None: ...


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[Message]] = {}

    def datagram_received(self, data: bytes, addr: Any) -> None:
        cookie, _, body = data.partition(b" ")
        future = self.waiting.pop(cookie.decode("ascii", "replace"), None)
        if future is None or future.done():
            return  # an answer to a request we gave up on
        try:
            answer = json.loads(body)
        except ValueError:
            future.set_exception(NgError(f"rtpengine answered with no JSON: {body[:80]!r}"))
            return
        future.set_result(answer if isinstance(answer, dict) else {"result": "error"})


class NgClient:
    """Talks to one rtpengine; ``await client.request("ping")``."""

    def __init__(self, host: str, port: int, *, timeout_s: float = 1.0, tries: int = 3) -> None:
        self.address = (host, port)
        self.timeout_s = timeout_s
        self.tries = tries
        self._prefix = os.urandom(4).hex()
        self._count = itertools.count(1)
        self._transport: asyncio.DatagramTransport | None = None
        self._protocol = _Protocol()

    async def _open(self) -> asyncio.DatagramTransport:
        if self._transport is None:
            loop = asyncio.get_running_loop()
            self._transport, _ = await loop.create_datagram_endpoint(
                lambda: self._protocol, remote_addr=self.address
            )
        return self._transport

    async def request(self, command: str, **fields: Any) -> Message:
        """The answer to ``command``; raises NgError if refused or unanswered."""
        transport = await self._open()
        cookie = f"{self._prefix}{next(self._count)}"
        payload = {"command": command, **{k.replace("_", "-"): v for k, v in fields.items()}}
        datagram = f"{cookie} {json.dumps(payload)}".encode()
        for _ in range(self.tries):
            future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
            self._protocol.waiting[cookie] = future
            transport.sendto(datagram)
            try:
                answer = await asyncio.wait_for(future, self.timeout_s)
            except TimeoutError:
                continue
            finally:
                self._protocol.waiting.pop(cookie, None)
            if answer.get("result") == "error":
                reason = answer.get("error-reason", "no reason given")
                raise NgError(f"rtpengine refused {command}: {reason}")
            return answer
        raise NgTimeout(
            f"rtpengine at {self.address[0]}:{self.address[1]} did not answer {command}"
        )

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
