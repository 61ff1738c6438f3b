"""Choosing: which contact an agent who comes free takes, and which agent a contact gets.

The rule (docs/routing.md): an agent takes the most deserving contact among all the
contacts it may take, across every queue it serves: highest priority first, then the
longest waiting, then the earliest to arrive. A contact that finds several agents free
goes to the one its queue's strategy prefers. Each side looks only at the buckets it
belongs to, so a decision costs the same with ten agents or ten thousand.
"""

from __future__ import annotations

import heapq

from hearthline.kernel.ids import AgentId
from hearthline.kernel.records import mypyc_attr
from hearthline.routing.apply import Applying
from hearthline.routing.config import Strategy
from hearthline.routing.events import ContactOffered
from hearthline.routing.runtime import Agent, AgentEntry, Bucket, Contact, ContactEntry
from hearthline.routing.states import AgentState, ContactState

_AVAILABLE = AgentState.AVAILABLE


def _valid_head(heap: list[ContactEntry], agent: Agent) -> ContactEntry | None:
    """The best live entry of ``heap`` that ``agent`` has not declined; drops stale heads."""
    while heap:
        e = heap[0]
        c = e[4]
        if c.epoch != e[3]:
            heapq.heappop(heap)
            continue
        if c.declined is not None and agent.id in c.declined:
            # Rare: the head was declined by this agent. Look past it without disturbing
            # the heap for everyone else.
            best: ContactEntry | None = None
            for cand in heap:
                cc = cand[4]
                usable = cc.epoch == cand[3] and (
                    cc.declined is None or agent.id not in cc.declined
                )
                if usable and (best is None or cand < best):
                    best = cand
            return best
        return e
    return None


@mypyc_attr(allow_interpreted_subclasses=True)
class Matching(Applying):
    def flush_dirty(self) -> None:
        """Enters agents who became available into the pools of their buckets.

        Deferred until a contact needs an agent: an agent who finds work the moment it
        comes free never enters (and never has to leave) any pool.
        """
        for agent in self.dirty:
            if agent.state is _AVAILABLE and agent.pushed_version != agent.version:
                agent.pushed_version = agent.version
                for b in agent.buckets:
                    b.push_agent(agent)
        self.dirty.clear()

    def best_contact_for(self, agent: Agent) -> Contact | None:
        best = _valid_head(agent.personal, agent)
        for b in agent.buckets:
            e = _valid_head(b.contacts, agent)
            if e is not None and (best is None or e < best):
                best = e
        return best[4] if best is not None else None

    def pick_agent(self, b: Bucket, c: Contact) -> Agent | None:
        pool = b.pool
        declined = c.declined
        if b.strategy is Strategy.RANDOM:
            return self._pick_random(pool, declined)
        skipped = []
        found = None
        while pool:
            e = pool[0]
            a: Agent = e[-1]
            if a.version != e[-2]:
                heapq.heappop(pool)
            elif declined is not None and a.id in declined:
                skipped.append(heapq.heappop(pool))
            else:
                found = a
                break
        for e in skipped:
            heapq.heappush(pool, e)
        return found

    def _pick_random(self, pool: list[AgentEntry], declined: set[AgentId] | None) -> Agent | None:
        while pool:
            i = self.rng.randrange(len(pool))
            e = pool[i]
            a: Agent = e[-1]
            if a.version != e[-2]:
                pool[i] = pool[-1]  # stale: swap-remove, order does not matter here
                pool.pop()
                continue
            if declined is not None and a.id in declined:
                live: list[Agent] = [
                    x[-1] for x in pool if x[-1].version == x[-2] and x[-1].id not in declined
                ]
                return live[self.rng.randrange(len(live))] if live else None
            return a
        return None

    def offer(self, c: Contact, agent: Agent, at: float) -> None:
        assert c.queue is not None
        timeout = self.queues[c.queue].cfg.offer_timeout_s
        self.emit(ContactOffered(at=at, contact=c.id, agent=agent.id, expires_at=at + timeout))

    def find_agent_for(self, c: Contact, at: float) -> None:
        """A contact has just taken a place: give it to a free agent if one may take it."""
        if c.state is not ContactState.QUEUED:
            return
        target = c.target
        if target is not None:
            if target.state is _AVAILABLE and (c.declined is None or target.id not in c.declined):
                self.offer(c, target, at)
            return
        self.flush_dirty()
        assert c.bucket is not None
        agent = self.pick_agent(c.bucket, c)
        if agent is not None:
            self.offer(c, agent, at)

    def offer_work_to(self, agent: Agent, at: float) -> None:
        """An agent has just come free: give it the most deserving contact it may take."""
        if agent.state is not _AVAILABLE:
            return
        c = self.best_contact_for(agent)
        if c is not None:
            self.offer(c, agent, at)
