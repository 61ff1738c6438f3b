"""Appliers: the only code that changes the core's state, one per event type.

They decide nothing: an applier does exactly what its event says happened, so replaying
a log through them rebuilds the state the live core had. Timers are state too (when an
offer expires, when a contact escalates), so appliers set them; a timer whose owner has
moved on is recognised as stale when it comes due, by the owner's epoch or version.
"""

from __future__ import annotations

import heapq

from hearthline.kernel.records import mypyc_attr
from hearthline.routing import events as ev
from hearthline.routing.config import SYSTEM_REASONS, Channel, OverflowKind
from hearthline.routing.runtime import (
    T_CONSULT,
    T_DUE,
    T_GRACE,
    T_MAX_WAIT,
    T_OFFER,
    T_PREFER,
    T_STEP,
    T_WRAP,
    Agent,
    Bucket,
    Contact,
    QueueRt,
    RouterState,
)
from hearthline.routing.skills import compile_requirement
from hearthline.routing.states import AgentState, ContactState

A = AgentState
C = ContactState
_COUNTED = (C.QUEUED, C.OFFERED)  # states a queue's waiting counters include
# Smoothing of the handle time that estimated waits use: about the last 20 contacts.
_AHT_WEIGHT = 0.05


@mypyc_attr(allow_interpreted_subclasses=True)
class Applying(RouterState):
    # Configuration -----------------------------------------------------------------------

    def _on_center_configured(self, e: ev.CenterConfigured) -> None:
        self.settings = e.settings

    def _on_campaign_configured(self, e: ev.CampaignConfigured) -> None:
        self.campaigns[e.campaign.id] = e.campaign

    def _on_reasons_configured(self, e: ev.ReasonsConfigured) -> None:
        self.reasons = {r.id: r for r in (*SYSTEM_REASONS, *e.reasons)}

    def _on_queue_configured(self, e: ev.QueueConfigured) -> None:
        cfg = e.queue
        old = self.queues.get(cfg.id)
        q = QueueRt(cfg)
        rank = cfg.ranking_skill
        texts = [cfg.requirement]
        for step in cfg.steps:
            texts.append(step.requirement if step.requirement is not None else texts[-1])
        by_text: dict[str, int] = {}
        for text in texts:
            if text not in by_text:
                by_text[text] = len(q.buckets)
                q.buckets.append(Bucket(q, compile_requirement(text), cfg.strategy, rank))
            q.step_bucket.append(by_text[text])
        self.queues[cfg.id] = q
        self.eligibility_cache.clear()
        for agent in self.agents.values():
            self._place_agent(agent)
        if old is not None:
            q.aht, q.rr_counter = old.aht, old.rr_counter
            self._rehome_waiting(q)

    def _rehome_waiting(self, q: QueueRt) -> None:
        """Moves the contacts of a reconfigured queue into its new buckets, keeping places."""
        last_step = len(q.step_bucket) - 1
        for c in self.contacts.values():
            if c.queue != q.cfg.id or c.state not in _COUNTED:
                continue
            q.waiting += 1
            q.waiting_live += c.channel is not Channel.CALLBACK
            c.step = min(c.step, last_step)
            c.bucket = self.bucket_for(q, c.step, c)
            if c.state is C.QUEUED and c.target is None:
                c.epoch = self.next_epoch()
                c.bucket.push_contact(c)
                self._schedule_waiting_timers(c)

    def _on_agent_configured(self, e: ev.AgentConfigured) -> None:
        agent = self.agents.get(e.profile.id)
        if agent is None:
            agent = Agent(e.profile, ordinal=len(self.agents))
            self.agents[agent.id] = agent
        else:
            agent.profile, agent.levels = e.profile, e.profile.levels
            if agent.state is A.RETIRED:
                self._set_agent(agent, A.OFFLINE, e.at)  # back on the books
        self._place_agent(agent)
        if agent.state is A.AVAILABLE:
            self._bump(agent)
            self.dirty.append(agent)

    def _place_agent(self, agent: Agent) -> None:
        for b in agent.buckets:
            b.eligible.discard(agent.id)
        if agent.state is A.RETIRED:
            # A retired agent is nobody's staff and no queue's option.
            agent.buckets = []
            return
        key = (agent.profile.skills, agent.profile.campaigns)
        buckets = self.eligibility_cache.get(key)
        if buckets is None:
            buckets = [b for q in self.queues.values() for b in q.buckets if b.admits(agent)]
            self.eligibility_cache[key] = buckets
        agent.buckets = buckets
        for b in buckets:
            b.eligible.add(agent.id)

    def _on_day_started(self, e: ev.DayStarted) -> None:
        for agent in self.agents.values():
            agent.handled_today = 0
            if agent.state is A.AVAILABLE:
                self._bump(agent)
                self.dirty.append(agent)

    # Agents ------------------------------------------------------------------------------

    def _bump(self, agent: Agent) -> None:
        self.epoch += 1
        agent.version = self.epoch

    def _set_agent(self, agent: Agent, state: AgentState, at: float) -> None:
        agent.state = state
        agent.state_since = at
        self.epoch += 1
        agent.version = self.epoch

    def _on_agent_signed_in(self, e: ev.AgentSignedIn) -> None:
        agent = self.agents[e.agent]
        self._set_agent(agent, A.NOT_READY, e.at)
        agent.reason = SYSTEM_REASONS[0].id
        agent.connected, agent.lost_at = True, None
        agent.pending, agent.pending_signout = None, False

    def _on_agent_signed_out(self, e: ev.AgentSignedOut) -> None:
        agent = self.agents[e.agent]
        self._set_agent(agent, A.OFFLINE, e.at)
        agent.reason = agent.contact = agent.pending = None
        agent.pending_signout = False

    def _on_agent_retired(self, e: ev.AgentRetired) -> None:
        agent = self.agents[e.agent]
        self._set_agent(agent, A.RETIRED, e.at)
        self._place_agent(agent)

    def _on_agent_became_available(self, e: ev.AgentBecameAvailable) -> None:
        agent = self.agents[e.agent]
        self._set_agent(agent, A.AVAILABLE, e.at)
        agent.available_since = e.at
        agent.reason = agent.contact = agent.pending = None
        self.dirty.append(agent)

    def _on_agent_went_not_ready(self, e: ev.AgentWentNotReady) -> None:
        agent = self.agents[e.agent]
        self._set_agent(agent, A.NOT_READY, e.at)
        agent.reason = e.reason
        agent.contact = agent.pending = None

    def _on_agent_not_ready_requested(self, e: ev.AgentNotReadyRequested) -> None:
        self.agents[e.agent].pending = e.reason

    def _on_agent_connection_lost(self, e: ev.AgentConnectionLost) -> None:
        agent = self.agents[e.agent]
        agent.connected, agent.lost_at = False, e.at
        if agent.state is A.ON_CONTACT:
            self.schedule(e.at + self.settings.connection_grace_s, T_GRACE, agent, agent.version)

    def _on_agent_reconnected(self, e: ev.AgentReconnected) -> None:
        agent = self.agents[e.agent]
        agent.connected, agent.lost_at = True, None

    # Contacts: arriving and waiting ----------------------------------------------------------

    def _on_contact_arrived(self, e: ev.ContactArrived) -> None:
        self.contacts[e.contact] = Contact(
            e.contact,
            e.channel,
            e.caller,
            e.customer,
            e.campaign,
            e.data,
            e.origin,
            e.at,
            e.requirement,
        )

    def bucket_for(self, q: QueueRt, step: int, c: Contact) -> Bucket:
        """The bucket ``c`` waits in at ``step`` of ``q``: the step's, or, for a contact
        with a requirement of its own, one for both requirements, made on first need (every
        agent is placed again so the new bucket knows who may take its contacts)."""
        index = q.step_bucket[step]
        need = c.requirement
        if need is None:
            return q.buckets[index]
        found = q.needs.get((index, need))
        if found is not None:
            return found
        base = q.buckets[index]
        text = need if base.requirement.text == "*" else f"({base.requirement.text}) & ({need})"
        found = Bucket(q, compile_requirement(text), q.cfg.strategy, base.rank_skill)
        q.buckets.append(found)
        q.needs[(index, need)] = found
        self.eligibility_cache.clear()
        for agent in self.agents.values():
            self._place_agent(agent)
            # Available agents already in their pools join this one too (those still
            # waiting in ``dirty`` join every pool of theirs when it is flushed).
            pushed = agent.state is A.AVAILABLE and agent.pushed_version == agent.version
            if pushed and agent.id in found.eligible:
                found.push_agent(agent)
        return found

    def _leave_waiting(self, c: Contact) -> None:
        """Takes a contact out of its queue's counters (and, by a new epoch, its heap)."""
        if c.state in _COUNTED and c.queue is not None:
            q = self.queues[c.queue]
            q.waiting -= 1
            q.waiting_live -= c.channel is not Channel.CALLBACK
        c.epoch = self.next_epoch()

    def _on_contact_queued(self, e: ev.ContactQueued) -> None:
        c = self.contacts[e.contact]
        self._leave_waiting(c)
        q = self.queues[e.queue]
        q.waiting += 1
        q.waiting_live += c.channel is not Channel.CALLBACK
        c.state, c.state_since = C.QUEUED, e.at
        c.queue, c.priority, c.waiting_since, c.seq = e.queue, e.priority, e.waiting_since, e.seq
        c.campaign = q.cfg.campaign
        c.queued_at, c.step, c.agent, c.declined = e.at, 0, None, None
        c.bucket = self.bucket_for(q, 0, c)
        c.prefer_until = e.prefer_until
        c.target = self.agents.get(e.preferred_agent) if e.preferred_agent else None
        if self.seq <= e.seq:
            self.seq = e.seq + 1
        self._place_contact(c)
        self._schedule_waiting_timers(c)

    def _place_contact(self, c: Contact) -> None:
        """Puts a queued contact in the heap it waits in: its named agent's, or its bucket's."""
        target = c.target
        if target is not None and c.prefer_until is not None and c.prefer_until > c.state_since:
            heapq.heappush(target.personal, c.entry())
            self.schedule(c.prefer_until, T_PREFER, c, c.epoch)
        else:
            c.target = None
            assert c.bucket is not None
            c.bucket.push_contact(c)

    def _schedule_waiting_timers(self, c: Contact) -> None:
        cfg = self.queues[c.queue].cfg if c.queue is not None else None
        if cfg is None:
            return
        if c.step < len(cfg.steps):
            self.schedule(c.queued_at + cfg.steps[c.step].after_s, T_STEP, c, c.epoch)
        if cfg.max_wait_s is not None and c.channel is not Channel.CALLBACK:
            self.schedule(c.queued_at + cfg.max_wait_s, T_MAX_WAIT, c, c.epoch)

    def _on_contact_scheduled(self, e: ev.ContactScheduled) -> None:
        c = self.contacts[e.contact]
        c.state, c.state_since = C.SCHEDULED, e.at
        c.queue, c.due_at, c.priority = e.queue, e.due_at, e.priority
        c.campaign = self.queues[e.queue].cfg.campaign
        # Remembered until due, when the callback takes its place (and its preference) then.
        c.target = self.agents.get(e.preferred_agent) if e.preferred_agent else None
        c.epoch = self.next_epoch()
        self.schedule(e.due_at, T_DUE, c, c.epoch)

    def _on_contact_escalated(self, e: ev.ContactEscalated) -> None:
        c = self.contacts[e.contact]
        q = self.queues[c.queue] if c.queue is not None else None
        assert q is not None
        c.epoch = self.next_epoch()
        c.step, c.priority = e.step, e.priority
        c.bucket = self.bucket_for(q, e.step, c)
        if c.target is None:
            c.bucket.push_contact(c)
        else:
            heapq.heappush(c.target.personal, c.entry())
            self.schedule(c.prefer_until or e.at, T_PREFER, c, c.epoch)
        self._schedule_waiting_timers(c)

    def _on_contact_preference_expired(self, e: ev.ContactPreferenceExpired) -> None:
        c = self.contacts[e.contact]
        c.epoch = self.next_epoch()
        c.target, c.prefer_until = None, None
        assert c.bucket is not None
        c.bucket.push_contact(c)
        self._schedule_waiting_timers(c)

    def _on_contact_reprioritised(self, e: ev.ContactReprioritised) -> None:
        c = self.contacts[e.contact]
        c.priority = e.priority
        if c.state is C.QUEUED:
            c.epoch = self.next_epoch()
            self._place_contact(c)
            self._schedule_waiting_timers(c)

    def _on_contact_requeued(self, e: ev.ContactRequeued) -> None:
        c = self.contacts[e.contact]
        c.state, c.state_since = C.QUEUED, e.at
        c.agent = c.offered_at = c.expires_at = None
        c.epoch = self.next_epoch()
        self._place_contact(c)
        self._schedule_waiting_timers(c)

    # Offers ------------------------------------------------------------------------------

    def _on_contact_offered(self, e: ev.ContactOffered) -> None:
        c = self.contacts[e.contact]
        agent = self.agents[e.agent]
        c.state, c.state_since = C.OFFERED, e.at
        c.agent, c.offered_at, c.expires_at = agent.id, e.at, e.expires_at
        c.epoch = self.next_epoch()
        self._set_agent(agent, A.RESERVED, e.at)
        agent.contact = c.id
        if c.queue is not None:
            q = self.queues[c.queue]
            agent.rr[c.queue] = q.rr_counter
            q.rr_counter += 1
        self.schedule(e.expires_at, T_OFFER, c, c.epoch)

    def _on_offer_accepted(self, e: ev.OfferAccepted) -> None:
        c = self.contacts[e.contact]
        agent = self.agents[e.agent]
        self._leave_waiting(c)
        c.state, c.state_since = C.CONNECTED, e.at
        if c.answered_at is None:
            c.answered_at = e.at
        c.target = c.prefer_until = None
        self._set_agent(agent, A.ON_CONTACT, e.at)
        agent.handled_today += 1

    def _release_offer(self, contact: str, agent_id: str) -> None:
        c = self.contacts[contact]  # type: ignore[index]
        agent = self.agents[agent_id]  # type: ignore[index]
        c.agent = None
        agent.contact = None

    def _on_offer_declined(self, e: ev.OfferDeclined) -> None:
        self._release_offer(e.contact, e.agent)
        c = self.contacts[e.contact]
        if c.declined is None:
            c.declined = set()
        c.declined.add(e.agent)
        self._end_preference_for(c, e.agent)

    def _on_offer_timed_out(self, e: ev.OfferTimedOut) -> None:
        self._release_offer(e.contact, e.agent)
        self._end_preference_for(self.contacts[e.contact], e.agent)

    def _end_preference_for(self, c: Contact, agent: str) -> None:
        # The agent it waited for passed it up: waiting longer for them helps nobody.
        if c.target is not None and c.target.id == agent:
            c.target = c.prefer_until = None

    def _on_offer_rescinded(self, e: ev.OfferRescinded) -> None:
        self._release_offer(e.contact, e.agent)

    # In the call ------------------------------------------------------------------------------

    def _on_contact_held(self, e: ev.ContactHeld) -> None:
        c = self.contacts[e.contact]
        c.state, c.state_since = C.ON_HOLD, e.at

    def _on_contact_resumed(self, e: ev.ContactResumed) -> None:
        c = self.contacts[e.contact]
        c.state, c.state_since = C.CONNECTED, e.at

    def _on_contact_transferred(self, e: ev.ContactTransferred) -> None:
        c = self.contacts[e.contact]
        c.agent = None

    # Consults -------------------------------------------------------------------------------

    def _on_consult_requested(self, e: ev.ConsultRequested) -> None:
        c = self.contacts[e.contact]
        agent = self.agents[e.agent]
        c.consultant, c.consult_accepted = agent.id, False
        self._set_agent(agent, A.CONSULTING, e.at)
        agent.contact = c.id
        self.schedule(e.expires_at, T_CONSULT, agent, agent.version)

    def _on_consult_accepted(self, e: ev.ConsultAccepted) -> None:
        self.contacts[e.contact].consult_accepted = True
        # Still consulting, from now talking (the ring's timer is stale with the version).
        self._set_agent(self.agents[e.agent], A.CONSULTING, e.at)

    def _end_consult(self, contact: str, agent: str) -> None:
        c = self.contacts[contact]  # type: ignore[index]
        c.consultant, c.consult_accepted = None, False
        # Their next state (ready, not ready) is the event that follows.
        self.agents[agent].contact = None  # type: ignore[index]

    def _on_consult_declined(self, e: ev.ConsultDeclined) -> None:
        self._end_consult(e.contact, e.agent)

    def _on_consult_ended(self, e: ev.ConsultEnded) -> None:
        self._end_consult(e.contact, e.agent)

    def _on_contact_handed_over(self, e: ev.ContactHandedOver) -> None:
        c = self.contacts[e.contact]
        agent = self.agents[e.agent]
        c.consultant, c.consult_accepted = None, False
        c.agent = agent.id
        c.state, c.state_since = C.CONNECTED, e.at
        self._set_agent(agent, A.ON_CONTACT, e.at)
        agent.contact = c.id
        agent.handled_today += 1

    def _on_contact_ended(self, e: ev.ContactEnded) -> None:
        c = self.contacts[e.contact]
        c.state, c.state_since, c.ended_at = C.WRAP_UP, e.at, e.at

    def _on_wrap_up_started(self, e: ev.WrapUpStarted) -> None:
        agent = self.agents[e.agent]
        self._set_agent(agent, A.WRAP_UP, e.at)
        agent.contact, agent.wrap_ends_at = e.contact, e.ends_at
        # A wrap-up that ends as it starts is finished by the same command: no timer.
        if e.ends_at is not None and e.ends_at > e.at:
            self.schedule(e.ends_at, T_WRAP, agent, agent.version)

    def _on_wrap_up_ended(self, e: ev.WrapUpEnded) -> None:
        agent = self.agents[e.agent]
        agent.contact = agent.wrap_ends_at = None

    # Endings ---------------------------------------------------------------------------------

    def _end(self, contact: str, state: ContactState, at: float) -> Contact:
        c = self.contacts[contact]  # type: ignore[index]
        self._leave_waiting(c)
        c.state, c.state_since = state, at
        self.forget(c)
        return c

    def _on_contact_completed(self, e: ev.ContactCompleted) -> None:
        c = self._end(e.contact, C.COMPLETED, e.at)
        if c.queue is not None and c.answered_at is not None:
            q = self.queues[c.queue]
            q.aht += _AHT_WEIGHT * ((e.at - c.answered_at) - q.aht)

    def _on_contact_abandoned(self, e: ev.ContactAbandoned) -> None:
        self._end(e.contact, C.ABANDONED, e.at)

    def _on_contact_dropped(self, e: ev.ContactDropped) -> None:
        self._end(e.contact, C.DROPPED, e.at)

    def _on_contact_overflowed(self, e: ev.ContactOverflowed) -> None:
        if e.destination.kind is OverflowKind.VOICEMAIL:
            self._end(e.contact, C.OVERFLOWED, e.at)
        else:
            self.contacts[e.contact].overflows += 1

    def _on_contact_converted_to_callback(self, e: ev.ContactConvertedToCallback) -> None:
        self._end(e.contact, C.CALLBACK, e.at)


def _method_name(cls: type) -> str:
    name = cls.__name__
    snake = "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in name).lstrip("_")
    return f"_on_{snake}"


# One applier per event type, found by name: a missing one fails at import, not mid-run.
RouterState._APPLY = {cls: getattr(Applying, _method_name(cls)) for cls in ev.EVENT_TYPES.values()}
