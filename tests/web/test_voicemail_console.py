"""The supervisor console's voicemails: a caller the full Returns queue sent to voicemail
left a message (the core's own overflow, the file as the recorder writes it); acme's
supervisor finds it under the wallboard's button with the queue, the number dialled and
the caller's number, plays it in Chromium with the quality page's player (audited, and
the list says "Played"), and marks it dealt with (stored, audited, hidden unless asked).
Globex's voicemail never appears to acme's people; acme's viewer hears but marks nothing;
the firm-wide supervisor sees both clients'. A supervisor turns another message into a
callback from the console, rung first to Maria, who hears the message on her desk while
the callback rings."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from hearthline.api.security import password_hasher
from hearthline.kernel.ids import AgentId, ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing.config import Overflow, OverflowKind
from hearthline.service.configuration import update_queue
from hearthline.store import config_repo, tables
from hearthline.store.queries import recordings as recordings_q
from hearthline.voice.commands import AnswerCall
from tests.web.server import PASSWORD, ROUTING, WebServer, start_server
from tests.web.support import no_page_errors, open_as
from tests.web.test_voicemail_desk import _message

pytestmark = pytest.mark.browser

NUMBER = "+15550430"
CALLER = "+15557770431"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    root = tmp_path_factory.mktemp("voicemail-console")
    served = start_server(root / "hearthline.sqlite3", extra={"data_dir": str(root / "data")})
    hashed = password_hasher(time_cost=1, memory_kib=1024).hash(PASSWORD)
    with served.writer.engine.begin() as conn:  # a supervisor of acme alone
        config_repo.add_user(conn, "sup-acme", role="supervisor", client="acme", agent=None,
                             display_name="Acme supervisor", password_hash=hashed)  # fmt: skip
    yield served
    served.stop()


def _index(server: WebServer, *, client: str, contact: str, call: str, ago: float) -> int:
    data_dir = Path(server.app.state.app_context.settings.data_dir).resolve()
    relative = f"{client}/{contact}.ogg"
    _message(data_dir / "recordings" / relative)
    now = server.app.state.app_context.now()
    return recordings_q.add(
        server.writer.engine, contact=contact, client=client, call=call, file=relative,
        seconds=3.0, started_at=now - ago - 3, created_at=now - ago, kind="voicemail",
    )  # fmt: skip


def _overflowed_message(
    server: WebServer, *, call: str = "vmc-1", caller: str = CALLER, ago: float = 60.0
) -> int:
    """A real call to acme's number queued in Returns, full: the core sends it to voicemail."""
    [returns] = [q for q in ROUTING.queues if q.id == "returns"]
    full = dataclasses.replace(returns, max_length=0, on_full=Overflow(OverflowKind.VOICEMAIL))
    contact = f"v-{call}"
    update_queue(server.writer, full)
    try:
        server.writer.execute(AnswerCall(call, contact=contact, client="acme", number=NUMBER))
        stored = server.writer.execute(
            cmd.ArriveContact(ContactId(contact), caller=caller, queue=QueueId("returns"))
        )
    finally:
        update_queue(server.writer, returns)
    assert "ContactOverflowed" in [type(e.event).__name__ for e in stored]
    return _index(server, client="acme", contact=contact, call=call, ago=ago)


def _rows(page: Page) -> list[str]:
    return page.locator("#voicemail-list tbody tr[data-voicemail]").evaluate_all(
        "rows => rows.map(r => r.dataset.voicemail)"
    )


def test_a_supervisor_hears_a_voicemail_and_marks_it_dealt_with_in_their_clients_only(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    mine = _overflowed_message(server)
    older = _index(server, client="acme", contact="v-vmc-2", call="vmc-2", ago=3600.0)
    theirs = _index(server, client="globex", contact="v-vmc-g", call="vmc-g", ago=30.0)

    page = open_as(browser, server, "sup-acme", lands_on="/supervisor")
    button = page.locator("#voicemail-button")
    expect(button).to_contain_text("Voicemails: 2 new")
    button.click()
    dialog = page.locator("#voicemails")
    expect(dialog).to_be_visible()
    expect(dialog.locator("tbody tr[data-voicemail]")).to_have_count(2)
    assert _rows(page) == [str(mine), str(older)]  # newest first; globex's is not there
    row = dialog.locator(f'tr[data-voicemail="{mine}"]')
    cells = row.locator("td").all_inner_texts()
    assert cells[1:6] == ["Returns", NUMBER, CALLER, "0:03", "Not played"], cells
    page.screenshot(path=str(screenshots / "console-voicemails.png"))

    # Listen: the quality page's player and waveform; Chromium plays the stored file.
    row.locator("button.listen").click()
    player = dialog.locator(f'tr.voicemail-player-row[data-id="{mine}"]')
    expect(player.locator("audio.recording")).to_have_count(1)
    page.wait_for_function(
        "s => { const a = document.querySelector(s); return a && a.currentTime > 0.5; }",
        arg=f'tr.voicemail-player-row[data-id="{mine}"] audio',
        timeout=15_000,
    )
    played = player.locator("audio").evaluate(
        "a => ({ d: a.duration, e: a.error && a.error.code })"
    )
    assert played["e"] is None and abs(played["d"] - 3.0) < 0.3, played
    expect(player.locator(".wave")).to_have_attribute("data-drawn", "true")
    # The caller alone: one row (a mono file's two equal channels are not an agent).
    expect(player.locator(".wave-row-label")).to_have_text(["Caller"])
    expect(row.locator("td.status")).to_have_text("Played")
    page.screenshot(path=str(screenshots / "console-voicemail-playing.png"))

    # Dealt with: gone from those to deal with, shown again when asked, by whom.
    row.locator("button.dealt").click()
    expect(dialog.locator(f'tr[data-voicemail="{mine}"]')).to_have_count(0)
    expect(button).to_contain_text("Voicemails: 1 new")
    dialog.locator("#voicemail-all").check()
    expect(row.locator("td.status")).to_have_text("Dealt with · sup-acme")
    expect(row.locator("button.dealt")).to_have_text("Open again")
    assert _rows(page) == [str(mine), str(older)]
    page.screenshot(path=str(screenshots / "console-voicemail-dealt.png"))
    no_page_errors(page)

    # Acme's viewer: acme's messages, nothing to mark; never globex's.
    viewer = open_as(browser, server, "acme-viewer", lands_on="/supervisor")
    expect(viewer.locator("#voicemail-button")).to_contain_text("Voicemails: 1 new")
    viewer.locator("#voicemail-button").click()
    expect(viewer.locator("#voicemail-list tbody tr[data-voicemail]")).to_have_count(1)
    assert _rows(viewer) == [str(older)]
    expect(viewer.locator("#voicemails button.dealt")).to_have_count(0)
    expect(viewer.locator("#voicemails button.call-back")).to_have_count(0)
    viewer.locator("#voicemail-all").check()
    expect(viewer.locator("#voicemail-list tbody tr[data-voicemail]")).to_have_count(2)
    assert str(theirs) not in _rows(viewer)
    no_page_errors(viewer)

    # The firm-wide supervisor sees every client's, globex's among them.
    firm = open_as(browser, server, "super", lands_on="/supervisor")
    expect(firm.locator("#voicemail-button")).to_contain_text("Voicemails: 2 new")
    firm.locator("#voicemail-button").click()
    expect(firm.locator("#voicemail-list tbody tr[data-voicemail]")).to_have_count(2)
    assert _rows(firm) == [str(theirs), str(older)]
    expect(firm.locator(f'tr[data-voicemail="{theirs}"] td').first).to_contain_text("Globex")
    # The console's client company chosen: that client's alone, counted and listed.
    firm.locator("#voicemails button", has_text="Close").last.click()
    firm.select_option("#client-filter", "globex")
    expect(firm.locator("#voicemail-button")).to_contain_text("Voicemails: 1 new")
    firm.locator("#voicemail-button").click()
    expect(firm.locator("#voicemail-list tbody tr[data-voicemail]")).to_have_count(1)
    assert _rows(firm) == [str(theirs)]
    no_page_errors(firm)

    r = tables.recordings
    a = tables.audit_log
    with server.writer.engine.connect() as conn:
        dealt = conn.execute(select(r.c.dealt_by, r.c.played_at).where(r.c.id == mine)).one()
        audits = conn.execute(
            select(a.c.username, a.c.action, a.c.target)
            .where(a.c.action.like("voicemail.%"))
            .order_by(a.c.id)
        ).all()
    assert dealt.dealt_by == "sup-acme" and dealt.played_at is not None
    assert [tuple(x) for x in audits] == [
        ("sup-acme", "voicemail.played", "acme/v-vmc-1"),
        ("sup-acme", "voicemail.dealt_with", "acme/v-vmc-1"),
    ]


def test_a_supervisor_turns_a_voicemail_into_a_callback_whose_agent_hears_it(
    browser: Browser, server: WebServer, screenshots: Path
) -> None:
    caller = "+15557770499"
    message = _overflowed_message(server, call="vmc-cb", caller=caller, ago=10.0)
    # Maria is signed in, not ready: she can be rung first once she is ready.
    server.writer.execute(cmd.SignIn(AgentId("a-maria"), ready=False))

    page = open_as(browser, server, "sup-acme", lands_on="/supervisor")
    expect(page.locator("#voicemail-button")).to_contain_text("Voicemails: 2 new")
    page.locator("#voicemail-button").click()
    dialog = page.locator("#voicemails")
    row = dialog.locator(f'tr[data-voicemail="{message}"]')
    expect(row.locator("td.status")).to_have_text("Not played")
    row.locator("button.call-back").click()
    form = dialog.locator(f'tr.voicemail-callback-row[data-id="{message}"]')
    expect(form).to_contain_text(f"Call {caller} back from")
    # Its own queue by default; acme's queues alone (never globex's Sales).
    queue = form.locator("select.callback-queue")
    expect(queue).to_have_value("returns")
    assert "sales" not in queue.locator("option").evaluate_all("os => os.map(o => o.value)")
    form.locator("select.callback-agent").select_option(label="Maria Lopez")
    page.screenshot(path=str(screenshots / "console-voicemail-callback.png"))
    form.locator("button.make-callback").click()

    expect(dialog.locator("#voicemail-done")).to_have_text(
        f"Callback to {caller} queued in Returns, Maria Lopez rung first."
    )
    expect(dialog.locator(f'tr[data-voicemail="{message}"]')).to_have_count(0)  # dealt with
    dialog.locator("#voicemail-all").check()
    expect(row.locator("td.status")).to_have_text("Called back · sup-acme")
    expect(row.locator("button.call-back")).to_have_count(0)  # once is all
    page.screenshot(path=str(screenshots / "console-voicemail-called-back.png"))
    no_page_errors(page)

    # Maria's desk: the callback rings with the caller's message to hear first.
    desk = open_as(browser, server, "maria", lands_on="/agent")
    expect(desk.locator("#state-pill")).to_have_text("Not ready")
    desk.click("#ready-button")
    expect(desk.locator("#offer-layer")).to_be_visible()
    expect(desk.locator("#offer-layer")).to_contain_text(caller)
    offered = desk.locator("#offer-voicemail")
    expect(offered.locator(".voicemail-label")).to_contain_text("Voicemail · 0:03")
    offered.locator("audio").evaluate("a => a.play()")
    desk.wait_for_function(
        "() => document.querySelector('#offer-voicemail audio').currentTime > 0.5",
        timeout=15_000,
    )
    heard = offered.locator("audio").evaluate(
        "a => ({ d: a.duration, e: a.error && a.error.code })"
    )
    assert heard["e"] is None and abs(heard["d"] - 3.0) < 0.3, heard
    desk.screenshot(path=str(screenshots / "agent-voicemail-callback.png"))
    no_page_errors(desk)

    e = tables.events
    a = tables.audit_log
    with server.writer.engine.connect() as conn:
        offered_to = conn.execute(
            select(e.c.agent_id).where(
                e.c.type == "ContactOffered", e.c.contact_id == "v-vmc-cb~vm"
            )
        ).all()
        audits = conn.execute(
            select(a.c.username, a.c.action, a.c.target)
            .where(a.c.action.like("voicemail.%"), a.c.target == "acme/v-vmc-cb")
            .order_by(a.c.id)
        ).all()
    assert [o.agent_id for o in offered_to] == ["a-maria"]
    assert [tuple(x) for x in audits] == [
        ("sup-acme", "voicemail.called_back", "acme/v-vmc-cb"),
        ("maria", "voicemail.played", "acme/v-vmc-cb"),
    ]
