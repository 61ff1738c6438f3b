"""Kamailio as the server's child: the SIP proxy in front of several B2BUA workers
(``voice_b2bua_workers``, docs/voice.md "Several B2BUA workers").

It listens on the public SIP port and hands each new INVITE to the next live worker
(dispatcher, round robin), record-routing so that the dialog's later requests (ACK, BYE,
re-INVITE) reach the worker that holds it, and CANCEL follows its INVITE (tm). Every
request it forwards carries ``X-Hearthline-Source: IP:PORT``, the address it came from,
after any header of that name the sender put there is removed: the workers check trunks
and per-source bounds against it, trusting it only from Kamailio's own address. It probes
the workers with OPTIONS each second; one that does not answer gets no new call until it
does, and an INVITE it does not answer goes to the next.

Debian's package runs its own unit on 5060; this one reads only the file written here.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hearthline.telephony.processes import Child
from hearthline.telephony.rtpengine import VoiceUnavailable

SOURCE_HEADER = "X-Hearthline-Source"
_READY_TIMEOUT_S = 10.0
# How long a worker may take to answer before the next one is tried, and before a probe
# counts as failed (tm's fr_timer, ms).
_NO_ANSWER_MS = 2000


@dataclass(frozen=True, slots=True)
class KamailioConfig:
    host: str
    port: int
    # The workers' SIP addresses, in order.
    workers: tuple[tuple[str, int], ...]
    # The workers' Retry-After on a 503 (``trunks.Bounds``).
    retry_after_s: int = 5

    def dispatcher_list(self) -> str:
        return "".join(f"1 sip:{host}:{port}\n" for host, port in self.workers)

    def render(self, scratch: Path) -> str:
        return f"""#!KAMAILIO
# Written by Hearthline (telephony/kamailio.py) at each start: edits are lost.
debug=0
log_stderror=yes
# Core dumps are off for every child (processes.py); said here, Kamailio does not complain.
disable_core_dump=yes
children=2
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
listen=udp:{self.host}:{self.port}

loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "pv.so"
loadmodule "dispatcher.so"

# A worker that has sent nothing in this long is not there: the next one is tried.
modparam("tm", "fr_timer", {_NO_ANSWER_MS})
modparam("dispatcher", "list_file", "{scratch / "dispatcher.list"}")
# Every worker is asked OPTIONS each second; one unanswered probe takes it out of the
# rotation, one answered puts it back.
modparam("dispatcher", "ds_probing_mode", 1)
modparam("dispatcher", "ds_ping_interval", 1)
modparam("dispatcher", "ds_probing_threshold", 1)
modparam("dispatcher", "ds_inactive_threshold", 1)
modparam("dispatcher", "ds_ping_from", "sip:proxy@hearthline")

request_route {{
    if (!mf_process_maxfwd_header("10")) {{
        sl_send_reply("483", "Too Many Hops");
        exit;
    }}
    # Only we say where a request came from: on every request from outside, a dialog's
    # too (one made up reaches a worker's bounds under its sender's address, not ours).
    remove_hf("{SOURCE_HEADER}");
    if (!ds_is_from_list("1")) {{
        append_hf("{SOURCE_HEADER}: $si:$sp\\r\\n");
    }}
    # Asked about ourselves (our own readiness check): we are here.
    if (is_method("OPTIONS") && uri == myself && $rU == $null) {{
        sl_send_reply("200", "OK");
        exit;
    }}
    # A dialog's later requests follow the route we recorded: to its worker, or from the
    # worker back to the caller.
    if (has_totag()) {{
        if (loose_route()) {{
            t_on_failure("PASS_BUSY");
            t_relay();
            exit;
        }}
        if (is_method("ACK")) {{
            # The ACK of a refusal ends its transaction here; any other one is dropped.
            if (t_check_trans()) {{
                t_relay();
            }}
            exit;
        }}
        sl_send_reply("404", "Not Here");
        exit;
    }}
    # CANCEL goes where its INVITE went.
    if (is_method("CANCEL")) {{
        if (t_check_trans()) {{
            t_relay();
        }}
        exit;
    }}
    # A retransmission of a request in progress is absorbed here.
    t_check_trans();
    record_route();
    if (!ds_select_dst("1", "4")) {{
        append_to_reply("Retry-After: {self.retry_after_s}\\r\\n");
        sl_send_reply("503", "No Worker Available");
        exit;
    }}
    t_on_failure("NEXT_WORKER");
    t_relay();
}}

# A worker's 503 is the sender's bound (trunks.py): passed on as such, with its
# Retry-After (tm would make it a 500).
route[BUSY] {{
    append_to_reply("Retry-After: {self.retry_after_s}\\r\\n");
    $var(reason) = $T_rpl($rr);
    t_reply("503", "$var(reason)");
}}

failure_route[PASS_BUSY] {{
    if (t_check_status("503")) {{
        route(BUSY);
    }}
}}

failure_route[NEXT_WORKER] {{
    if (t_is_canceled()) {{
        exit;
    }}
    if (t_check_status("503")) {{
        route(BUSY);
        exit;
    }}
    # No answer at all: that worker is out until its probe is answered; the next one.
    if (t_branch_timeout() && !t_branch_replied()) {{
        ds_mark_dst("ip");
        if (ds_next_dst()) {{
            t_on_failure("NEXT_WORKER");
            t_relay();
        }}
    }}
}}
"""


def binary() -> str:
    found = shutil.which("kamailio") or (
        "/usr/sbin/kamailio" if Path("/usr/sbin/kamailio").exists() else None
    )
    if found is None:
        raise VoiceUnavailable(
            "several B2BUA workers need kamailio (Debian: apt-get install kamailio)"
        )
    return found


def child(config: KamailioConfig, scratch: Path) -> Child:
    """The supervised Kamailio; ready once it answers OPTIONS on the public port."""
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "dispatcher.list").write_text(config.dispatcher_list())
    conf = scratch / "kamailio.cfg"
    conf.write_text(config.render(scratch))
    argv = [binary(), "-DD", "-E", "-f", str(conf), "-Y", str(scratch),
            "-P", str(scratch / "kamailio.pid"), "-m", "32", "-M", "8"]  # fmt: skip

    async def answers(process: asyncio.subprocess.Process) -> None:
        await wait_ready(config.host, config.port, lambda: process.returncode)

    return Child("kamailio", argv, cwd=scratch, started=answers)


def _options(host: str, port: int, local: int) -> bytes:
    branch = f"z9hG4bK-ready-{local}"
    return (
        f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch={branch}\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:ready@127.0.0.1>;tag={local}\r\n"
        f"To: <sip:{host}:{port}>\r\n"
        f"Call-ID: ready-{local}@127.0.0.1\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


async def wait_ready(host: str, port: int, exited: Callable[[], int | None]) -> None:
    """Returns once Kamailio answers OPTIONS on ``host``:``port``; ``exited()`` its exit
    status once it has exited (None while it runs)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _READY_TIMEOUT_S
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    local = int(sock.getsockname()[1])
    target = ("127.0.0.1" if host in ("0.0.0.0", "") else host, port)
    try:
        while loop.time() < deadline:
            code = exited()
            if code is not None:
                raise VoiceUnavailable(f"kamailio exited with {code} on start")
            sock.sendto(_options(host, port, local), target)
            try:
                reply = await asyncio.wait_for(loop.sock_recv(sock, 4096), 0.2)
            except (TimeoutError, OSError):
                await asyncio.sleep(0.05)
                continue
            if reply.startswith(b"SIP/2.0 200"):
                return
        raise VoiceUnavailable(f"kamailio did not answer within {_READY_TIMEOUT_S} s")
    finally:
        sock.close()
