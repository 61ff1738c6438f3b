"""The B2BUA: answers the trunk's calls on sippy, in a process of its own.

``python -m hearthline.telephony.b2bua --port 5070`` listens for SIP on 127.0.0.1 (or
``--host``) and talks to the server over its stdin and stdout, one JSON object a line:

    to the server    {"event": "invite", "call": ID, "from": ..., "to": ..., "sdp": ...}
                     {"event": "hangup", "call": ID}        the caller hung up (BYE, CANCEL)
    from the server  {"do": "answer", "call": ID, "sdp": ...}   200 OK with rtpengine's SDP
                     {"do": "reject", "call": ID, "code": 404, "reason": "Not Found"}
                     {"do": "hangup", "call": ID}           BYE to the caller (CANCEL while
                                                            a dialled call still rings)
                     {"do": "dial", "call": ID, "trunk": NAME, "to": ..., "from": ...,
                      "sdp": ...}                           a callback: INVITE via the trunk
    to the server    {"event": "ringing", "call": ID}       a dialled call: 180/183
    (a dial-out)     {"event": "answered", "call": ID, "sdp": ...}      200 OK (ACKed)
                     {"event": "failed", "call": ID, "code": 486, "reason": ...} (code 0:
                                                            no reply from the trunk)
                     {"event": "hangup", "call": ID}        the customer hung up
    from the server  {"do": "keep", "call": ID, "note": {...}}  kept with the dialog, for
                                                            a server that takes over
                     {"do": "list"}                         the dialogs in progress:
    to the server    {"event": "dialogs", "dialogs": [{"call": ID, "answered": bool,
                      "from": ..., "to": ..., "sdp": ..., "note": {...} or null}, ...]}

With ``--socket PATH`` it talks over a Unix socket it listens on instead, and outlives
the server (docs/voice.md, "Restarts"): one server at a time is connected (a new one
replaces the last); each connection starts with "ready", then the lines sent while no
server was connected (the last ``_BUFFERED`` of them), then the live ones.

It decides nothing about calls: the server's control plane maps the number, drives
rtpengine and the routing core. It does guard the door (``trunks.py``): each new request
is counted against its source address (503 with Retry-After past the bound), an INVITE
must come from a trunk's network or carry a trunk's digest credentials (401 challenge,
403 when wrong or from an unknown source), and a trunk at its call cap gets 503. The
trunks come from ``--trunks FILE`` (the server writes it); without it, loopback only.
Behind Kamailio (several workers, ``telephony/kamailio.py``) every request comes from
the proxy: with ``--proxy HOST:PORT`` the source a request is judged by is the one the
proxy names in ``X-Hearthline-Source``, believed only in a packet from that very address
and port; ``--nonce-key FILE`` gives all workers one digest nonce key, so the INVITE that
answers a 401 may reach any of them. Registrations are made by the first worker alone
(``--no-register`` on the others), with Kamailio's port as the Contact
(``--contact-port``), so the registrar's calls come through Kamailio too.
sippy runs its own reactor, not asyncio; the line reader is a thread that hands each
line to the reactor (``ED2.callFromThread``).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import ipaddress
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hearthline.telephony import trunks as trunks_
from hearthline.telephony.trunks import Bounds, Registration, SourceLimits, Trunk

_CALL_ID_MAX = 256
_REALM = "hearthline"
# The header Kamailio names each request's source in (``kamailio.py``), as sippy keys it.
_SOURCE_HF = "x-hearthline-source"
# A trunk that sends nothing at all (not even 100 Trying) this long is not there.
NO_REPLY_S = 8
# Lines for the server kept while none is connected (a restart's few seconds), and the
# size of the note a server may keep with a dialog.
_BUFFERED = 1000
_NOTE_MAX = 16 * 1024


class Calls:
    """The dialogs in progress, by Call-ID; runs on sippy's reactor thread only."""

    def __init__(
        self,
        config: dict[str, Any],
        send: Any,
        trunks: list[Trunk] | None = None,
        bounds: Bounds | None = None,
        proxy: tuple[str, int] | None = None,
    ) -> None:
        self.config = config
        # The SIP proxy in front of this worker, whose source header is believed.
        self.proxy = proxy
        self.send = send
        self.uas: dict[str, Any] = {}
        self.trunks = [trunks_.loopback_trunk()] if trunks is None else trunks
        self.bounds = bounds or Bounds()
        self.limits = SourceLimits(self.bounds)
        # Each call's trunk, for its cap: taken when the INVITE is admitted, given back
        # when the call ends however it ends.
        self.trunk_of: dict[str, str] = {}
        self.in_progress: dict[str, int] = {}
        # Dialled calls (callbacks): whether each was answered, and whether the server
        # asked to end it (else a disconnect before the answer is sippy's no-reply timer).
        self.dialled: dict[str, bool] = {}
        self.ending: set[str] = set()
        # What a server taking over needs of each dialog: the caller's INVITE, whether the
        # server answered it, and the note the server keeps with it ("keep").
        self.dialogs: dict[str, dict[str, Any]] = {}

    def request(self, req: Any, sip_t: Any) -> Any:
        # Only new requests come here: sippy hands a dialog's own requests (ACK, BYE,
        # re-INVITE) to its UA, so the bounds below never touch calls in progress.
        from sippy.UA import UA

        method = req.getMethod()
        host = self.source(req)
        if not self.limits.allow(host, method, time.monotonic()):
            return (self._busy(req, "Too Many Requests From This Address"), None, None)
        if req.getHFBody("to").getTag() is not None:
            return (req.genResponse(481, "Call Leg/Transaction Does Not Exist"), None, None)
        if method == "INVITE":
            admitted = self._admit(req, host)
            if not isinstance(admitted, Trunk):
                return (admitted, None, None)
            call = str(req.getHFBody("call-id"))
            if self.in_progress.get(admitted.name, 0) >= admitted.max_calls:
                return (self._busy(req, "Trunk At Its Call Limit"), None, None)
            if call not in self.trunk_of:  # a second INVITE of one Call-ID holds one place
                self.trunk_of[call] = admitted.name
                self.in_progress[admitted.name] = self.in_progress.get(admitted.name, 0) + 1
            contact = req.getHFBody("contact").getUrl()
            if contact.transport is not None:
                # sipp writes ;transport=UDP; sippy knows only the lower-case names.
                contact.transport = contact.transport.lower()
            # However the dialog ends (also by a timer, unseen here), its place is given back.
            ua = UA(self.config, self.event, dead_cbs=(self._dead,))
            return ua.recvRequest(req, sip_t)
        if method in ("OPTIONS", "NOTIFY"):
            return (req.genResponse(200, "OK"), None, None)
        return (req.genResponse(501, "Not Implemented"), None, None)

    def source(self, req: Any) -> str:
        """The address a request came from: the packet's, or behind the proxy (Kamailio,
        ``--proxy``) the one it names in its header. That header is believed only from
        the proxy's own address and port (the proxy drops any a sender put there)."""
        address = req.getSource()
        host = str(address[0])
        if self.proxy is None or (host, int(address[1])) != self.proxy:
            return host
        if req.countHFs(_SOURCE_HF) != 1:
            return host  # the proxy's own requests (its probes)
        named, _, _port = str(req.getHFBody(_SOURCE_HF)).strip().rpartition(":")
        try:
            return str(ipaddress.ip_address(named.strip("[]")))
        except ValueError:
            return host

    def _busy(self, req: Any, reason: str) -> Any:
        from sippy.SipGenericHF import SipGenericHF
        from sippy.SipHeader import SipHeader

        class RetryAfter(SipGenericHF):  # type: ignore[misc]
            hf_names = ("retry-after",)

            def getCanName(self, name: str, compact: bool = False) -> str:  # noqa: N802
                return "Retry-After"  # sippy would write "Retry-after"

        response = req.genResponse(503, reason)
        response.appendHeader(SipHeader(body=RetryAfter(str(self.bounds.retry_after_s))))
        return response

    def _admit(self, req: Any, host: str) -> Any:
        """The INVITE's trunk, or the response that refuses it."""
        from sippy.SipAuthorization import NameList2AlgMask, SipAuthorization
        from sippy.SipHeader import SipHeader
        from sippy.SipWWWAuthenticate import SipWWWAuthenticate

        trunk = trunks_.by_source(self.trunks, host)
        if trunk is not None:
            return trunk
        if not trunks_.may_challenge(self.trunks, host):
            return req.genResponse(403, "Forbidden")

        def challenge() -> Any:
            response = req.genResponse(401, "Unauthorized")
            body = SipWWWAuthenticate(realm=_REALM, algorithm="MD5")
            response.appendHeader(SipHeader(name="www-authenticate", body=body))
            return response

        if req.countHFs("authorization") == 0:
            return challenge()
        try:
            auth = req.getHFBody("authorization")
            username = auth.username
        except Exception:
            return req.genResponse(400, "Malformed Authorization")
        trunk = trunks_.by_username(self.trunks, str(username or ""), host)
        if trunk is None or trunk.password is None:
            return req.genResponse(403, "Forbidden")
        if auth.algorithm not in (None, "MD5") or not isinstance(auth.nonce, str):
            return challenge()
        if not SipAuthorization.ho.validate_challenge(auth.nonce, NameList2AlgMask(("MD5",))):
            return challenge()  # stale or not ours: a fresh nonce, once more
        try:
            good = auth.verify(trunk.password, "INVITE")
        except Exception:
            good = False
        return trunk if good else req.genResponse(403, "Forbidden")

    def forget(self, call: str) -> None:
        self.uas.pop(call, None)
        self.dialogs.pop(call, None)
        trunk = self.trunk_of.pop(call, None)
        if trunk is not None:
            left = self.in_progress.get(trunk, 0) - 1
            if left > 0:
                self.in_progress[trunk] = left
            else:
                self.in_progress.pop(trunk, None)

    def _dead(self, ua: Any) -> None:
        call = str(ua.cId)
        if call in self.uas:
            self.send({"event": "hangup", "call": call})
        self.forget(call)

    def event(self, event: Any, ua: Any) -> None:
        from sippy.CCEvents import CCEventDisconnect, CCEventFail, CCEventTry

        call = str(ua.cId)
        if isinstance(event, CCEventTry):
            _, cli, cld, body, _, _ = event.getData()
            if len(call) > _CALL_ID_MAX or body is None:
                self.forget(call)
                ua.recvEvent(CCEventFail((488, "Not Acceptable Here")))
                return
            self.uas[call] = ua
            self.dialogs[call] = {
                "call": call, "answered": False, "from": cli or "", "to": cld or "",
                "sdp": str(body), "note": None,
            }  # fmt: skip
            self.send(
                {
                    "event": "invite",
                    "call": call,
                    "from": cli or "",
                    "to": cld or "",
                    "sdp": str(body),
                }
            )
        elif isinstance(event, (CCEventDisconnect, CCEventFail)):
            known = call in self.uas
            self.forget(call)
            if known:
                self.send({"event": "hangup", "call": call})

    def command(self, line: str) -> None:
        from sippy.CCEvents import CCEventConnect, CCEventDisconnect, CCEventFail
        from sippy.MsgBody import MsgBody

        try:
            message = json.loads(line)
            if message.get("do") == "list":
                self.send({"event": "dialogs", "dialogs": list(self.dialogs.values())})
                return
            call = str(message["call"])
            action = message["do"]
        except (ValueError, KeyError, TypeError, AttributeError):
            return
        if action == "keep":
            dialog = self.dialogs.get(call)
            note = message.get("note")
            if dialog is not None and isinstance(note, dict) and len(line) <= _NOTE_MAX:
                dialog["note"] = note
            return
        if action == "dial":
            self.dial(call, message)
            return
        ua = self.uas.get(call)
        if ua is None:
            return
        if action == "answer":
            if call in self.dialogs:
                self.dialogs[call]["answered"] = True
            body = MsgBody(str(message["sdp"]))
            ua.recvEvent(CCEventConnect((200, "OK", body)))
        elif action == "reject":
            self.forget(call)
            code = int(message.get("code", 480))
            ua.recvEvent(CCEventFail((code, str(message.get("reason", "Unavailable")))))
        elif action == "hangup":
            self.forget(call)
            if call in self.dialled:
                self.ending.add(call)
            ua.recvEvent(CCEventDisconnect())

    def dial(self, call: str, message: dict[str, Any]) -> None:
        """INVITEs the customer through the trunk's outbound target, presenting ``from``."""
        from sippy.CCEvents import CCEventTry
        from sippy.MsgBody import MsgBody
        from sippy.SipCallId import SipCallId
        from sippy.UA import UA

        trunk = next(
            (t for t in self.trunks if t.name == message.get("trunk") and t.outbound_host),
            None,
        )
        to, caller_id = str(message.get("to", "")), str(message.get("from", ""))
        if trunk is None or call in self.uas or len(call) > _CALL_ID_MAX or not to:
            self.send({"event": "failed", "call": call, "code": 0, "reason": "cannot dial"})
            return
        if self.in_progress.get(trunk.name, 0) >= trunk.max_calls:
            # Its calls both ways share the cap; none goes out past it.
            self.send({"event": "failed", "call": call, "code": 503,
                       "reason": "Trunk At Its Call Limit"})  # fmt: skip
            return
        self.trunk_of[call] = trunk.name
        self.in_progress[trunk.name] = self.in_progress.get(trunk.name, 0) + 1
        ua = UA(
            self.config,
            self.outbound_event,
            username=trunk.outbound_username,
            password=trunk.outbound_password,
            nh_address=(trunk.outbound_host, trunk.outbound_port),
            dead_cbs=(self._dead_out,),
        )
        ua.no_reply_time = NO_REPLY_S
        self.uas[call] = ua
        self.dialled[call] = False
        body = MsgBody(str(message.get("sdp", "")))
        ua.recvEvent(CCEventTry((SipCallId(call), caller_id, to, body, None, None)))

    def outbound_event(self, event: Any, ua: Any) -> None:
        from sippy.CCEvents import (
            CCEventConnect,
            CCEventDisconnect,
            CCEventFail,
            CCEventPreConnect,
            CCEventRing,
        )

        call = str(ua.cId)
        if call not in self.dialled:
            return
        if isinstance(event, (CCEventRing, CCEventPreConnect)):
            self.send({"event": "ringing", "call": call})
        elif isinstance(event, CCEventConnect):
            self.dialled[call] = True
            # ;transport=UDP in the answer's Contact (or Record-Route): sippy knows only
            # lower-case names, and could not send the BYE.
            for url in (ua.rTarget, *(r.getUrl() for r in ua.routes)):
                if url.transport is not None:
                    url.transport = url.transport.lower()
            address, transport = ua.rAddr
            ua.rAddr = (address, str(transport).lower())
            _, _, body = event.getData()
            self.dialogs[call] = {
                "call": call, "answered": True, "from": "", "to": "", "sdp": str(body or ""),
                "note": None,
            }  # fmt: skip
            self.send({"event": "answered", "call": call, "sdp": str(body or "")})
        elif isinstance(event, CCEventFail):
            code, reason = event.getData()[:2]
            self._over(call)
            self.send({"event": "failed", "call": call, "code": int(code), "reason": str(reason)})
        elif isinstance(event, CCEventDisconnect):
            answered, asked = self.dialled.get(call, False), call in self.ending
            self._over(call)
            if asked:
                return
            if answered:
                self.send({"event": "hangup", "call": call})
            else:  # sippy's no-reply timer: it has sent CANCEL
                reason = "No Reply From The Trunk"
                self.send({"event": "failed", "call": call, "code": 0, "reason": reason})

    def _over(self, call: str) -> None:
        self.dialled.pop(call, None)
        self.ending.discard(call)
        self.forget(call)

    def _dead_out(self, ua: Any) -> None:
        call = str(ua.cId)
        if call in self.dialled:
            answered, asked = self.dialled[call], call in self.ending
            self._over(call)
            if asked:
                return
            if answered:
                self.send({"event": "hangup", "call": call})
            else:
                self.send({"event": "failed", "call": call, "code": 0, "reason": "Gone"})


def register(
    config: dict[str, Any],
    registration: Registration,
    contact_host: str,
    send: Any,
    contact_port: int | None = None,
) -> Any:
    """Keeps Hearthline registered at a provider's registrar: sippy's REGISTER client
    (it answers a 401 or 407 with digest credentials), refreshed before the grant runs
    out rather than when it does; tells the server each outcome (never the password)."""
    from sippy.SipRegistrationAgent import SipRegistrationAgent
    from sippy.SipURL import SipURL
    from sippy.Time.Timeout import Timeout

    where = registration.registrar

    class Agent(SipRegistrationAgent):  # type: ignore[misc]
        def gotreply(self, resp: Any) -> None:
            if self.dead or resp.scode < 200:
                return
            if 200 <= resp.scode < 300:
                granted = self.exp
                if resp.countHFs("contact") > 0:
                    params = resp.getHFBody("contact").address.params
                    granted = int(params.get("expires", granted))
                elif resp.countHFs("expires") > 0:
                    granted = resp.getHFBody("expires").getNum()
                Timeout(self.doregister, trunks_.refresh_after(int(granted)))
                self.atries = 0
                send({"event": "registered", "registrar": where, "expires": int(granted)})
                return
            super().gotreply(resp)  # a challenge is answered, a failure tried again in 60 s

    def failed(status: str, _arg: object) -> None:
        send({"event": "registration-failed", "registrar": where, "status": status})

    aor = SipURL(
        username=registration.username,
        host=registration.domain,
        port=registration.registrar_port,
    )
    port = config["_sip_port"] if contact_port is None else contact_port
    contact = SipURL(username=registration.username, host=contact_host, port=port)
    agent = Agent(
        config,
        aor,
        contact,
        user=registration.username,
        passw=registration.password,
        exp=registration.expires,
        rfail_cb=failed,
        target=((registration.registrar_host, registration.registrar_port), "udp"),
    )
    agent.doregister()
    return agent


class ServerLink:
    """The channel to the server over a Unix socket (``--socket``): one server at a time,
    lines buffered (bounded) while none is connected; sends from any thread."""

    def __init__(self, path: Path, port: int, on_line: Callable[[str], None]) -> None:
        self.port = port
        self.on_line = on_line
        self._lock = threading.Lock()
        self._conn: socket.socket | None = None
        self._waiting: collections.deque[bytes] = collections.deque(maxlen=_BUFFERED)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # left by a B2BUA that was killed
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the owner's only: whoever connects drives the calls
        try:
            self._listener.bind(str(path))
        finally:
            os.umask(old)
        self._listener.listen(4)

    def send(self, message: dict[str, object]) -> None:
        line = (json.dumps(message) + "\n").encode()
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.sendall(line)
                    return
                except OSError:
                    self._drop()
            self._waiting.append(line)

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
            self._conn = None

    def accept_forever(self) -> None:
        while True:
            conn, _ = self._listener.accept()
            with self._lock:
                self._drop()  # a new server replaces the last
                try:
                    ready = json.dumps({"event": "ready", "port": self.port}) + "\n"
                    conn.sendall(ready.encode() + b"".join(self._waiting))
                except OSError:
                    conn.close()
                    continue
                self._waiting.clear()
                self._conn = conn
            threading.Thread(
                target=self._read, args=(conn,), name="b2bua-server", daemon=True
            ).start()

    def _read(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn.makefile("r", encoding="utf-8") as lines:
            for line in lines:
                self.on_line(line)
        with self._lock:
            if self._conn is conn:
                self._drop()


def _share_nonces(key: bytes) -> None:
    """Digest nonces made with ``key``: behind the proxy the INVITE that answers a 401
    may reach another worker than the one that sent it, which must accept its nonce."""
    from sippy.Security.SipNonce import AESCipher
    from sippy.SipAuthorization import SipAuthorization
    from sippy.SipWWWAuthenticate import SipWWWAuthenticate

    # sippy's two oracles (one makes the nonces, one checks them) hold a key each, the
    # same one in one process, made at import.
    SipAuthorization.ho.ac = SipWWWAuthenticate.ho.ac = AESCipher(key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hearthline-b2bua")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5070)
    parser.add_argument("--trunks", type=Path, default=None, help="the server's trunks file")
    parser.add_argument(
        "--socket", type=Path, default=None, help="talk to the server over this Unix socket"
    )
    parser.add_argument(
        "--proxy", default=None, help="HOST:PORT of the SIP proxy whose source header is believed"
    )
    parser.add_argument(
        "--nonce-key", type=Path, default=None, help="a file with the digest nonces' key"
    )
    # Behind Kamailio one worker registers for all, naming Kamailio's port as the Contact.
    parser.add_argument("--no-register", action="store_true", help="another worker registers")
    parser.add_argument("--contact-port", type=int, default=None, help="the registered port")
    args = parser.parse_args(argv)
    proxy: tuple[str, int] | None = None
    if args.proxy is not None:
        proxy_host, _, proxy_port = args.proxy.rpartition(":")
        proxy = (proxy_host, int(proxy_port))
    trunks: list[Trunk] | None = None
    bounds: Bounds | None = None
    registrations: list[Registration] = []
    if args.trunks is not None:
        trunks, bounds, registrations = trunks_.load(args.trunks)
    os.environ.setdefault("SIPLOG_BEND", "none")

    from sippy.Core.EventDispatcher import ED2
    from sippy.SipConf import SipConf
    from sippy.SipLogger import SipLogger
    from sippy.SipTransactionManager import SipTransactionManager

    SipConf.my_uaname = "Hearthline"
    SipConf.allow_formats = (0, 8, 101)
    lock = threading.Lock()
    out = sys.stdout
    link: ServerLink | None = None

    def send(message: dict[str, object]) -> None:
        if link is not None:
            link.send(message)
            return
        with lock:
            out.write(json.dumps(message) + "\n")
            out.flush()

    config: dict[str, Any] = {
        "_sip_address": args.host,
        "_sip_port": args.port,
        "_sip_logger": SipLogger("b2bua"),
    }
    if args.nonce_key is not None:
        _share_nonces(args.nonce_key.read_bytes())
    calls = Calls(config, send, trunks, bounds, proxy)
    config["_sip_tm"] = SipTransactionManager(config, calls.request)

    def on_line(line: str) -> None:
        ED2.callFromThread(calls.command, line)

    if args.socket is not None:
        # The server may come and go (a restart): we stay, with the calls, until SIGTERM.
        link = ServerLink(args.socket, args.port, on_line)
        threading.Thread(target=link.accept_forever, name="b2bua-link", daemon=True).start()
    else:

        def read_lines() -> None:
            for line in sys.stdin:
                on_line(line)
            ED2.callFromThread(ED2.breakLoop, 0)  # the server is gone: so are we

        threading.Thread(target=read_lines, name="b2bua-control", daemon=True).start()
        send({"event": "ready", "port": args.port})
    if args.no_register:
        registrations = []
    agents = [register(config, r, args.host, send, args.contact_port) for r in registrations]
    ED2.loop()
    del agents
    return 0


if __name__ == "__main__":
    sys.exit(main())
