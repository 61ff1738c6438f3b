"""Trunks as settings and the per-source bounds, without SIP: refusals naming the trunk,
who is admitted by address, the token buckets on a test's clock, and the B2BUA's file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hearthline.api.settings import ServerSettings, SettingsError
from hearthline.telephony import trunks
from hearthline.telephony.trunks import Bounds, SourceLimits, TokenBuckets, TrunkError


def test_a_trunk_is_refused_naming_it_and_the_reason() -> None:
    with pytest.raises(TrunkError, match="a trunk needs a name"):
        trunks.trunk_from_dict({"networks": ["192.0.2.1"]})
    with pytest.raises(TrunkError, match=r"trunk carrier: 'nowhere' is not an address"):
        trunks.trunk_from_dict({"name": "carrier", "networks": ["nowhere"]})
    with pytest.raises(TrunkError, match="trunk carrier: a username needs a password"):
        trunks.trunk_from_dict({"name": "carrier", "username": "acme"})
    with pytest.raises(TrunkError, match="trunk carrier: give networks, a username"):
        trunks.trunk_from_dict({"name": "carrier"})
    with pytest.raises(TrunkError, match="trunk carrier: max_calls must be"):
        trunks.trunk_from_dict({"name": "carrier", "networks": ["::1"], "max_calls": 0})
    a = trunks.trunk_from_dict({"name": "a", "username": "u", "password": "p"})
    b = trunks.trunk_from_dict({"name": "b", "username": "u", "password": "q"})
    with pytest.raises(TrunkError, match="'u' is given twice"):
        trunks.check_trunks([a, b])


def test_addresses_pick_the_trunk_and_digest_trunks_may_be_fenced_to_networks() -> None:
    listed = [
        trunks.trunk_from_dict(
            {"name": "carrier", "networks": ["198.51.100.0/24", "2001:db8::/32"]}
        ),
        trunks.trunk_from_dict(
            {"name": "branch", "networks": ["203.0.113.7"], "username": "b", "password": "pw-9"}
        ),
        trunks.trunk_from_dict({"name": "roaming", "username": "r", "password": "t"}),
    ]
    found = trunks.by_source(listed, "198.51.100.9")
    assert found is not None and found.name == "carrier"
    assert trunks.by_source(listed, "2001:db8::5") is listed[0]
    assert trunks.by_source(listed, "203.0.113.7") is None  # a digest trunk: credentials first
    assert trunks.by_source(listed, "not an address") is None
    assert trunks.by_username(listed, "b", "203.0.113.7") is listed[1]
    assert trunks.by_username(listed, "b", "203.0.113.8") is None  # right name, wrong place
    assert trunks.by_username(listed, "r", "192.0.2.200") is listed[2]
    only_fenced = listed[:2]
    assert trunks.may_challenge(only_fenced, "203.0.113.7")
    assert not trunks.may_challenge(only_fenced, "192.0.2.200")  # 403 without a challenge
    assert "pw-9" not in repr(listed[1])  # the password is not in a repr


def test_a_bucket_allows_its_burst_then_its_rate_and_forgets_idle_sources() -> None:
    buckets = TokenBuckets(2.0, keep=3)
    assert [buckets.take("a", 0.0) for _ in range(5)] == [True, True, True, True, False]
    assert not buckets.take("a", 0.4)  # 0.8 of a token: not yet
    assert buckets.take("a", 0.5)
    assert not buckets.take("a", 0.5)
    assert buckets.take("b", 0.5)  # another source has its own
    buckets.take("c", 0.5)
    buckets.take("d", 10.0)  # a fourth source: the idle (full again) ones are dropped
    assert len(buckets) <= 3
    for i in range(100):  # made-up addresses cannot grow it past its bound
        buckets.take(f"x{i}", 10.0)
        assert len(buckets) <= 3


def test_invites_have_their_own_tighter_bound_inside_all_requests() -> None:
    limits = SourceLimits(Bounds(requests_per_s=10.0, invites_per_s=1.0))
    invites = [limits.allow("198.51.100.1", "INVITE", 0.0) for _ in range(4)]
    assert invites == [True, True, False, False]
    # Refused INVITEs still spent requests: 20 in a burst, 4 taken.
    options = [limits.allow("198.51.100.1", "OPTIONS", 0.0) for _ in range(17)]
    assert options == [True] * 16 + [False]


def test_trunks_come_from_the_settings_file_and_environment_and_are_checked(
    tmp_path: Path,
) -> None:
    config = tmp_path / "hearthline.toml"
    config.write_text(
        """
[server]
voice_sip_invites_per_s = 4
[[server.voice_trunks]]
name = "carrier"
networks = ["198.51.100.0/24"]
max_calls = 30
[[server.voice_trunks]]
name = "branch"
username = "branch-7"
password = "s3cret-pass"
""",
        encoding="utf-8",
    )
    settings = ServerSettings.load(config_file=config, environ={})
    assert [t.trunk().name for t in settings.voice_trunks] == ["carrier", "branch"]
    assert settings.voice_trunks[0].trunk().max_calls == 30
    assert settings.voice_trunks[1].trunk().password == "s3cret-pass"
    assert settings.voice_sip_invites_per_s == 4
    assert "s3cret-pass" not in repr(settings) and "s3cret-pass" not in str(settings)

    env = {"HEARTHLINE_VOICE_TRUNKS": '[{"name": "edge", "networks": ["2001:db8::1"]}]'}
    from_env = ServerSettings.load(environ=env)
    assert from_env.voice_trunks[0].trunk().networks[0].version == 6

    bad = {"HEARTHLINE_VOICE_TRUNKS": '[{"name": "edge", "networks": ["edge.example"]}]'}
    with pytest.raises(SettingsError, match=r"voice_trunks.*trunk edge: 'edge.example' is not"):
        ServerSettings.load(environ=bad)
    with pytest.raises(SettingsError, match=r"voice_trunks.*must be a JSON list"):
        ServerSettings.load(environ={"HEARTHLINE_VOICE_TRUNKS": "[not json"})
    with pytest.raises(SettingsError, match=r"voice_trunks.*'edge' is given twice"):
        ServerSettings.load(
            environ={"HEARTHLINE_VOICE_TRUNKS": '[{"name":"edge","networks":["::1"]},'
                     '{"name":"edge","networks":["127.0.0.1"]}]'}
        )  # fmt: skip
    assert ServerSettings.load(environ={}).voice_trunks == []


def test_the_b2buas_file_is_its_owners_alone_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "voice" / "b2bua-trunks.json"
    listed = [
        trunks.trunk_from_dict({"name": "carrier", "networks": ["198.51.100.0/24"]}),
        trunks.trunk_from_dict({"name": "branch", "username": "b", "password": "s3cret"}),
    ]
    registration = trunks.registration_from_dict(
        {"registrar": "sip.provider.test", "username": "hl", "password": "pw-reg"}
    )
    bounds = Bounds(requests_per_s=7.0, invites_per_s=3.0, retry_after_s=9)
    trunks.dump(path, listed, bounds, [registration])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    back, bounds, registrations = trunks.load(path)
    assert back == listed and registrations == [registration]
    assert bounds == Bounds(requests_per_s=7.0, invites_per_s=3.0, retry_after_s=9)


def test_a_registration_names_its_registrar_and_is_refused_by_it() -> None:
    made = trunks.registration_from_dict(
        {"registrar": "sip.provider.test:5080", "username": "hl-1", "password": "pw-reg"}
    )
    assert (made.registrar_host, made.registrar_port, made.domain) == (
        "sip.provider.test", 5080, "sip.provider.test"
    )  # fmt: skip
    assert "pw-reg" not in repr(made)
    v6 = trunks.registration_from_dict({"registrar": "[2001:db8::7]", "username": "u",
                                        "password": "p", "domain": "provider.test"})  # fmt: skip
    assert (v6.registrar_host, v6.registrar_port, v6.domain) == (
        "2001:db8::7", 5060, "provider.test"
    )  # fmt: skip
    with pytest.raises(TrunkError, match=r"registration sip\.test:99999: the registrar is host"):
        trunks.registration_from_dict({"registrar": "sip.test:99999", "username": "u",
                                       "password": "p"})  # fmt: skip
    with pytest.raises(TrunkError, match=r"registration sip\.test: needs a username"):
        trunks.registration_from_dict({"registrar": "sip.test", "password": "p"})
    with pytest.raises(TrunkError, match="expires must be 30 to 86400"):
        trunks.registration_from_dict({"registrar": "sip.test", "username": "u",
                                       "password": "p", "expires": 5})  # fmt: skip
    env = {"HEARTHLINE_VOICE_REGISTRATIONS": '[{"registrar": "sip.test:0", "username": "u", '
           '"password": "p"}]'}  # fmt: skip
    with pytest.raises(SettingsError, match=r"voice_registrations.*registrar is host"):
        ServerSettings.load(environ=env)


def test_a_registration_is_refreshed_before_the_registrars_grant_runs_out() -> None:
    assert trunks.refresh_after(3600) == 3570  # half a minute early
    assert trunks.refresh_after(120) == 96  # four fifths of a short grant
    assert trunks.refresh_after(20) == 16
    assert trunks.refresh_after(6) == 3  # a tiny grant: halfway
