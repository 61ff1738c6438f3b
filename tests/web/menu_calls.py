"""Callers walking a menu for the browser tests: the control plane on the server's own
writer and customer records, with the fake media engine (no audio, no sipp)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from hearthline.store.queries import customers as customers_q
from hearthline.telephony.control import ControlPlane
from hearthline.telephony.media import FakeMedia
from hearthline.telephony.menu_calls import MenuPlan
from tests.web.server import WebServer

SDP = "v=0\r\nm=audio 4000 RTP/AVP 0\r\n"


class Files:
    """Prompts of no length: the menu waits only for keys and timeouts."""

    def joined(self, files: list[str]) -> str:
        return "+".join(files)

    def seconds(self, file: str) -> float:
        return 0.0


def walk_menu(
    server: WebServer,
    plan: MenuPlan,
    *,
    number: str,
    call: str,
    caller: str,
    keys: str = "",
    hang_up: bool = False,
) -> str:
    """One caller dials ``number``, presses ``keys``, and hangs up in the menu or not (then
    stays where the keys left them: in the menu, or queued). Returns the call's contact."""

    async def find_menu(dialled: str) -> MenuPlan | None:
        return plan if dialled == number else None

    async def find_number(dialled: str) -> tuple[str, str] | None:
        return None

    async def look_up(client: str, kind: str, digits: str) -> str | None:
        engine = server.writer.engine
        return await asyncio.to_thread(customers_q.account, engine, client=client, number=digits)

    async def scenario() -> str:
        control = ControlPlane(
            writer=server.writer, media=FakeMedia(), find_number=find_number,
            signal=lambda message: None, tell_agent=lambda agent, message: None,
            prompt="/p/greeting.wav", find_menu=find_menu, look_up=look_up, files=Files(),
        )  # fmt: skip
        await control.on_signal(
            {"event": "invite", "call": call, "from": caller, "to": number, "sdp": SDP}
        )
        contact = control.calls[call].contact
        for key in keys:
            await control.on_dtmf(call, key)
        if hang_up:
            await control.on_signal({"event": "hangup", "call": call})
        return contact

    # Playwright's sync API keeps an event loop on the test's thread: the call runs on its own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(scenario())).result(timeout=60)
