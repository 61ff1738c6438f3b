"""A steady load on a real writer, recording every acknowledgement: for the crash test.

    python tests/store/loadgen.py --database-url URL --ack-file PATH [--agents 8]

Each worker thread plays one agent's day on the seeded returns line: it brings in a
call, answers whatever is offered to its agent, autosaves notes, ends the call, gives
the final note and outcome, and comes back ready. After each command is acknowledged
it appends to the ack file what the log must now hold:

    E <id> <id> ...                      event ids of the acknowledged command
    N <contact> <revision> <sha256>      a note (draft or final) and its text's digest

Lines are written with one ``os.write`` on an O_APPEND file after the acknowledgement,
so a SIGKILL leaves only whole lines, each of them acknowledged. Runs until killed or
for ``--seconds``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import threading
import time

from sqlalchemy import func, select

from hearthline.crm.commands import CrmCommand, DraftNote, FinishNote
from hearthline.crm.errors import CrmError
from hearthline.demo import sample as demo
from hearthline.kernel.clock import WallClock
from hearthline.kernel.envelope import Envelope
from hearthline.kernel.ids import AgentId, ContactId
from hearthline.routing import commands as cmd
from hearthline.routing.domain import LiveRouting
from hearthline.routing.errors import RoutingError
from hearthline.routing.states import AgentState
from hearthline.routing.views import AgentView
from hearthline.service.errors import ServiceError
from hearthline.service.writer import Writer
from hearthline.store import tables
from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade


class _Acks:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def events(self, stored: list[Envelope]) -> None:
        if stored:
            os.write(self.fd, ("E " + " ".join(str(s.id) for s in stored) + "\n").encode())

    def note(self, contact: str, revision: int, text: str) -> None:
        digest = hashlib.sha256(text.encode()).hexdigest()
        os.write(self.fd, f"N {contact} {revision} {digest}\n".encode())


def _worker(
    writer: Writer, acks: _Acks, me: AgentId, tag: str, seed: int, stop: threading.Event
) -> None:
    rng = random.Random(seed)
    n = 0

    def run(command: cmd.Command | CrmCommand) -> list[Envelope] | None:
        try:
            stored = writer.execute(command)
        except (RoutingError, CrmError, ServiceError):
            return None
        acks.events(stored)
        return stored

    def me_now() -> AgentView:
        return writer.query(lambda state: state.part(LiveRouting).router.agent(me))

    while not stop.is_set():
        view = me_now()
        if view.state is AgentState.OFFLINE:
            run(cmd.SignIn(me, ready=True))
        elif not view.connected:
            run(cmd.ReportReconnected(me))
        elif view.state is AgentState.NOT_READY or view.state is AgentState.WRAP_UP:
            run(cmd.MakeReady(me))
        n += 1
        contact = ContactId(f"{tag}-{me}-{n}")
        run(cmd.ArriveContact(contact, caller=f"+1555{n:06d}", queue=demo.QUEUE))
        view = me_now()
        if view.state is not AgentState.RESERVED or view.contact is None:
            continue
        mine = view.contact
        if run(cmd.AcceptOffer(me, mine)) is None:
            continue
        text = ""
        for revision in (1, 2):
            text += f"rev {revision}: customer {mine} wants to return item {rng.randrange(999)}. "
            if run(DraftNote(mine, me, revision, text, (("order_number", f"o{n}"),))):
                acks.note(mine, revision, text)
        if rng.random() < 0.5:
            run(cmd.CallerHangUp(mine))
        else:
            run(cmd.EndContact(me, mine))
        final = text + "final."
        outcome = rng.choice([d.id for d in demo.RETURNS_FORMS.dispositions])
        if run(FinishNote(mine, me, outcome, final, (("order_number", f"o{n}"),))):
            acks.note(mine, 3, final)
        run(cmd.MakeReady(me))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="loadgen.py")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--ack-file", required=True)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3600.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--snapshot-every", type=int, default=500)
    args = parser.parse_args(argv)
    engine = create_store_engine(args.database_url)
    upgrade(engine)
    with engine.connect() as conn:
        configured = conn.execute(select(func.count()).select_from(tables.agents)).scalar_one()
    if not configured:
        demo.seed(engine, agents=args.agents)
    writer = Writer(
        engine=engine,
        clock=WallClock(),
        rng=random.Random(args.seed),
        snapshot_every=args.snapshot_every,
        own_engine=True,
    )
    writer.start()
    print(f"ready {writer.last_event_id}", flush=True)
    acks = _Acks(args.ack_file)
    stop = threading.Event()
    tag = f"r{args.seed}-{os.getpid()}"
    workers = [
        threading.Thread(
            target=_worker,
            args=(writer, acks, demo.agent_id(i), tag, args.seed * 1000 + i, stop),
            daemon=True,
        )
        for i in range(args.agents)
    ]
    for w in workers:
        w.start()
    time.sleep(args.seconds)
    stop.set()
    for w in workers:
        w.join()
    writer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
