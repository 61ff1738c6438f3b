"""Several B2BUA workers, without processes: which worker each call's signals go to, the
setting, and Kamailio's generated files (the real proxy: ``test_real_kamailio.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthline.api.settings import ServerSettings, SettingsError
from hearthline.telephony.kamailio import SOURCE_HEADER, KamailioConfig
from hearthline.telephony.stack import _worker_bounds
from hearthline.telephony.trunks import Bounds
from hearthline.telephony.workers import WorkerRoutes


def _all_alive(_worker: int) -> bool:
    return True


def test_a_calls_signals_go_to_the_worker_that_reported_it_until_it_is_over() -> None:
    routes = WorkerRoutes(2)
    routes.heard(1, {"event": "invite", "call": "a"})
    routes.heard(0, {"event": "invite", "call": "b"})
    assert routes.to({"do": "answer", "call": "a"}, _all_alive) == 1
    assert routes.to({"do": "hangup", "call": "b"}, _all_alive) == 0
    assert routes.holding(1) == ["a"]
    # Over on its worker: a late signal goes nowhere (no worker holds the call).
    routes.heard(1, {"event": "hangup", "call": "a"})
    assert routes.to({"do": "hangup", "call": "a"}, _all_alive) is None
    # A hang-up reported by a worker that does not hold the call changes nothing.
    routes.heard(1, {"event": "hangup", "call": "b"})
    assert routes.to({"do": "answer", "call": "b"}, _all_alive) == 0


def test_dial_outs_take_the_live_workers_in_turn_and_none_when_none_runs() -> None:
    routes = WorkerRoutes(3)
    picked = [routes.to({"do": "dial", "call": f"d{n}"}, _all_alive) for n in range(4)]
    assert picked == [0, 1, 2, 0]
    assert routes.to({"do": "hangup", "call": "d1"}, _all_alive) == 1
    # Worker 1 is down: skipped.
    picked = [routes.to({"do": "dial", "call": f"e{n}"}, lambda w: w != 1) for n in range(3)]
    assert picked == [2, 0, 2]
    assert routes.to({"do": "dial", "call": "f"}, lambda _w: False) is None
    # A failed dial-out is over on its worker.
    routes.heard(2, {"event": "failed", "call": "e0"})
    assert routes.to({"do": "hangup", "call": "e0"}, _all_alive) is None


def test_a_lost_workers_calls_are_forgotten_hung_up_or_failed_if_still_ringing() -> None:
    routes = WorkerRoutes(2)
    for call, worker in (("a", 0), ("b", 1), ("c", 0)):
        routes.heard(worker, {"event": "invite", "call": call})
    # Two dial-outs on worker 0 (the turn: 0, 1, 0): one answered, one still ringing.
    for call in ("d", "e", "f"):
        routes.to({"do": "dial", "call": call}, _all_alive)
    routes.heard(0, {"event": "answered", "call": "d"})
    assert routes.lost(0) == [
        {"event": "hangup", "call": "a"},
        {"event": "hangup", "call": "c"},
        {"event": "hangup", "call": "d"},
        {"event": "failed", "call": "f", "code": 0, "reason": "B2BUA worker exited"},
    ]
    assert routes.to({"do": "hangup", "call": "a"}, _all_alive) is None
    assert routes.to({"do": "hangup", "call": "b"}, _all_alive) == 1
    assert routes.to({"do": "hangup", "call": "e"}, _all_alive) == 1
    assert routes.lost(0) == []


def test_the_workers_setting_is_checked() -> None:
    assert ServerSettings.load(environ={}).voice_b2bua_workers == 1
    three = ServerSettings.load(environ={"HEARTHLINE_VOICE_B2BUA_WORKERS": "3"})
    assert three.voice_b2bua_workers == 3
    with pytest.raises(SettingsError, match=r"voice_b2bua_workers: .*greater than or equal to 1"):
        ServerSettings.load(environ={"HEARTHLINE_VOICE_B2BUA_WORKERS": "0"})
    with pytest.raises(SettingsError, match=r"voice_b2bua_workers: .*voice_keep_calls"):
        ServerSettings.load(
            environ={"HEARTHLINE_VOICE_B2BUA_WORKERS": "2", "HEARTHLINE_VOICE_KEEP_CALLS": "1"}
        )
    with pytest.raises(SettingsError, match=r"voice_b2bua_workers: .*past 65535"):
        ServerSettings.load(
            environ={"HEARTHLINE_VOICE_B2BUA_WORKERS": "2", "HEARTHLINE_VOICE_SIP_PORT": "65534"}
        )


def test_kamailios_files_name_the_port_the_workers_and_the_source_header(tmp_path: Path) -> None:
    config = KamailioConfig("127.0.0.1", 5070, (("127.0.0.1", 5071), ("127.0.0.1", 5072)), 7)
    assert config.dispatcher_list() == "1 sip:127.0.0.1:5071\n1 sip:127.0.0.1:5072\n"
    text = config.render(tmp_path)
    assert "listen=udp:127.0.0.1:5070\n" in text
    assert f'"list_file", "{tmp_path / "dispatcher.list"}"' in text
    # The sender's own header goes before ours is added.
    assert text.index(f'remove_hf("{SOURCE_HEADER}")') < text.index(f'append_hf("{SOURCE_HEADER}')
    assert "Retry-After: 7" in text


def test_each_worker_takes_its_share_of_the_per_source_bounds() -> None:
    bounds = Bounds(requests_per_s=50, invites_per_s=10, retry_after_s=7)
    assert _worker_bounds(bounds, 1) is bounds
    assert _worker_bounds(bounds, 2) == Bounds(requests_per_s=25, invites_per_s=5, retry_after_s=7)
