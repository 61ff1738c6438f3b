"""Real callers walking real menus: sipp dials, presses keys by replaying Debian's RFC 2833
pcaps (sip-tester's dtmf_2833_*.pcap) into rtpengine, which reports each key; the server's
control plane walks the flow and plays the prompts through rtpengine. Checked in the log:
the branch taken, zero-out, invalid input, a timeout, closed hours; and on the wire: the
BYE the center sends when the menu says goodbye, and the prompt's audio reaching sipp."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import time
import wave
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy import insert, select

from hearthline.api.security import password_hasher
from hearthline.kernel.ids import CampaignId, ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing.config import Overflow, OverflowKind, QueueConfig
from hearthline.routing.errors import RoutingError
from hearthline.service.actions import menus as actions
from hearthline.service.configuration import update_queue
from hearthline.store import config_repo, tables
from hearthline.telephony.recording_file import decode
from hearthline.voice.menus import check_flow, flow_from_dict
from tests.ports import sipp_media_port, voice_settings
from tests.serving import free_port
from tests.voice.rtp import RtpEndpoint, peak_hz
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import PASSWORD, WebServer, start_server

pytestmark = [pytest.mark.voice, pytest.mark.slow]

skip_without_voice_tools()
PCAPS = Path("/usr/share/sip-tester")
if not (PCAPS / "dtmf_2833_1.pcap").exists():
    pytest.skip(
        "real menus need sip-tester's pcaps: `make voice` installs them", allow_module_level=True
    )

TONE_HZ = 700.0
OUTAGE_HZ = 1100.0
OPEN_NUMBER = "+15550400"
CLOSED_NUMBER = "+15550401"
SILENT_NUMBER = "+15550402"
PLAIN_NUMBER = "+15550403"  # no menu: straight to the returns queue
VOICEMAIL_NUMBER = "+15550404"  # "3" leaves a message
ACCOUNT_NUMBER = "+15550405"  # the caller keys their account number
ACCOUNT = "3141"
ORDER_NUMBER = "+15550406"  # the caller keys one of their order numbers
# No key twice in a row: with "55012" the node still waited for a digit when sipp hung up
# (both 5s are one pcap replayed, the same SSRC and RTP timestamps: seemingly one event).
ORDER = "52014"
SPOKEN_HZ = 450.0  # what the caller says on their voicemail
FULL_NUMBER = "+15550407"  # its queue takes nobody: every caller overflows to voicemail
CALLBACK_NUMBER = "+15550408"  # its queue takes nobody and overflows to a callback


@dataclass(frozen=True)
class Admin:
    user_id: int = 1
    username: str = "admin"


def _tone(seconds: float, hz: float = TONE_HZ) -> bytes:
    n = np.arange(int(8000 * seconds))
    samples = (8000 * np.sin(2 * np.pi * hz * n / 8000)).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setparams((1, 2, 8000, 0, "NONE", "not compressed"))
        w.writeframes(samples.tobytes())
    return out.getvalue()


def _menu(**changes: Any) -> dict[str, Any]:
    flow: dict[str, Any] = {
        "start": "main",
        "operator": "returns",
        "nodes": [
            {"id": "main", "kind": "menu", "prompt": "beep", "invalid_prompt": "beep",
             "timeout_s": 2.0, "retries": 1, "options": {"1": "returns", "2": "goodbye"}},
            {"id": "returns", "kind": "queue", "queue": "returns",
             "sets": {"language": "en", "service_type": "returns"}},
            {"id": "goodbye", "kind": "hangup", "prompt": "beep"},
        ],
    }  # fmt: skip
    flow.update(changes)
    return flow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    root = tmp_path_factory.mktemp("menus")
    served = start_server(root / "hearthline.sqlite3", extra=voice_settings(root, "real_menu"))
    engine = served.writer.engine
    at = time.time()  # noqa: TID251 -- the audit record's time, as the server's clock gives
    actions.put_prompt(
        engine, Admin(), at=at, client="acme", name="beep", wav=_tone(0.4), seconds=0.4
    )
    actions.put_prompt(
        engine, Admin(), at=at, client="acme", name="outage", wav=_tone(0.8, OUTAGE_HZ),
        seconds=0.8,
    )  # fmt: skip
    closed = _menu(
        closed="closed",
        hours="acme-returns",
        nodes=[
            *_menu()["nodes"],
            {"id": "closed", "kind": "menu", "prompt": "beep", "timeout_s": 2.0, "retries": 0,
             "options": {"1": "callback"}, "fallback": "goodbye"},
            {"id": "callback", "kind": "callback", "queue": "returns", "prompt": "beep"},
        ],
    )  # fmt: skip
    silent = _menu(
        nodes=[
            {"id": "main", "kind": "menu", "prompt": "beep", "timeout_s": 1.0, "retries": 0,
             "options": {"1": "returns"}, "fallback": "goodbye"},
            *_menu()["nodes"][1:],
        ]
    )  # fmt: skip
    voicemail = _menu(
        nodes=[
            {"id": "main", "kind": "menu", "prompt": "beep", "timeout_s": 2.0, "retries": 0,
             "options": {"3": "message"}, "fallback": "goodbye"},
            {"id": "message", "kind": "voicemail", "queue": "returns", "prompt": "beep"},
            *_menu()["nodes"][2:],
        ]
    )  # fmt: skip
    account = _menu(
        start="account",
        nodes=[
            {"id": "account", "kind": "collect", "prompt": "beep", "min_digits": 4,
             "max_digits": 4, "next": "returns"},
            _menu()["nodes"][1],
        ],
    )  # fmt: skip
    order = _menu(
        start="order",
        nodes=[
            {"id": "order", "kind": "collect", "lookup": "order", "prompt": "beep",
             "min_digits": 5, "max_digits": 5, "next": "returns"},
            _menu()["nodes"][1],
        ],
    )  # fmt: skip
    flows = (
        (OPEN_NUMBER, _menu()), (CLOSED_NUMBER, closed), (SILENT_NUMBER, silent),
        (VOICEMAIL_NUMBER, voicemail), (ACCOUNT_NUMBER, account), (ORDER_NUMBER, order),
    )  # fmt: skip
    for number, flow in flows:
        check_flow(flow_from_dict(flow), queues={"returns"})
        actions.put_flow(engine, Admin(), at=at, number=number, client="acme", flow=flow)
    # Closed every day: no spans at all.
    actions.put_hours(engine, Admin(), at=at, campaign="acme-returns", hours={"spans": []})
    with engine.begin() as conn:
        conn.execute(insert(tables.numbers).values(number=OPEN_NUMBER, queue_id=None, label=""))
        conn.execute(
            insert(tables.numbers).values(number=PLAIN_NUMBER, queue_id="returns", label="")
        )
        conn.execute(
            insert(tables.customers).values(
                id=ACCOUNT, client_id="acme", name="Priya Natarajan", phone="+441632960999",
                email="priya@example.org", created_at=at,
            )
        )  # fmt: skip
        conn.execute(
            insert(tables.orders).values(
                client_id="acme", number=ORDER, customer_id=ACCOUNT, created_at=at
            )
        )
        hashed = password_hasher(time_cost=1, memory_kib=1024).hash(PASSWORD)
        config_repo.add_user(
            conn, "sup-globex", role="supervisor", client="globex", agent=None,
            display_name="Globex supervisor", password_hash=hashed,
        )  # fmt: skip
    # A queue of no length, overflowing to voicemail when full (the default): configured
    # in the core and the tables as the administration does.
    update_queue(
        served.writer,
        QueueConfig(QueueId("full"), CampaignId("acme-returns"), name="Full", max_length=0),
    )
    update_queue(
        served.writer,
        QueueConfig(
            QueueId("full-cb"), CampaignId("acme-returns"), name="Full, calls back",
            max_length=0, on_full=Overflow(OverflowKind.CALLBACK),
        ),
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(tables.numbers).values(number=FULL_NUMBER, queue_id="full", label=""))
        conn.execute(
            insert(tables.numbers).values(number=CALLBACK_NUMBER, queue_id="full-cb", label="")
        )
    deadline = time.monotonic() + 20
    while served.app.state.app_context.voice is None:
        assert time.monotonic() < deadline, "voice did not start"
        time.sleep(0.05)
    yield served
    served.stop()


def _scenario(
    path: Path, keys: str, *, center_hangs_up: bool, wait_ms: int, listen: bool = False
) -> Path:
    """sipp: INVITE with its own media port, the keys (one pcap each, 0.5 s apart) once
    the call is up, then either waits for the center's BYE or hangs up itself."""
    names = {"*": "star", "#": "pound"}
    presses = "".join(
        f'<nop><action><exec play_pcap_audio="{PCAPS}/dtmf_2833_{names.get(k, k)}.pcap"/>'
        f'</action></nop><pause milliseconds="500"/>'
        for k in keys
    )
    ending = (
        '<recv request="BYE" timeout="20000"/>'
        "<send><![CDATA[\n\nSIP/2.0 200 OK\n[last_Via:]\n[last_From:]\n[last_To:]\n"
        "[last_Call-ID:]\n[last_CSeq:]\nContent-Length: 0\n\n]]></send>"
        if center_hangs_up
        else "<send><![CDATA[\n\nBYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        "From: <sip:+441632960001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n"
        "[last_To:]\nCall-ID: [call_id]\nCSeq: 2 BYE\nMax-Forwards: 70\nContent-Length: 0\n\n"
        ']]></send><recv response="200"/>'
    )
    xml = f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="menu caller">
<send retrans="500"><![CDATA[

INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+441632960001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:caller@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=caller 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio {"[rtpport]" if listen else "[media_port]"} RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv

]]></send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="200" rtd="true" rrs="true"/>
<send><![CDATA[

ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+441632960001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:caller@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Content-Length: 0

]]></send>
<pause milliseconds="300"/>
{presses}
<pause milliseconds="{wait_ms}"/>
{ending}
</scenario>
"""
    path.write_text(xml)
    return path


def _call(
    server: WebServer,
    tmp_path: Path,
    number: str,
    keys: str,
    *,
    ear: RtpEndpoint | None = None,
    **kw: Any,
) -> None:
    """One sipp call; with ``ear``, the caller's media goes to that endpoint (to hear the
    prompts) while the keys still come from sipp's own media port."""
    scenario = _scenario(tmp_path / "menu.xml", keys, listen=ear is not None, **kw)
    extra = ["-key", "rtpport", str(ear.port)] if ear is not None else []
    sip_port = server.app.state.app_context.settings.voice_sip_port
    done = subprocess.run(
        ["sipp", f"127.0.0.1:{sip_port}", "-sf", str(scenario), "-s", number, "-i", "127.0.0.1",
         "-p", str(free_port()), "-mp", str(sipp_media_port()), "-m", "1", "-l", "1",
         "-timeout", "40s", "-nostdin", *extra,
         "-trace_err", "-error_file", str(tmp_path / "err.log")],
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
    )  # fmt: skip
    errors = (tmp_path / "err.log").read_text() if (tmp_path / "err.log").exists() else ""
    assert done.returncode == 0, f"sipp failed ({done.returncode}): {errors[-1500:]}"


def _events(server: WebServer, kind: str, since: int) -> list[dict[str, Any]]:
    with server.writer.engine.connect() as conn:
        rows = conn.execute(
            select(tables.events.c.payload)
            .where(tables.events.c.type == kind, tables.events.c.id > since)
            .order_by(tables.events.c.id)
        ).scalars()
        return [json.loads(r) for r in rows]


def _wait_for(
    server: WebServer, kind: str, since: int, count: int = 1, *, call: str | None = None
) -> list[dict[str, Any]]:
    """The events of ``kind`` after ``since`` (of one call: the calls of earlier tests may
    still be ending), once there are ``count``."""
    deadline = time.monotonic() + 10
    while (
        len(found := [e for e in _events(server, kind, since) if call in (None, e.get("call"))])
        < count
    ):
        if time.monotonic() > deadline:
            with server.writer.engine.connect() as conn:
                kinds = conn.execute(
                    select(tables.events.c.type).where(tables.events.c.id > since)
                ).scalars()
                raise AssertionError(f"no {kind} in the log, only {list(kinds)}")
        time.sleep(0.1)
    return found


def test_pressing_1_takes_the_caller_to_the_queue_with_the_menu_data(
    server: WebServer, tmp_path: Path
) -> None:
    since = server.writer.last_event_id
    _call(server, tmp_path, OPEN_NUMBER, "1", center_hangs_up=False, wait_ms=1000)
    [arrived] = _wait_for(server, "ContactArrived", since)
    assert dict(arrived["data"]) == {"language": "en", "service_type": "returns"}
    visits = _wait_for(server, "MenuVisited", since, 2)
    assert [(v["node"], v["how"]) for v in visits] == [("main", "option:1"), ("returns", "queue")]
    _wait_for(server, "CallEnded", since, call=visits[0]["call"])


def test_zero_reaches_the_operator_queue(server: WebServer, tmp_path: Path) -> None:
    since = server.writer.last_event_id
    _call(server, tmp_path, OPEN_NUMBER, "0", center_hangs_up=False, wait_ms=1000)
    [visit] = _wait_for(server, "MenuVisited", since)
    assert (visit["node"], visit["how"]) == ("main", "zero-out")
    [queued] = _wait_for(server, "ContactQueued", since)
    assert queued["queue"] == "returns"


def test_an_invalid_key_replays_the_menu_and_the_next_key_counts(
    server: WebServer, tmp_path: Path
) -> None:
    since = server.writer.last_event_id
    _call(server, tmp_path, OPEN_NUMBER, "92", center_hangs_up=True, wait_ms=0)
    visits = _wait_for(server, "MenuVisited", since, 2)
    assert [(v["node"], v["how"], v["invalids"]) for v in visits] == [
        ("main", "option:2", 1),
        ("goodbye", "hangup", 0),
    ]
    [ended] = _wait_for(server, "CallEnded", since, call=visits[0]["call"])
    assert ended["by"] == "system"  # the center said goodbye and sent the BYE sipp waited for


def test_a_silent_caller_times_out_and_the_center_says_goodbye(
    server: WebServer, tmp_path: Path
) -> None:
    since = server.writer.last_event_id
    ear = RtpEndpoint(300.0)
    ear.start()
    try:
        _call(server, tmp_path, SILENT_NUMBER, "", center_hangs_up=True, wait_ms=0, ear=ear)
    finally:
        ear.stop()
    heard = ear.audio_since(0)
    assert len(heard) >= 0.6 * 8000, "the caller heard less than the two prompts"
    assert abs(peak_hz(heard) - TONE_HZ) < 20, f"the caller heard {peak_hz(heard)} Hz"
    visits = _wait_for(server, "MenuVisited", since, 2)
    assert [(v["node"], v["how"], v["timeouts"]) for v in visits] == [
        ("main", "timeout", 1),
        ("goodbye", "hangup", 0),
    ]
    # 0.4 s of prompt, then the node's 1 s timeout.
    assert 1.3 <= visits[0]["at"] - visits[0]["entered_at"] < 4.0


def test_outside_opening_hours_the_caller_gets_the_closed_menu_and_a_callback(
    server: WebServer, tmp_path: Path
) -> None:
    since = server.writer.last_event_id
    _call(server, tmp_path, CLOSED_NUMBER, "1", center_hangs_up=True, wait_ms=0)
    visits = _wait_for(server, "MenuVisited", since, 2)
    assert [(v["node"], v["how"]) for v in visits] == [
        ("closed", "option:1"),
        ("callback", "callback"),
    ]
    _wait_for(server, "ContactConvertedToCallback", since)
    [ended] = _wait_for(server, "CallEnded", since, call=visits[0]["call"])
    assert ended["by"] == "system"


def test_the_menus_figures_count_each_node_for_the_clients_supervisors_only(
    server: WebServer, tmp_path: Path
) -> None:
    since = server.writer.last_event_id
    _call(server, tmp_path, OPEN_NUMBER, "0", center_hangs_up=False, wait_ms=500)
    _wait_for(server, "MenuVisited", since)
    seen = {}
    for who in ("super", "sup-globex"):
        with httpx.Client(base_url=server.url, timeout=30.0) as c:
            r = c.post("/api/auth/login", json={"username": who, "password": PASSWORD})
            assert r.status_code == 200, r.text
            figures = c.get("/api/supervisor/menus/figures", params={"number": OPEN_NUMBER})
            assert figures.status_code == 200, figures.text
            seen[who] = figures.json()
    assert seen["sup-globex"] == []
    main = next(f for f in seen["super"] if f["node"] == "main")
    assert main["number"] == OPEN_NUMBER and main["zero_outs"] >= 1
    assert main["visits"] == sum(main["exits"].values()) and main["mean_s"] > 0


def test_an_announcement_plays_before_queueing_on_a_number_without_a_menu(
    server: WebServer, tmp_path: Path
) -> None:
    engine = server.writer.engine
    at = time.time()  # noqa: TID251 -- the audit record's time, as the server's clock gives
    on = actions.add_announcement(
        engine, Admin(), at=at, client="acme", queue="returns", text="Outage", prompt="outage",
        active=True,
    )  # fmt: skip
    since = server.writer.last_event_id
    ear = RtpEndpoint(300.0)
    ear.start()
    try:
        _call(server, tmp_path, PLAIN_NUMBER, "", center_hangs_up=False, wait_ms=2500, ear=ear)
    finally:
        ear.stop()
        # Off again: the module's other calls (its client's menus) must not hear it.
        actions.switch_announcement(engine, Admin(), at=at, ident=on.id, active=False)
    heard = ear.audio_since(0)
    assert len(heard) >= 0.8 * 8000, "the caller heard less than the announcement"
    first = heard[: int(0.6 * 8000)]
    assert abs(peak_hz(first) - OUTAGE_HZ) < 20, f"the caller first heard {peak_hz(first)} Hz"
    [answered] = _wait_for(server, "CallAnswered", since)
    assert answered["number"] == PLAIN_NUMBER
    [arrived] = _wait_for(server, "ContactArrived", since)
    # Queued once the 0.8 s message has played, not while it played.
    assert arrived["at"] - answered["at"] >= 0.8
    _wait_for(server, "CallEnded", since, call=answered["call"])


def test_a_voicemail_is_assembled_to_what_the_caller_said_and_filed_under_its_callback(
    server: WebServer, tmp_path: Path
) -> None:
    since = server.writer.last_event_id
    # The caller's voice is the ear's tone, sent from the first prompt it hears on; the
    # message is recorded from the end of the leaf's 0.4 s prompt until the BYE.
    ear = RtpEndpoint(SPOKEN_HZ)
    ear.start()
    try:
        _call(server, tmp_path, VOICEMAIL_NUMBER, "3", center_hangs_up=False, wait_ms=2500,
              ear=ear)  # fmt: skip
    finally:
        ear.stop()
    visits = _wait_for(server, "MenuVisited", since, 2)
    assert [(v["node"], v["how"]) for v in visits] == [
        ("main", "option:3"),
        ("message", "voicemail"),
    ]
    call = visits[0]["call"]
    [converted] = _wait_for(server, "ContactConvertedToCallback", since)
    callback = converted["callback"]
    arrived = {a["contact"]: a for a in _wait_for(server, "ContactArrived", since, 2)}
    assert dict(arrived[callback]["data"])["voicemail"] == call
    [ended] = _wait_for(server, "CallEnded", since, call=call)
    assert ended["by"] == "caller"

    deadline = time.monotonic() + 20  # assembled on a worker thread after the BYE
    r = tables.recordings
    while True:
        with server.writer.engine.connect() as conn:
            row = conn.execute(select(r).where(r.c.call_id == call)).first()
        if row is not None:
            break
        assert time.monotonic() < deadline, "the voicemail was not indexed"
        time.sleep(0.2)
    assert (row.contact_id, row.client_id, row.kind) == (callback, "acme", "voicemail")
    # Its start is in the log, for a server killed before the end to assemble it at its
    # next start (telephony/recording_recovery.py), filed under the callback.
    [started] = _wait_for(server, "RecordingStarted", since, call=call)
    assert (started["kind"], started["filed_under"]) == ("voicemail", callback)
    assert row.started_at - 0.5 < started["started_at"] < row.started_at + 0.5
    store = Path(server.app.state.app_context.settings.data_dir).resolve() / "recordings"
    rate, samples = decode(store / row.file)
    assert samples.shape[0] == 1, "a voicemail is mono: the caller alone"
    heard = samples[0]
    # About 2.5 s of message (sipp's pauses), less the prompt, at the caller's pitch.
    assert 1.0 <= row.seconds <= 4.5 and abs(len(heard) / rate - row.seconds) < 0.2
    assert abs(peak_hz(heard, rate) - SPOKEN_HZ) < 20, f"{peak_hz(heard, rate)} Hz"
    # No pcap of the call is left in rtpengine's directory.
    pcaps = Path(server.app.state.app_context.settings.data_dir).resolve() / "voice"
    assert not [p for p in pcaps.rglob("*.pcap") if call.replace("@", "%40") in p.name]


def _indexed(server: WebServer, call: str) -> Any:
    """The call's row in the recordings index, once assembled (on a worker thread, after
    the call's end)."""
    deadline = time.monotonic() + 20
    r = tables.recordings
    while True:
        with server.writer.engine.connect() as conn:
            row = conn.execute(select(r).where(r.c.call_id == call)).first()
        if row is not None:
            return row
        assert time.monotonic() < deadline, "the voicemail was not indexed"
        time.sleep(0.2)


def test_a_caller_a_full_queue_sends_to_voicemail_leaves_a_message_filed_under_the_contact(
    server: WebServer, tmp_path: Path
) -> None:
    since = server.writer.last_event_id
    # The caller speaks (the ear's tone) from the first sound they hear; the prompt asking
    # for the message plays first, then the message is recorded until the BYE.
    ear = RtpEndpoint(SPOKEN_HZ)
    ear.start()
    try:
        _call(server, tmp_path, FULL_NUMBER, "", center_hangs_up=False, wait_ms=9000, ear=ear)
    finally:
        ear.stop()
    [answered] = _wait_for(server, "CallAnswered", since)
    call, contact = answered["call"], answered["contact"]
    [overflowed] = _wait_for(server, "ContactOverflowed", since)
    assert overflowed["contact"] == contact and overflowed["reason"] == "full"
    assert overflowed["destination"]["kind"] == "voicemail"
    # The core owes no callback for a voicemail overflow: the message is the contact's own.
    assert not _events(server, "ContactConvertedToCallback", since)
    [ended] = _wait_for(server, "CallEnded", since, call=call)
    assert ended["by"] == "caller"
    # The caller first heard the prompt (speech: not the ear's tone coming back).
    heard = server.app.state.app_context.voice.voicemail_prompt
    prompt_s = wave.open(heard).getnframes() / 8000  # noqa: SIM115 -- read once
    assert 3.0 < prompt_s < 8.0, f"the voicemail prompt is {prompt_s} s"
    assert len(ear.audio_since(0)) >= 0.8 * prompt_s * 8000, "the caller heard no prompt"

    row = _indexed(server, call)
    assert (row.contact_id, row.client_id, row.kind) == (contact, "acme", "voicemail")
    store = Path(server.app.state.app_context.settings.data_dir).resolve() / "recordings"
    rate, samples = decode(store / row.file)
    assert samples.shape[0] == 1, "a voicemail is mono: the caller alone"
    # About 9.3 s of call (sipp's pauses) less the prompt, at the caller's pitch.
    assert 9.3 - prompt_s - 1.5 <= row.seconds <= 9.3 - prompt_s + 1.0, row.seconds
    assert abs(len(samples[0]) / rate - row.seconds) < 0.2
    assert abs(peak_hz(samples[0], rate) - SPOKEN_HZ) < 20, f"{peak_hz(samples[0], rate)} Hz"
    # Whoever may see acme's work finds it under the contact and among the client's new
    # voicemails; another client does not.
    for who, count in (("super", 1), ("sup-globex", 0)):
        with httpx.Client(base_url=server.url, timeout=30.0) as c:
            r = c.post("/api/auth/login", json={"username": who, "password": PASSWORD})
            assert r.status_code == 200, r.text
            listed = c.get("/api/recordings", params={"contact": contact})
            assert listed.status_code == 200, listed.text
            assert [x["kind"] for x in listed.json()] == ["voicemail"] * count
            news = c.get("/api/recordings/voicemails", params={"since": answered["at"] - 1})
            assert news.status_code == 200, news.text
            found = [x for x in news.json() if x["contact_id"] == contact]
            assert len(found) == count
            # Where it came from, as the list shows it: the queue, the number, the caller.
            assert [(x["queue_id"], x["number"], x["caller"]) for x in found] == [
                ("full", FULL_NUMBER, "+441632960001")
            ] * count


def test_a_caller_a_full_queue_calls_back_hears_so_and_the_center_hangs_up(
    server: WebServer, tmp_path: Path
) -> None:
    # Acme's own "callback" prompt (a 1.5 s tone at 1100 Hz) replaces the default one.
    at = time.time()  # noqa: TID251 -- the audit record's time, as the server's clock gives
    actions.put_prompt(
        server.writer.engine, Admin(), at=at, client="acme", name="callback",
        wav=_tone(1.5, OUTAGE_HZ), seconds=1.5,
    )  # fmt: skip
    since = server.writer.last_event_id
    ear = RtpEndpoint(SPOKEN_HZ)
    ear.start()
    try:  # sipp waits for the center's BYE (20 s at most) and answers it
        _call(server, tmp_path, CALLBACK_NUMBER, "", center_hangs_up=True, wait_ms=0, ear=ear)
        heard = ear.audio_since(0)
    finally:
        ear.stop()
    [answered] = _wait_for(server, "CallAnswered", since)
    call, contact = answered["call"], answered["contact"]
    [overflowed] = _wait_for(server, "ContactOverflowed", since)
    assert overflowed["contact"] == contact and overflowed["reason"] == "full"
    assert overflowed["destination"]["kind"] == "callback"
    [converted] = _wait_for(server, "ContactConvertedToCallback", since)
    assert converted["contact"] == contact
    # The callback the core keeps is to the caller's number, waiting in the queue.
    callback = converted["callback"]
    [arrived] = [e for e in _events(server, "ContactArrived", since) if e["contact"] == callback]
    assert (arrived["caller"], arrived["origin"]) == ("+441632960001", contact)
    assert [e["queue"] for e in _events(server, "ContactQueued", since)
            if e["contact"] == callback] == ["full-cb"]  # fmt: skip
    # The center hung up once the client's prompt had played, heard by its frequency,
    # and took no message.
    [ended] = _wait_for(server, "CallEnded", since, call=call)
    assert ended["by"] == "system"
    assert ended["at"] - answered["at"] >= 1.5 - 0.3, ended["at"] - answered["at"]
    assert len(heard) >= 0.8 * 1.5 * 8000, f"the caller heard {len(heard) / 8000:.2f} s"
    assert abs(peak_hz(heard, 8000) - OUTAGE_HZ) < 20, f"{peak_hz(heard, 8000)} Hz"
    assert not _events(server, "ContactAbandoned", since)
    with server.writer.engine.connect() as conn:
        r = tables.recordings
        assert conn.execute(select(r.c.id).where(r.c.call_id == call)).first() is None
    # Without one, the default: spoken words, made with the others.
    default = server.app.state.app_context.voice.callback_prompt
    assert default.endswith("default/callback.wav")
    default_s = wave.open(default).getnframes() / 8000  # noqa: SIM115 -- read once
    assert 3.0 < default_s < 10.0, f"the default callback prompt is {default_s} s"


@pytest.mark.parametrize(
    ("number", "keys", "node"),
    [(ACCOUNT_NUMBER, ACCOUNT, "account"), (ORDER_NUMBER, ORDER, "order")],
)
def test_an_account_or_order_number_keyed_in_rfc_2833_digits_identifies_the_caller_on_the_desk(
    server: WebServer, tmp_path: Path, number: str, keys: str, node: str
) -> None:
    # Callbacks the module's other callers left wait in the same queue: gone, so the one
    # call Maria is offered is this caller's.
    for owed in _events(server, "ContactConvertedToCallback", 0):
        with contextlib.suppress(RoutingError):
            server.writer.execute(cmd.CallerHangUp(ContactId(owed["callback"])))
    since = server.writer.last_event_id
    with httpx.Client(base_url=server.url, timeout=30.0) as maria:
        r = maria.post("/api/auth/login", json={"username": "maria", "password": PASSWORD})
        assert r.status_code == 200, r.text
        maria.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        assert maria.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
        seen: list[dict[str, Any]] = []
        try:
            with ThreadPoolExecutor(1) as pool:
                done = pool.submit(
                    _call, server, tmp_path, number, keys, center_hangs_up=False,
                    wait_ms=3000,
                )  # fmt: skip
                # While it rings: the desk names the customer the digits identified.
                deadline = time.monotonic() + 20
                while not done.done() and time.monotonic() < deadline:
                    desk = maria.get("/api/agent/desk").json()
                    contact = desk.get("contact")
                    if contact and contact.get("customer"):
                        seen.append(contact)
                        break
                    time.sleep(0.1)
                done.result()
        finally:
            _wait_for(server, "CallEnded", since)
            maria.post("/api/agent/sign-out")
    visits = _wait_for(server, "MenuVisited", since, 2)
    assert [(v["node"], v["how"]) for v in visits] == [(node, "found"), ("returns", "queue")]
    [arrived] = _wait_for(server, "ContactArrived", since)
    assert arrived["customer"] == ACCOUNT
    [offered] = _wait_for(server, "ContactOffered", since)
    assert offered["agent"] == "a-maria"
    assert seen and seen[0]["customer"] == ACCOUNT and seen[0]["queue"] == "returns"
