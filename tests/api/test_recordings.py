"""Recorded calls over HTTP and the retention job, on SQLite and PostgreSQL: who may list
and play a recording, byte ranges, the audit record of each playback, the campaign's
policy, and the job that deletes what is past a client's retention (files and rows),
recording each deletion and keeping the rest."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from hearthline.kernel.ids import ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from hearthline.service.recording_retention import enforce
from hearthline.store import tables as t
from hearthline.store.queries import recordings as recordings_q
from hearthline.telephony.recording_file import _write
from hearthline.voice.commands import AnswerCall
from tests.api.support import Served, take_and_finish
from tests.api.test_schedule_changes import at_once

DAY = 86400.0


@pytest.fixture
def app(served: Served) -> Served:
    """The served app on each database, with its own data directory."""
    return served


def _store(app: Served) -> Path:
    return Path(app.app.state.app_context.settings.data_dir).resolve() / "recordings"


def _recording(app: Served, *, client: str, contact: str, created_at: float) -> tuple[int, Path]:
    """An indexed recording with a file of its own (bytes that stand for the audio)."""
    relative = f"{client}/{contact}.ogg"
    path = _store(app) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"OggS" + os.urandom(5000))
    ident = recordings_q.add(
        app.writer.engine, contact=contact, client=client, call=f"call-{contact}",
        file=relative, seconds=3.0, started_at=created_at - 10, created_at=created_at,
    )  # fmt: skip
    return ident, path


def _audits(app: Served, like: str) -> list[tuple[str, str, str]]:
    a = t.audit_log
    with app.writer.engine.connect() as conn:
        rows = conn.execute(
            select(a.c.username, a.c.action, a.c.target)
            .where(a.c.action.like(like))
            .order_by(a.c.id)
        ).all()
    return [tuple(r) for r in rows]


def test_a_recording_plays_only_within_its_client_and_every_playback_is_audited(
    app: Served,
) -> None:
    now = app.app.state.app_context.now()
    ident, path = _recording(app, client="acme", contact="k-acme-1", created_at=now)
    whole = path.read_bytes()

    viewer = app.login("acme-viewer")
    listed = viewer.get("/api/recordings", params={"contact": "k-acme-1"})
    assert listed.status_code == 200
    assert [(r["id"], r["url"]) for r in listed.json()] == [
        (ident, f"/api/recordings/{ident}/audio")
    ]
    played = viewer.get(f"/api/recordings/{ident}/audio")
    assert played.status_code == 200 and played.content == whole
    assert played.headers["content-type"] == "audio/ogg"
    assert played.headers["accept-ranges"] == "bytes"
    # Seeking: a range from further on is the same playback, not audited again.
    ranged = viewer.get(f"/api/recordings/{ident}/audio", headers={"Range": "bytes=1000-1999"})
    assert ranged.status_code == 206 and ranged.content == whole[1000:2000]
    assert ranged.headers["content-range"] == f"bytes 1000-1999/{len(whole)}"
    tail = viewer.get(f"/api/recordings/{ident}/audio", headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.content == whole[-100:]
    bad = viewer.get(f"/api/recordings/{ident}/audio", headers={"Range": "bytes=99999-"})
    assert bad.status_code == 416 and "outside" in bad.json()["message"]
    nonsense = viewer.get(f"/api/recordings/{ident}/audio", headers={"Range": "pages=1-2"})
    assert nonsense.status_code == 416

    sup = app.login("sup-acme")
    got = sup.get(f"/api/recordings/{ident}/audio", params={"download": "true"})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    assert app.login("admin").get(f"/api/recordings/{ident}/audio").status_code == 200

    # Another client's people, and agents (a call recording is never theirs): it does not exist.
    for outsider in ("globex-viewer", "sup-globex"):
        other = app.login(outsider)
        assert other.get(f"/api/recordings/{ident}/audio").status_code == 404
        assert other.get("/api/recordings", params={"contact": "k-acme-1"}).json() == []
    assert app.login("a000").get(f"/api/recordings/{ident}/audio").status_code == 404
    assert viewer.get("/api/recordings/999999/audio").status_code == 404

    assert _audits(app, "recording.%") == [
        ("acme-viewer", "recording.played", "acme/k-acme-1"),
        ("sup-acme", "recording.downloaded", "acme/k-acme-1"),
        ("admin", "recording.played", "acme/k-acme-1"),
    ]


def test_the_policy_is_checked_and_audited(app: Served) -> None:
    admin = app.login("admin")
    path = "/api/admin/campaigns/acme-returns/recording-policy"
    assert admin.put(path, json={"mode": "sometimes"}).status_code == 422
    assert admin.put(path, json={"mode": "share", "share_percent": 101}).status_code == 422
    assert admin.put(path, json={"mode": "share", "share_percent": 25}).status_code == 204
    assert recordings_q.share_of(app.writer.engine, "acme-returns") == 25
    assert admin.put(path, json={"mode": "none", "share_percent": 80}).status_code == 204
    assert recordings_q.share_of(app.writer.engine, "acme-returns") == 0
    assert recordings_q.share_of(app.writer.engine, "globex-sales") == 0  # no policy: none
    missing = admin.put("/api/admin/campaigns/nope/recording-policy", json={"mode": "all"})
    assert missing.status_code == 404
    bad = admin.put("/api/admin/clients/acme/recording-retention", json={"days": 0})
    assert bad.status_code == 422
    assert [a[1] for a in _audits(app, "recording.%")] == ["recording.policy"] * 2


def test_the_retention_job_deletes_files_and_rows_past_retention_and_records_it(
    app: Served,
) -> None:
    now = app.app.state.app_context.now()
    admin = app.login("admin")
    kept_days = admin.put("/api/admin/clients/acme/recording-retention", json={"days": 30})
    assert kept_days.status_code == 204
    old, old_file = _recording(app, client="acme", contact="k-old", created_at=now - 31 * DAY)
    recent, recent_file = _recording(app, client="acme", contact="k-new", created_at=now - DAY)
    # Globex has no retention set: its recordings stay, however old.
    other, other_file = _recording(app, client="globex", contact="k-gx", created_at=now - 400 * DAY)

    deleted = enforce(app.writer.engine, _store(app), now=now)

    assert [r.id for r in deleted] == [old]
    assert not old_file.exists()
    assert recent_file.exists() and other_file.exists()
    with app.writer.engine.connect() as conn:
        left = set(conn.execute(select(t.recordings.c.id)).scalars())
    assert left == {recent, other}
    assert _audits(app, "recording.deleted") == [
        ("recording-retention", "recording.deleted", "acme/k-old")
    ]
    assert enforce(app.writer.engine, _store(app), now=now) == []  # nothing twice


def test_the_server_runs_the_retention_job_on_its_own(app: Served) -> None:
    """What the voice server runs beside its calls (at start, then hourly): the same job."""
    from hearthline.api.voice import _expire_recordings

    ctx = app.app.state.app_context
    now = ctx.now()
    app.login("admin").put("/api/admin/clients/acme/recording-retention", json={"days": 1})
    old, old_file = _recording(app, client="acme", contact="k-gone", created_at=now - 2 * DAY)

    async def run_once() -> None:
        task = asyncio.get_running_loop().create_task(_expire_recordings(ctx))
        deadline = time.monotonic() + 30
        while recordings_q.one(app.writer.engine, old) is not None:
            assert time.monotonic() < deadline, "the job did not run"
            await asyncio.sleep(0.05)
        task.cancel()

    asyncio.run(run_once())
    assert not old_file.exists()
    assert _audits(app, "recording.deleted") == [
        ("recording-retention", "recording.deleted", "acme/k-gone")
    ]


def test_a_voicemail_is_heard_by_the_agent_offered_its_callback_and_no_other_agent(
    app: Served,
) -> None:
    # A caller left a message and is owed a callback (as a menu's voicemail leaf does);
    # nobody was ready, so the callback waits until a000 signs in and is offered it.
    app.writer.execute(cmd.ArriveContact(ContactId("v-vm1"), caller="+15550177",
                                         queue=QueueId("returns")))  # fmt: skip
    [converted] = [
        e.event for e in app.writer.execute(cmd.RequestCallback(ContactId("v-vm1")))
        if isinstance(e.event, ev.ContactConvertedToCallback)
    ]  # fmt: skip
    callback = str(converted.callback)
    now = app.app.state.app_context.now()
    relative = f"acme/{callback}.ogg"
    path = _store(app) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"OggS" + os.urandom(3000))
    voicemail = recordings_q.add(
        app.writer.engine, contact=callback, client="acme", call="call-vm1", file=relative,
        seconds=4.0, started_at=now - 5, created_at=now, kind="voicemail",
    )  # fmt: skip
    call_recording, _ = _recording(app, client="acme", contact="k-call", created_at=now)

    tom = app.login("a000")
    listed = tom.get("/api/recordings", params={"contact": callback})
    assert listed.status_code == 200 and listed.json() == []  # not offered yet: not his
    assert tom.get(f"/api/recordings/{voicemail}/audio").status_code == 404
    assert tom.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
    e = t.events
    with app.writer.engine.connect() as conn:
        offers = conn.execute(
            select(e.c.agent_id).where(e.c.type == "ContactOffered", e.c.contact_id == callback)
        ).all()
    assert [o.agent_id for o in offers] == ["a000"]

    listed = tom.get("/api/recordings", params={"contact": callback}).json()
    assert [(r["id"], r["kind"], r["seconds"]) for r in listed] == [(voicemail, "voicemail", 4.0)]
    played = tom.get(f"/api/recordings/{voicemail}/audio")
    assert played.status_code == 200 and played.content == path.read_bytes()
    # An agent hears voicemails only: a call recording is not there for them.
    assert tom.get(f"/api/recordings/{call_recording}/audio").status_code == 404
    # Another agent, and another client's people: it does not exist.
    for outsider in ("a001", "g000", "globex-viewer", "sup-globex"):
        other = app.login(outsider)
        assert other.get(f"/api/recordings/{voicemail}/audio").status_code == 404, outsider
        assert other.get("/api/recordings", params={"contact": callback}).json() == []
    # The client's supervisor plays it too (the quality page's contact view).
    assert app.login("sup-acme").get(f"/api/recordings/{voicemail}/audio").status_code == 200
    bad = tom.get("/api/recordings", params={"contact": "v-vm1/../x"})
    assert bad.status_code == 422

    # Handled and finished: no longer his to hear.
    take_and_finish(tom, callback, "return-processed", text="called back")
    assert tom.post("/api/agent/wrap-up/finish").status_code == 200
    assert tom.get(f"/api/recordings/{voicemail}/audio").status_code == 404

    assert _audits(app, "voicemail.%") == [
        ("a000", "voicemail.played", f"acme/{callback}"),
        ("sup-acme", "voicemail.played", f"acme/{callback}"),
    ]


def test_the_waveform_is_each_channels_peaks_in_the_recordings_scope(app: Served) -> None:
    """Two seconds of the caller, a second of silence (a hold), two of the agent."""
    now = app.app.state.app_context.now()
    ident, path = _recording(app, client="acme", contact="k-acme-w", created_at=now)
    rate = 8000
    t = np.arange(5 * rate) / rate
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    silent = np.zeros_like(tone)
    caller = np.where(t < 2, tone, silent)
    agent = np.where(t >= 3, tone, silent)
    _write(path, caller, agent)

    viewer = app.login("acme-viewer")
    got = viewer.get(f"/api/recordings/{ident}/peaks", params={"buckets": 50})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["buckets"] == 50 and body["scale"] == 1000
    assert abs(body["seconds"] - 5.0) < 0.1
    caller_peaks, agent_peaks = body["caller"], body["agent"]
    assert len(caller_peaks) == len(agent_peaks) == 50
    # 0.5 of full scale where each speaks; the hold (bucket 20 to 29) flat on both.
    assert 400 < max(caller_peaks[1:19]) < 600 and 400 < max(agent_peaks[31:49]) < 600
    assert max(caller_peaks[21:29] + agent_peaks[21:29]) == 0
    assert max(agent_peaks[1:19]) < 150  # what the codec lets through from the left
    # Loudness is not the call: no playback is audited for it.
    assert _audits(app, "recording.%") == []

    assert viewer.get(f"/api/recordings/{ident}/peaks", params={"buckets": 5}).status_code == 422
    assert viewer.get(f"/api/recordings/{ident}/peaks", params={"buckets": 9999}).status_code == 422
    assert app.login("globex-viewer").get(f"/api/recordings/{ident}/peaks").status_code == 404
    assert app.login("a000").get(f"/api/recordings/{ident}/peaks").status_code == 404
    # A file that is not audio: said, not a 500.
    broken, _ = _recording(app, client="acme", contact="k-acme-x", created_at=now)
    refused = viewer.get(f"/api/recordings/{broken}/peaks")
    assert refused.status_code == 409 and "does not decode" in refused.json()["message"]


def test_the_policies_are_listed_for_the_administration_pages(app: Served) -> None:
    admin = app.login("admin")
    assert admin.get("/api/admin/recording-policies").json() == []
    path = "/api/admin/campaigns/acme-returns/recording-policy"
    assert admin.put(path, json={"mode": "share", "share_percent": 30}).status_code == 204
    assert admin.get("/api/admin/recording-policies").json() == [
        {"campaign_id": "acme-returns", "mode": "share", "share_percent": 30}
    ]
    assert app.login("sup-acme").get("/api/admin/recording-policies").status_code == 403


def test_the_voicemails_are_listed_newest_first_for_the_clients_one_sees(app: Served) -> None:
    now = app.app.state.app_context.now()
    made = {}
    for client, contact, ago, kind in (
        ("acme", "k-vm-old", 3 * DAY, "voicemail"),
        ("acme", "k-vm-new", 60.0, "voicemail"),
        ("acme", "k-vm-call", 30.0, "call"),
        ("globex", "k-vm-globex", 10.0, "voicemail"),
    ):
        made[contact] = recordings_q.add(
            app.writer.engine, contact=contact, client=client, call=f"call-{contact}",
            file=f"{client}/{contact}.ogg", seconds=2.0, started_at=now - ago - 5,
            created_at=now - ago, kind=kind,
        )  # fmt: skip

    def listed(who: str, **params: object) -> list[str]:
        r = app.login(who).get("/api/recordings/voicemails", params=params)
        assert r.status_code == 200, r.text
        assert all(v["kind"] == "voicemail" for v in r.json())
        return [v["contact_id"] for v in r.json() if v["contact_id"].startswith("k-vm-")]

    assert listed("sup-acme") == ["k-vm-new", "k-vm-old"]
    assert listed("acme-viewer", since=now - DAY) == ["k-vm-new"]
    assert listed("sup-globex") == ["k-vm-globex"]
    assert listed("admin") == ["k-vm-globex", "k-vm-new", "k-vm-old"]
    assert listed("sup", limit=1) == ["k-vm-globex"]
    r = app.login("sup-acme").get("/api/recordings/voicemails", params={"limit": 0})
    assert r.status_code == 422 and "limit" in r.json()["message"]
    r = app.login("sup-acme").get("/api/recordings/voicemails", params={"since": "soon"})
    assert r.status_code == 422 and "since" in r.json()["message"]
    # An agent hears a voicemail on the desk, with the callback offered: not from a list.
    assert app.login("a000").get("/api/recordings/voicemails").status_code == 403


def test_a_voicemail_says_whence_it_came_and_is_played_and_dealt_with_in_its_client(
    app: Served,
) -> None:
    # A real call to a number (the voice domain's answer names it), queued in returns,
    # where the caller left a message (filed under the contact, as an overflow does).
    app.writer.execute(AnswerCall("call-w1", contact="v-whence", client="acme",
                                  number="+15550100"))  # fmt: skip
    app.writer.execute(cmd.ArriveContact(ContactId("v-whence"), caller="+15550123",
                                         queue=QueueId("returns")))  # fmt: skip
    now = app.app.state.app_context.now()
    relative = "acme/v-whence.ogg"
    (_store(app) / "acme").mkdir(parents=True, exist_ok=True)
    (_store(app) / relative).write_bytes(b"OggS" + os.urandom(2000))
    voicemail = recordings_q.add(
        app.writer.engine, contact="v-whence", client="acme", call="call-w1", file=relative,
        seconds=6.5, started_at=now - 8, created_at=now, kind="voicemail",
    )  # fmt: skip
    call_recording, _ = _recording(app, client="acme", contact="k-w-call", created_at=now)
    sup = app.login("sup-acme")

    def mine(**params: object) -> list[dict[str, object]]:
        r = sup.get("/api/recordings/voicemails", params=params)
        assert r.status_code == 200, r.text
        return [v for v in r.json() if v["contact_id"] == "v-whence"]

    [listed] = mine()
    assert (listed["queue_id"], listed["number"], listed["caller"]) == (
        "returns", "+15550100", "+15550123",
    )  # fmt: skip
    assert (listed["seconds"], listed["played_at"], listed["dealt_at"]) == (6.5, None, None)

    # Played (from its first byte): the list says so; a seek further on is not a playback.
    assert (
        sup.get(f"/api/recordings/{voicemail}/audio", headers={"Range": "bytes=100-"}).status_code
        == 206
    )
    assert mine()[0]["played_at"] is None
    assert sup.get(f"/api/recordings/{voicemail}/audio").status_code == 200
    assert mine()[0]["played_at"] is not None

    url = f"/api/recordings/voicemails/{voicemail}/dealt-with"
    # Nobody outside acme's staff may mark it: another client's as if it did not exist,
    # viewers and agents not at all; a call recording is no voicemail.
    for outsider, code in (("sup-globex", 404), ("acme-viewer", 403), ("a000", 403)):
        r = app.login(outsider).put(url, json={"dealt_with": True})
        assert r.status_code == code, (outsider, r.text)
    r = sup.put(
        f"/api/recordings/voicemails/{call_recording}/dealt-with", json={"dealt_with": True}
    )
    assert r.status_code == 404 and "voicemail" in r.json()["message"]
    r = sup.put(url, json={"dealt_with": "maybe"})
    assert r.status_code == 422 and "dealt_with" in r.json()["message"]
    assert mine()[0]["dealt_at"] is None

    assert sup.put(url, json={"dealt_with": True}).status_code == 204
    [dealt] = mine()
    assert dealt["dealt_by"] == "sup-acme" and dealt["dealt_at"] is not None
    assert mine(pending=True) == []  # hidden from the open ones, kept in the list
    assert app.login("admin").put(url, json={"dealt_with": False}).status_code == 204
    assert [v["dealt_at"] for v in mine(pending=True)] == [None]
    # Never in another client's list.
    for outsider in ("sup-globex", "globex-viewer"):
        others = app.login(outsider).get("/api/recordings/voicemails").json()
        assert "v-whence" not in [v["contact_id"] for v in others]

    assert _audits(app, "voicemail.%") == [
        ("sup-acme", "voicemail.played", "acme/v-whence"),
        ("sup-acme", "voicemail.dealt_with", "acme/v-whence"),
        ("admin", "voicemail.reopened", "acme/v-whence"),
    ]


def _voicemail(app: Served, contact: str, *, caller: str, client: str = "acme") -> int:
    """A caller queued in returns (globex: sales) who left a message and hung up: the
    message is filed under their contact, as a queue's overflow to voicemail files it."""
    queue = "returns" if client == "acme" else "sales"
    app.writer.execute(cmd.ArriveContact(ContactId(contact), caller=caller, queue=QueueId(queue)))
    app.writer.execute(cmd.CallerHangUp(ContactId(contact)))
    now = app.app.state.app_context.now()
    relative = f"{client}/{contact}.ogg"
    (_store(app) / client).mkdir(parents=True, exist_ok=True)
    (_store(app) / relative).write_bytes(b"OggS" + os.urandom(2500))
    return recordings_q.add(
        app.writer.engine, contact=contact, client=client, call=f"call-{contact}",
        file=relative, seconds=5.0, started_at=now - 6, created_at=now, kind="voicemail",
    )  # fmt: skip


def _events_of(app: Served, contact: str) -> list[tuple[str, dict[str, object]]]:
    e = t.events
    with app.writer.engine.connect() as conn:
        rows = conn.execute(
            select(e.c.type, e.c.payload).where(e.c.contact_id == contact).order_by(e.c.id)
        ).all()
    return [
        (r.type, r.payload if isinstance(r.payload, dict) else json.loads(r.payload)) for r in rows
    ]


def test_a_voicemail_becomes_a_callback_its_agent_hears_and_is_refused_a_second_time(
    app: Served,
) -> None:
    voicemail = _voicemail(app, "v-cb1", caller="+15550144")
    url = f"/api/recordings/voicemails/{voicemail}/callback"
    sup = app.login("sup-acme")

    # Refused, changing nothing: another client's people (as if it did not exist),
    # viewers and agents; a queue or agent outside acme; a call recording; bad input.
    for outsider, code in (("sup-globex", 404), ("acme-viewer", 403), ("a000", 403)):
        r = app.login(outsider).post(url, json={})
        assert r.status_code == code, (outsider, r.text)
    for body, code, words in (
        ({"queue": "sales"}, 404, "sales"),  # globex's: not acme's to see
        ({"queue": "nowhere"}, 404, "nowhere"),
        ({"agent": "g000"}, 404, "g000"),  # globex's agent
        ({"agent": "nobody"}, 404, "nobody"),
        ({"queue": "../x"}, 422, "queue"),
        ({"agent": 7}, 422, "agent"),
    ):
        r = sup.post(url, json=body)
        assert r.status_code == code and words in r.json()["message"], (body, r.text)
    # The firm-wide supervisor sees globex's queue: refused naming whose it is.
    r = app.login("sup").post(url, json={"queue": "sales"})
    assert r.status_code == 422 and "globex" in r.json()["message"], r.text
    call_recording, _ = _recording(app, client="acme", contact="k-cb-call", created_at=0.0)
    r = sup.post(f"/api/recordings/voicemails/{call_recording}/callback", json={})
    assert r.status_code == 404 and "voicemail" in r.json()["message"]
    assert _events_of(app, "v-cb1~vm") == []

    # Called back through the voicemail's own queue, a001 (signed in, not ready) rung
    # first once ready.
    ana = app.login("a001")
    assert ana.post("/api/agent/sign-in", json={"ready": False}).status_code == 200
    r = sup.post(url, json={"agent": "a001"})
    assert r.status_code == 201, r.text
    assert r.json() == {
        "callback_id": "v-cb1~vm", "queue_id": "returns", "agent_id": "a001",
        "caller": "+15550144",
    }  # fmt: skip
    [(arrived, a), (queued, q)] = _events_of(app, "v-cb1~vm")
    assert (arrived, a["channel"], a["caller"], a["origin"]) == (
        "ContactArrived", "callback", "+15550144", "v-cb1",
    )  # fmt: skip
    assert (queued, q["queue"], q["preferred_agent"]) == ("ContactQueued", "returns", "a001")
    [listed] = [v for v in sup.get("/api/recordings/voicemails").json() if v["id"] == voicemail]
    assert (listed["dealt_by"], listed["callback_id"]) == ("sup-acme", "v-cb1~vm")
    assert listed["dealt_at"] is not None
    pending = sup.get("/api/recordings/voicemails", params={"pending": True}).json()
    assert voicemail not in [v["id"] for v in pending]

    # Once is all: again, or by anyone else, it is refused saying why.
    r = sup.post(url, json={})
    assert r.status_code == 409 and "callback already" in r.json()["message"], r.text
    assert app.login("admin").post(url, json={}).status_code == 409
    # Nor opened again: its follow-up is the callback's.
    dealt = f"/api/recordings/voicemails/{voicemail}/dealt-with"
    r = sup.put(dealt, json={"dealt_with": False})
    assert r.status_code == 409 and "callback v-cb1~vm" in r.json()["message"], r.text

    # a001 is ready, is offered the callback and hears the message on the desk; a000
    # never had it, and does not.
    assert ana.post("/api/agent/ready").status_code == 200
    assert [t_ for t_, _ in _events_of(app, "v-cb1~vm")][-1] == "ContactOffered"
    heard = ana.get("/api/recordings", params={"contact": "v-cb1~vm"}).json()
    assert [(h["id"], h["kind"]) for h in heard] == [(voicemail, "voicemail")]
    assert ana.get(f"/api/recordings/{voicemail}/audio").status_code == 200
    tom = app.login("a000")
    assert tom.get("/api/recordings", params={"contact": "v-cb1~vm"}).json() == []
    assert tom.get(f"/api/recordings/{voicemail}/audio").status_code == 404

    assert _audits(app, "voicemail.%") == [
        ("sup-acme", "voicemail.called_back", "acme/v-cb1"),
        ("a001", "voicemail.played", "acme/v-cb1"),
    ]


def test_a_voicemail_dealt_with_or_still_owed_a_callback_or_without_a_number_is_refused(
    app: Served,
) -> None:
    sup = app.login("sup-acme")
    # Dealt with already: refused, by whom said.
    dealt = _voicemail(app, "v-cb-dealt", caller="+15550145")
    assert (
        sup.put(
            f"/api/recordings/voicemails/{dealt}/dealt-with", json={"dealt_with": True}
        ).status_code
        == 204
    )
    r = sup.post(f"/api/recordings/voicemails/{dealt}/callback", json={})
    assert r.status_code == 409 and "dealt with already, by sup-acme" in r.json()["message"]

    # A caller the trunk gave no number: nobody to call.
    nameless = _voicemail(app, "v-cb-anon", caller="")
    r = sup.post(f"/api/recordings/voicemails/{nameless}/callback", json={})
    assert r.status_code == 409 and "number is unknown" in r.json()["message"], r.text

    # A menu leaf's message, filed under the callback it still owes: the core refuses,
    # and the voicemail stays as it was (not dealt with, no callback).
    app.writer.execute(cmd.ArriveContact(ContactId("v-leaf"), caller="+15550146",
                                         queue=QueueId("returns")))  # fmt: skip
    app.writer.execute(cmd.RequestCallback(ContactId("v-leaf")))
    now = app.app.state.app_context.now()
    (_store(app) / "acme").mkdir(parents=True, exist_ok=True)
    (_store(app) / "acme/v-leaf~cb.ogg").write_bytes(b"OggS" + os.urandom(500))
    owed = recordings_q.add(
        app.writer.engine, contact="v-leaf~cb", client="acme", call="call-leaf",
        file="acme/v-leaf~cb.ogg", seconds=2.0, started_at=now - 3, created_at=now,
        kind="voicemail",
    )  # fmt: skip
    r = sup.post(f"/api/recordings/voicemails/{owed}/callback", json={})
    assert r.status_code == 409 and "callback not over yet (queued)" in r.json()["message"]
    row = recordings_q.one(app.writer.engine, owed)
    assert row is not None and (row.dealt_at, row.callback_id) == (None, None)
    assert _audits(app, "voicemail.called_back") == []


def test_two_supervisors_calling_one_voicemail_back_at_once_make_one_callback(
    app: Served,
) -> None:
    voicemail = _voicemail(app, "v-cb-race", caller="+15550147")
    url = f"/api/recordings/voicemails/{voicemail}/callback"
    answers = at_once(
        [(app.login(who), lambda c: c.post(url, json={})) for who in ("sup-acme", "sup", "admin")]
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409], [r.text for r in answers]
    [made] = [r.json() for r in answers if r.status_code == 201]
    assert made["callback_id"] == "v-cb-race~vm"
    arrived = [t_ for t_, _ in _events_of(app, "v-cb-race~vm") if t_ == "ContactArrived"]
    assert arrived == ["ContactArrived"]
    assert len(_audits(app, "voicemail.called_back")) == 1
