"""Command handlers and timers: check, then act by emitting events.

Each handler first checks everything that could refuse the command (raising a
RoutingError that changes nothing), then emits. Timers come due here too: a timer is a
command the core gives itself.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from hearthline.kernel.ids import ContactId, QueueId, ReasonId
from hearthline.kernel.records import mypyc_attr
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from hearthline.routing.config import (
    CONNECTION_LOST,
    MISSED_OFFER,
    SYSTEM_REASONS,
    SYSTEM_RESTART,
    Channel,
    Overflow,
    OverflowKind,
    WrapUpPolicy,
)
from hearthline.routing.errors import ConfigError, ConsultNotFound, InvalidCommand, OfferNotFound
from hearthline.routing.matching import Matching
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
    Contact,
)
from hearthline.routing.skills import compile_requirement
from hearthline.routing.states import (
    IN_CALL,
    OFF_DUTY,
    AgentState,
    ContactState,
    require_agent_state,
    require_contact_state,
)

A = AgentState
C = ContactState
# A contact overflowing more often than this is looping between queues: voicemail instead.
MAX_OVERFLOWS = 5
# A callback not yet being made: it survives a restart.
_OWED = frozenset({C.SCHEDULED, C.QUEUED, C.OFFERED})
# A real call kept through a restart: waiting, ringing an agent, or with one.
_KEPT_IN_CALL = frozenset({C.CONNECTED, C.ON_HOLD})
_KEPT = frozenset({C.QUEUED, C.OFFERED, *_KEPT_IN_CALL})
_SIGNED_IN = frozenset(
    {A.NOT_READY, A.AVAILABLE, A.RESERVED, A.ON_CONTACT, A.WRAP_UP, A.CONSULTING}
)
# Busy with a contact: a break asked for now starts once it is over.
_BUSY = frozenset({A.ON_CONTACT, A.WRAP_UP, A.CONSULTING})
# How long a consult rings for a contact on no queue (else its queue's offer time).
CONSULT_RING_S = 20.0


@mypyc_attr(allow_interpreted_subclasses=True)
class Handling(Matching):
    # Shared moves ------------------------------------------------------------------------

    def after_work(self, agent: Agent, at: float, *, chose_ready: bool = False) -> None:
        """An agent's contact or offer is over: ready again, unless they asked otherwise.

        ``chose_ready``: the agent ended the wrap-up with Ready themselves, which overrules
        a hold the center asked for (the server admits that Ready only once the hold's
        cause is gone), not a reason they chose."""
        pending = agent.pending
        if chose_ready and pending is not None:
            reason = self.reasons.get(pending)
            pending = None if reason is not None and reason.system else pending
        if pending is not None:
            self.emit(ev.AgentWentNotReady(at=at, agent=agent.id, reason=pending))
        elif not agent.connected:
            self.emit(ev.AgentWentNotReady(at=at, agent=agent.id, reason=CONNECTION_LOST))
        else:
            self.emit(ev.AgentBecameAvailable(at=at, agent=agent.id))
            self.offer_work_to(agent, at)

    def enqueue(
        self,
        c: Contact,
        queue: QueueId,
        at: float,
        *,
        priority: int,
        waiting_since: float,
        seq: int | None = None,
        preferred: Agent | None = None,
        prefer_until: float | None = None,
        check_full: bool = True,
    ) -> None:
        q = self.queues[queue]
        limit = q.cfg.max_length
        live = c.channel is not Channel.CALLBACK
        if check_full and live and limit is not None and q.waiting_live >= limit:
            self.overflow(c, queue, q.cfg.on_full, "full", at)
            return
        if preferred is not None and preferred.state in OFF_DUTY:
            preferred = None
        self.emit(
            ev.ContactQueued(
                at=at,
                contact=c.id,
                queue=queue,
                priority=priority,
                waiting_since=waiting_since,
                seq=self.seq if seq is None else seq,
                preferred_agent=preferred.id if preferred is not None else None,
                prefer_until=prefer_until if preferred is not None else None,
            )
        )
        self.find_agent_for(c, at)

    def overflow(self, c: Contact, queue: QueueId, dest: Overflow, reason: str, at: float) -> None:
        if dest.kind is OverflowKind.QUEUE and (
            dest.queue not in self.queues or c.overflows >= MAX_OVERFLOWS or dest.queue == queue
        ):
            dest = Overflow(OverflowKind.VOICEMAIL)
        if dest.kind is OverflowKind.CALLBACK and not c.caller:
            dest = Overflow(OverflowKind.VOICEMAIL)  # nobody to call back
        self.emit(
            ev.ContactOverflowed(at=at, contact=c.id, queue=queue, destination=dest, reason=reason)
        )
        if dest.kind is OverflowKind.QUEUE:
            assert dest.queue is not None
            self.enqueue(
                c, dest.queue, at, priority=c.priority, waiting_since=c.waiting_since, seq=c.seq
            )
        elif dest.kind is OverflowKind.CALLBACK:
            keep_place = c.state is C.QUEUED
            self.emit(ev.ContactConvertedToCallback(at=at, contact=c.id, callback=_cb_id(c.id)))
            self.spawn_callback(
                c,
                queue,
                at,
                priority=c.priority,
                waiting_since=c.waiting_since if keep_place else at,
                seq=c.seq if keep_place else None,
            )

    def spawn_callback(
        self,
        origin: Contact,
        queue: QueueId,
        at: float,
        *,
        priority: int,
        waiting_since: float,
        seq: int | None,
        preferred: Agent | None = None,
        prefer_until: float | None = None,
    ) -> None:
        cb = _cb_id(origin.id)
        self.emit(
            ev.ContactArrived(
                at=at,
                contact=cb,
                channel=Channel.CALLBACK,
                caller=origin.caller,
                customer=origin.customer,
                campaign=self.queues[queue].cfg.campaign,
                data=origin.data,
                origin=origin.id,
                requirement=origin.requirement,
            )
        )
        self.enqueue(
            self.contacts[cb],
            queue,
            at,
            priority=priority,
            waiting_since=waiting_since,
            seq=seq,
            preferred=preferred,
            prefer_until=prefer_until,
        )

    def requeue(self, c: Contact, at: float) -> None:
        self.emit(ev.ContactRequeued(at=at, contact=c.id))
        self.find_agent_for(c, at)

    def start_wrap_up(
        self, agent: Agent, contact: ContactId, queue: QueueId | None, at: float
    ) -> None:
        policy = self.queues[queue].cfg.wrap_up if queue in self.queues else WrapUpPolicy()
        self.emit(
            ev.WrapUpStarted(at=at, agent=agent.id, contact=contact, ends_at=at + policy.seconds)
        )
        if policy.seconds == 0:  # no after-call work: straight on, timed or manual
            self.finish_wrap_up(agent, at, timed_out=True)

    def finish_wrap_up(
        self,
        agent: Agent,
        at: float,
        *,
        timed_out: bool,
        sign_out: bool = False,
        chose_ready: bool = False,
    ) -> None:
        contact = agent.contact
        assert contact is not None
        self.emit(ev.WrapUpEnded(at=at, agent=agent.id, contact=contact, timed_out=timed_out))
        c = self.contacts.get(contact)
        if c is not None and c.state is C.WRAP_UP and c.agent == agent.id:
            self.emit(ev.ContactCompleted(at=at, contact=contact))
        if sign_out:
            self.emit(ev.AgentSignedOut(at=at, agent=agent.id))
        else:
            self.after_work(agent, at, chose_ready=chose_ready)

    def drop(self, c: Contact, side: str, at: float, *, restart: bool = False) -> None:
        """Ends a contact by a fault; the customer is owed a callback where policy says so."""
        agent = self.agents.get(c.agent) if c.agent is not None else None
        if c.consultant is not None and not restart:
            self.close_consult(c, "system", at, resume=False)
        state = c.state
        if state is C.OFFERED and agent is not None:
            self.emit(ev.OfferRescinded(at=at, contact=c.id, agent=agent.id))
        self.emit(ev.ContactDropped(at=at, contact=c.id, side=side))
        had_them = agent if state in IN_CALL else None
        self._callback_after_drop(c, had_them, at)
        if agent is None or restart:
            return
        if state is C.OFFERED:
            self.after_work(agent, at)
        elif side == "agent":
            self.emit(ev.AgentWentNotReady(at=at, agent=agent.id, reason=CONNECTION_LOST))
        else:
            # The agent is still there: let them finish the notes on what the customer said.
            self.start_wrap_up(agent, c.id, c.queue, at)

    def _callback_after_drop(self, c: Contact, had_them: Agent | None, at: float) -> None:
        camp = self.campaigns.get(c.campaign) if c.campaign is not None else None
        if c.queue is None or camp is None or not camp.callback_on_drop or not c.caller:
            return
        self.spawn_callback(
            c,
            c.queue,
            at,
            priority=max(c.priority, camp.callback_priority),
            waiting_since=c.waiting_since,
            seq=c.seq,
            preferred=had_them,
            prefer_until=at + camp.prefer_same_agent_s,
        )

    def release_offer(self, c: Contact, agent: Agent, at: float) -> None:
        """The agent's offer is withdrawn through no choice of theirs; the contact goes back."""
        self.emit(ev.OfferRescinded(at=at, contact=c.id, agent=agent.id))
        self.requeue(c, at)

    def close_consult(self, c: Contact, side: str, at: float, *, resume: bool) -> None:
        """Ends ``c``'s consult without a handover: the consulted agent is free again (or
        not ready, as after any contact, never in a wrap-up: the contact was not theirs);
        with ``resume`` the caller is back with the agent who asked."""
        consulted = self.agents[c.consultant]  # type: ignore[index]
        asker = c.agent
        assert asker is not None
        self.emit(ev.ConsultEnded(at=at, contact=c.id, agent=consulted.id, asker=asker, side=side))
        if resume and c.state is C.ON_HOLD:
            self.emit(ev.ContactResumed(at=at, contact=c.id))
        self.after_work(consulted, at)

    # Checks ------------------------------------------------------------------------------

    def _reason(self, reason: str) -> ReasonId:
        if reason not in self.reasons:
            known = ", ".join(sorted(self.reasons)) or "none configured"
            raise InvalidCommand(f"unknown not-ready reason {reason!r}; known: {known}")
        return ReasonId(reason)

    def _offered(self, agent_id: str, contact_id: str, action: str) -> tuple[Agent, Contact]:
        agent = self.agent_rec(agent_id)
        c = self.contacts.get(ContactId(contact_id))
        if c is None or c.state is not C.OFFERED or c.agent != agent.id:
            if c is None:
                ended = self.ended.get(ContactId(contact_id))
                found = f"it has ended ({ended})" if ended else "no such contact"
            elif c.state is C.OFFERED:
                found = f"it is offered to agent {c.agent!r}"
            else:
                found = f"it is {c.state} (the offer expired or was withdrawn)"
            raise OfferNotFound(
                f"cannot {action} contact {contact_id!r}: expected it offered to agent "
                f"{agent_id!r}, but {found}"
            )
        return agent, c

    def _in_call(self, agent_id: str, contact_id: str, action: str) -> tuple[Agent, Contact]:
        agent = self.agent_rec(agent_id)
        c = self.contact_rec(contact_id)
        require_contact_state(c.id, c.state, IN_CALL, action)
        if c.agent != agent.id:
            raise InvalidCommand(
                f"cannot {action} contact {contact_id!r}: it is with agent {c.agent!r}, "
                f"not {agent_id!r}"
            )
        return agent, c

    def _consulted(self, agent_id: str, contact_id: str, action: str) -> tuple[Agent, Contact]:
        """The consult of ``contact_id`` that rings or talks with ``agent_id``, the consulted."""
        agent = self.agent_rec(agent_id)
        c = self.contact_rec(contact_id)
        if c.consultant != agent.id:
            raise ConsultNotFound(
                f"cannot {action} the consult on contact {contact_id!r}: agent {agent_id!r} "
                "is not asked to consult on it"
            )
        return agent, c

    def _new_contact_id(self, ident: str) -> ContactId:
        if not ident or "~" in ident or len(ident) > 200:
            raise InvalidCommand(
                f"contact id {ident[:40]!r} must be 1 to 200 characters without '~'"
            )
        if ident in self.contacts or ident in self.ended:
            raise InvalidCommand(f"contact {ident!r} exists already")
        return ContactId(ident)

    # Configuration -----------------------------------------------------------------------

    def _do_configure_center(self, c: cmd.ConfigureCenter, at: float) -> None:
        self.emit(ev.CenterConfigured(at=at, settings=c.settings))

    def _do_configure_campaign(self, c: cmd.ConfigureCampaign, at: float) -> None:
        self.emit(ev.CampaignConfigured(at=at, campaign=c.campaign))

    def _do_configure_reasons(self, c: cmd.ConfigureReasons, at: float) -> None:
        ids = [r.id for r in c.reasons]
        clash = sorted(set(ids) & {r.id for r in SYSTEM_REASONS})
        if clash or len(set(ids)) != len(ids):
            raise ConfigError(
                f"reason ids must be unique and not system ones; clash: {clash or ids}"
            )
        self.emit(ev.ReasonsConfigured(at=at, reasons=c.reasons))

    def _do_configure_queue(self, c: cmd.ConfigureQueue, at: float) -> None:
        if c.queue.campaign not in self.campaigns:
            raise ConfigError(f"queue {c.queue.id!r}: unknown campaign {c.queue.campaign!r}")
        self.emit(ev.QueueConfigured(at=at, queue=c.queue))
        # A changed requirement may let free agents take contacts that were waiting.
        q = self.queues[c.queue.id]
        for contact in sorted(
            (x for x in self.contacts.values() if x.queue == q.cfg.id and x.state is C.QUEUED),
            key=lambda x: x.entry()[:3],
        ):
            self.find_agent_for(contact, at)

    def _do_configure_agent(self, c: cmd.ConfigureAgent, at: float) -> None:
        unknown = sorted(x for x in c.profile.campaigns if x not in self.campaigns)
        if unknown:
            raise ConfigError(f"agent {c.profile.id!r}: unknown campaign(s) {', '.join(unknown)}")
        self.emit(ev.AgentConfigured(at=at, profile=c.profile))
        agent = self.agents[c.profile.id]
        self.offer_work_to(agent, at)

    def _do_start_day(self, c: cmd.StartDay, at: float) -> None:
        self.emit(ev.DayStarted(at=at))

    def _do_recover_after_restart(self, c: cmd.RecoverAfterRestart, at: float) -> None:
        # Agents first: parked before any contact moves, so no offer goes to an agent who
        # is not there yet.
        keep = frozenset(c.keep)
        for agent in sorted(self.agents.values(), key=lambda a: a.ordinal):
            if agent.state in OFF_DUTY:
                continue
            on_kept = self.contacts.get(agent.contact) if agent.contact is not None else None
            kept = on_kept is not None and on_kept.id in keep and on_kept.state in _KEPT_IN_CALL
            # A consult on a kept call ends all the same (below): its audio went with the
            # server; the caller stays held with the agent who asked.
            if kept and agent.state is not A.CONSULTING:
                # Still talking (media never stopped): the page must come back within
                # the grace period, as after any lost connection.
                if agent.connected:
                    self.emit(ev.AgentConnectionLost(at=at, agent=agent.id))
                continue
            if agent.state is A.WRAP_UP:
                wrapped = agent.contact
                assert wrapped is not None
                self.emit(ev.WrapUpEnded(at=at, agent=agent.id, contact=wrapped, timed_out=False))
                wc = self.contacts.get(wrapped)
                if wc is not None and wc.state is C.WRAP_UP and wc.agent == agent.id:
                    self.emit(ev.ContactCompleted(at=at, contact=wc.id))
            elif agent.state is A.RESERVED:
                assert agent.contact is not None
                self.emit(ev.OfferRescinded(at=at, contact=agent.contact, agent=agent.id))
            elif agent.state is A.CONSULTING:
                consulted = self.contacts[agent.contact]  # type: ignore[index]
                assert consulted.agent is not None
                self.emit(
                    ev.ConsultEnded(
                        at=at, contact=consulted.id, agent=agent.id, asker=consulted.agent,
                        side="system",
                    )
                )  # fmt: skip
            if agent.connected:
                self.emit(ev.AgentConnectionLost(at=at, agent=agent.id))
            self.emit(ev.AgentWentNotReady(at=at, agent=agent.id, reason=SYSTEM_RESTART))
        for contact in sorted(self.contacts.values(), key=lambda x: (x.seq, x.id)):
            if contact.id not in self.contacts or contact.state is C.WRAP_UP:
                continue
            if contact.channel is Channel.CALLBACK and contact.state in _OWED:
                # A promise to call back survives a restart; one that was ringing goes back.
                if contact.state is C.OFFERED:
                    self.emit(ev.ContactRequeued(at=at, contact=contact.id))
                continue
            if contact.id in keep and contact.state in _KEPT:
                if contact.state is C.OFFERED:  # its offer was rescinded above
                    self.emit(ev.ContactRequeued(at=at, contact=contact.id))
                continue
            self.drop(contact, "system", at, restart=True)

    # Agents ------------------------------------------------------------------------------

    def _do_sign_in(self, c: cmd.SignIn, at: float) -> None:
        agent = self.agent_rec(c.agent)
        require_agent_state(agent.id, agent.state, frozenset({A.OFFLINE}), "sign in")
        self.emit(ev.AgentSignedIn(at=at, agent=agent.id))
        if c.ready:
            self.after_work(agent, at)

    def _do_sign_out(self, c: cmd.SignOut, at: float) -> None:
        agent = self.agent_rec(c.agent)
        allowed = frozenset({A.AVAILABLE, A.NOT_READY, A.RESERVED, A.WRAP_UP})
        require_agent_state(agent.id, agent.state, allowed, "sign out")
        if agent.state is A.WRAP_UP:
            self.finish_wrap_up(agent, at, timed_out=False, sign_out=True)
            return
        if agent.state is A.RESERVED:
            assert agent.contact is not None
            self.release_offer(self.contacts[agent.contact], agent, at)
        self.emit(ev.AgentSignedOut(at=at, agent=agent.id))

    def _do_retire_agent(self, c: cmd.RetireAgent, at: float) -> None:
        agent = self.agent_rec(c.agent)
        require_agent_state(agent.id, agent.state, frozenset({A.OFFLINE}), "retire")
        self.emit(ev.AgentRetired(at=at, agent=agent.id))

    def _do_make_ready(self, c: cmd.MakeReady, at: float) -> None:
        agent = self.agent_rec(c.agent)
        allowed = frozenset({A.AVAILABLE, A.NOT_READY, A.WRAP_UP})
        require_agent_state(agent.id, agent.state, allowed, "make ready")
        if not agent.connected:
            raise InvalidCommand(f"agent {agent.id!r} cannot be made ready: connection lost")
        if agent.state is A.WRAP_UP:
            self.finish_wrap_up(agent, at, timed_out=False, chose_ready=True)
        elif agent.state is A.NOT_READY:
            self.emit(ev.AgentBecameAvailable(at=at, agent=agent.id))
            self.offer_work_to(agent, at)

    def _do_make_not_ready(self, c: cmd.MakeNotReady, at: float) -> None:
        agent = self.agent_rec(c.agent)
        reason = self._reason(c.reason)
        if self.reasons[reason].system:
            # The center sets these itself (a missed offer, a lost connection, a restart);
            # chosen by a person they would hide a break as time the agent is not to blame.
            own = ", ".join(sorted(r.id for r in self.reasons.values() if not r.system))
            raise InvalidCommand(
                f"not-ready reason {reason!r} is set by the center itself; choose one of: {own}"
            )
        require_agent_state(agent.id, agent.state, _SIGNED_IN, "make not ready")
        if agent.state in _BUSY or (agent.state is A.RESERVED and c.after_contact):
            self.emit(ev.AgentNotReadyRequested(at=at, agent=agent.id, reason=reason))
            return
        if agent.state is A.RESERVED:
            assert agent.contact is not None
            contact = self.contacts[agent.contact]
            self.emit(ev.OfferRescinded(at=at, contact=contact.id, agent=agent.id))
            self.emit(ev.AgentWentNotReady(at=at, agent=agent.id, reason=reason))
            self.requeue(contact, at)
            return
        self.emit(ev.AgentWentNotReady(at=at, agent=agent.id, reason=reason))

    def _do_hold_after_contact(self, c: cmd.HoldAfterContact, at: float) -> None:
        agent = self.agent_rec(c.agent)
        reason = self._reason(c.reason)
        if not self.reasons[reason].system:
            raise InvalidCommand(
                f"the center holds an agent only for a reason of its own; {reason!r} is one "
                "a person chooses"
            )
        if agent.state in _BUSY or agent.state is A.RESERVED:
            if agent.pending is None:
                self.emit(ev.AgentNotReadyRequested(at=at, agent=agent.id, reason=reason))
        elif agent.state is A.AVAILABLE:
            self.emit(ev.AgentWentNotReady(at=at, agent=agent.id, reason=reason))
        # Not ready already, or signed out: nothing to hold back.

    def _do_accept_offer(self, c: cmd.AcceptOffer, at: float) -> None:
        agent, contact = self._offered(c.agent, c.contact, "accept")
        self.emit(ev.OfferAccepted(at=at, contact=contact.id, agent=agent.id))

    def _do_decline_offer(self, c: cmd.DeclineOffer, at: float) -> None:
        agent, contact = self._offered(c.agent, c.contact, "decline")
        self.emit(ev.OfferDeclined(at=at, contact=contact.id, agent=agent.id))
        self.requeue(contact, at)
        self.after_work(agent, at)

    def _do_hold_contact(self, c: cmd.HoldContact, at: float) -> None:
        _, contact = self._in_call(c.agent, c.contact, "hold")
        require_contact_state(contact.id, contact.state, frozenset({C.CONNECTED}), "hold")
        self.emit(ev.ContactHeld(at=at, contact=contact.id))

    def _do_resume_contact(self, c: cmd.ResumeContact, at: float) -> None:
        _, contact = self._in_call(c.agent, c.contact, "resume")
        require_contact_state(contact.id, contact.state, frozenset({C.ON_HOLD}), "resume")
        if contact.consultant is not None:
            raise InvalidCommand(
                f"cannot resume contact {contact.id!r}: it is in a consult with agent "
                f"{contact.consultant!r}; end the consult or hand the contact over"
            )
        self.emit(ev.ContactResumed(at=at, contact=contact.id))

    def _do_transfer_contact(self, c: cmd.TransferContact, at: float) -> None:
        agent, contact = self._in_call(c.agent, c.contact, "transfer")
        if c.to_queue is None and c.to_agent is None:
            raise InvalidCommand("a transfer names a queue, an agent, or both")
        to_agent = self.agent_rec(c.to_agent) if c.to_agent is not None else None
        if to_agent is not None and (to_agent is agent or to_agent.state in OFF_DUTY):
            raise InvalidCommand(
                f"cannot transfer to agent {to_agent.id!r}: itself, offline or retired"
            )
        if c.to_queue is not None:
            self.queue_rec(c.to_queue)  # refused before the consult is touched
        if contact.consultant is not None:  # a blind transfer ends the consult first
            self.close_consult(contact, "asker", at, resume=False)
        queue = self.queue_rec(c.to_queue).cfg.id if c.to_queue is not None else contact.queue
        assert queue is not None
        self.emit(
            ev.ContactTransferred(
                at=at,
                contact=contact.id,
                agent=agent.id,
                to_queue=queue,
                to_agent=to_agent.id if to_agent is not None else None,
            )
        )
        old_queue = contact.queue
        self.enqueue(
            contact,
            queue,
            at,
            priority=contact.priority,
            waiting_since=at,
            preferred=to_agent,
            prefer_until=at + self.settings.direct_transfer_wait_s,
            check_full=False,
        )
        self.start_wrap_up(agent, contact.id, old_queue, at)

    def _do_start_consult(self, c: cmd.StartConsult, at: float) -> None:
        agent, contact = self._in_call(c.agent, c.contact, "consult on")
        if contact.consultant is not None:
            raise InvalidCommand(
                f"contact {contact.id!r} is in a consult with agent {contact.consultant!r} "
                "already: end it first"
            )
        to = self.agent_rec(c.to_agent)
        if to is agent:
            raise InvalidCommand("cannot consult yourself: choose another agent")
        if to.state is not A.AVAILABLE or not to.connected:
            found = "connection lost" if not to.connected else str(to.state)
            raise InvalidCommand(
                f"cannot consult agent {to.id!r}: they are {found}; only an agent ready and "
                "free can be consulted"
            )
        q = self.queues.get(contact.queue) if contact.queue is not None else None
        ring = q.cfg.offer_timeout_s if q is not None else CONSULT_RING_S
        if contact.state is C.CONNECTED:
            self.emit(ev.ContactHeld(at=at, contact=contact.id))
        self.emit(
            ev.ConsultRequested(
                at=at, contact=contact.id, agent=to.id, asker=agent.id, expires_at=at + ring
            )
        )

    def _do_accept_consult(self, c: cmd.AcceptConsult, at: float) -> None:
        agent, contact = self._consulted(c.agent, c.contact, "accept")
        if contact.consult_accepted:
            raise InvalidCommand(f"the consult on contact {contact.id!r} is accepted already")
        assert contact.agent is not None
        self.emit(
            ev.ConsultAccepted(at=at, contact=contact.id, agent=agent.id, asker=contact.agent)
        )

    def _do_decline_consult(self, c: cmd.DeclineConsult, at: float) -> None:
        agent, contact = self._consulted(c.agent, c.contact, "decline")
        if contact.consult_accepted:
            raise InvalidCommand(
                f"the consult on contact {contact.id!r} is accepted already: end it instead"
            )
        assert contact.agent is not None
        self.emit(
            ev.ConsultDeclined(
                at=at, contact=contact.id, agent=agent.id, asker=contact.agent, timed_out=False
            )
        )
        self.after_work(agent, at)

    def _do_hand_over_contact(self, c: cmd.HandOverContact, at: float) -> None:
        agent, contact = self._in_call(c.agent, c.contact, "hand over")
        consulted = self.agents.get(contact.consultant) if contact.consultant else None
        if consulted is None or not contact.consult_accepted:
            raise ConsultNotFound(
                f"cannot hand over contact {contact.id!r}: "
                + ("its consult is still ringing" if consulted else "no consult is in progress")
            )
        self.emit(
            ev.ContactHandedOver(at=at, contact=contact.id, agent=consulted.id, asker=agent.id)
        )
        self.start_wrap_up(agent, contact.id, contact.queue, at)

    def _do_end_consult(self, c: cmd.EndConsult, at: float) -> None:
        agent = self.agent_rec(c.agent)
        contact = self.contact_rec(c.contact)
        if contact.consultant is not None:
            if contact.agent == agent.id:
                self.close_consult(contact, "asker", at, resume=True)
                return
            if contact.consultant == agent.id:
                if not contact.consult_accepted:
                    raise InvalidCommand(
                        f"the consult on contact {contact.id!r} is ringing: decline it instead"
                    )
                self.close_consult(contact, "consulted", at, resume=True)
                return
        raise ConsultNotFound(
            f"cannot end the consult on contact {c.contact!r}: agent {c.agent!r} is in no "
            "consult on it"
        )

    def _do_end_contact(self, c: cmd.EndContact, at: float) -> None:
        agent, contact = self._in_call(c.agent, c.contact, "end")
        if contact.consultant is not None:  # the consult goes with the call
            self.close_consult(contact, "asker", at, resume=False)
        self.emit(ev.ContactEnded(at=at, contact=contact.id, agent=agent.id, by="agent"))
        self.start_wrap_up(agent, contact.id, contact.queue, at)

    def _do_finish_wrap_up(self, c: cmd.FinishWrapUp, at: float) -> None:
        agent = self.agent_rec(c.agent)
        require_agent_state(agent.id, agent.state, frozenset({A.WRAP_UP}), "finish wrap-up of")
        self.finish_wrap_up(agent, at, timed_out=False)

    def _do_report_connection_lost(self, c: cmd.ReportConnectionLost, at: float) -> None:
        agent = self.agent_rec(c.agent)
        if agent.state in OFF_DUTY or not agent.connected:
            return  # nothing to lose, or known already: heartbeat monitors may repeat themselves
        self.emit(ev.AgentConnectionLost(at=at, agent=agent.id))
        if agent.state is A.AVAILABLE:
            self.emit(ev.AgentWentNotReady(at=at, agent=agent.id, reason=CONNECTION_LOST))
        elif agent.state is A.CONSULTING:
            # A consult does not wait for a lost colleague: the caller goes back to the
            # agent who asked, and they, not ready, to a connection-lost break.
            assert agent.contact is not None
            self.close_consult(self.contacts[agent.contact], "system", at, resume=True)
        elif agent.state is A.RESERVED:
            assert agent.contact is not None
            contact = self.contacts[agent.contact]
            self.emit(ev.OfferRescinded(at=at, contact=contact.id, agent=agent.id))
            self.emit(ev.AgentWentNotReady(at=at, agent=agent.id, reason=CONNECTION_LOST))
            self.requeue(contact, at)
        # On a contact, the call is held for the grace period (a timer); in wrap-up, the
        # agent goes not ready instead of available when it ends.

    def _do_report_reconnected(self, c: cmd.ReportReconnected, at: float) -> None:
        agent = self.agent_rec(c.agent)
        if agent.state not in OFF_DUTY and not agent.connected:
            self.emit(ev.AgentReconnected(at=at, agent=agent.id))

    # Channels ----------------------------------------------------------------------------

    def _do_arrive_contact(self, c: cmd.ArriveContact, at: float) -> None:
        ident = self._new_contact_id(c.contact)
        q = self.queue_rec(c.queue) if c.queue is not None else None
        requirement = _own_requirement(c.requirement)
        self.emit(
            ev.ContactArrived(
                at=at,
                contact=ident,
                channel=c.channel,
                caller=c.caller,
                customer=c.customer,
                campaign=q.cfg.campaign if q is not None else None,
                data=c.data,
                requirement=requirement,
            )
        )
        if q is not None:
            self.enqueue(self.contacts[ident], q.cfg.id, at, priority=c.priority, waiting_since=at)

    def _do_route_contact(self, c: cmd.RouteContact, at: float) -> None:
        contact = self.contact_rec(c.contact)
        q = self.queue_rec(c.queue)
        require_contact_state(contact.id, contact.state, frozenset({C.ARRIVING}), "route")
        priority = contact.priority if c.priority is None else c.priority
        self.enqueue(contact, q.cfg.id, at, priority=priority, waiting_since=at)

    def _do_caller_hang_up(self, c: cmd.CallerHangUp, at: float) -> None:
        contact = self.contact_rec(c.contact)
        allowed = frozenset({C.ARRIVING, C.SCHEDULED, C.QUEUED, C.OFFERED, C.CONNECTED, C.ON_HOLD})
        require_contact_state(contact.id, contact.state, allowed, "hang up")
        if contact.state in IN_CALL:
            agent = self.agents[contact.agent]  # type: ignore[index]
            if contact.consultant is not None:  # both agents are released
                self.close_consult(contact, "caller", at, resume=False)
            self.emit(ev.ContactEnded(at=at, contact=contact.id, agent=agent.id, by="caller"))
            self.start_wrap_up(agent, contact.id, contact.queue, at)
            return
        ringing = self.agents[contact.agent] if contact.state is C.OFFERED else None  # type: ignore[index]
        if ringing is not None:
            self.emit(ev.OfferRescinded(at=at, contact=contact.id, agent=ringing.id))
        self.emit(ev.ContactAbandoned(at=at, contact=contact.id))
        if ringing is not None:
            self.after_work(ringing, at)

    def _do_drop_contact(self, c: cmd.DropContact, at: float) -> None:
        contact = self.contact_rec(c.contact)
        if c.side not in ("caller", "agent", "system"):
            raise InvalidCommand(f"drop side must be caller, agent or system, not {c.side!r}")
        allowed = frozenset({C.ARRIVING, C.QUEUED, C.OFFERED, C.CONNECTED, C.ON_HOLD})
        require_contact_state(contact.id, contact.state, allowed, "drop")
        self.drop(contact, c.side, at)

    def _do_request_callback(self, c: cmd.RequestCallback, at: float) -> None:
        contact = self.contact_rec(c.contact)
        require_contact_state(contact.id, contact.state, frozenset({C.QUEUED}), "call back")
        if contact.channel is Channel.CALLBACK or not contact.caller:
            raise InvalidCommand(f"contact {contact.id!r} has no caller on the line to call back")
        queue = contact.queue
        assert queue is not None
        self.emit(
            ev.ContactConvertedToCallback(at=at, contact=contact.id, callback=_cb_id(contact.id))
        )
        self.spawn_callback(
            contact,
            queue,
            at,
            priority=contact.priority,
            waiting_since=contact.waiting_since,
            seq=contact.seq,
        )

    def _callback_agent(self, preferred_agent: str | None, caller: str) -> Agent | None:
        """The agent a new callback prefers, if any; refuses a retired one, or no number."""
        preferred = self.agent_rec(preferred_agent) if preferred_agent is not None else None
        if preferred is not None and preferred.state is A.RETIRED:
            raise InvalidCommand(f"agent {preferred.id!r} is retired: they take no callbacks")
        if not caller:
            raise InvalidCommand("a callback needs a number to call")
        return preferred

    def _do_schedule_callback(self, c: cmd.ScheduleCallback, at: float) -> None:
        ident = self._new_contact_id(c.contact)
        q = self.queue_rec(c.queue)
        preferred = self._callback_agent(c.preferred_agent, c.caller)
        self.emit(
            ev.ContactArrived(
                at=at,
                contact=ident,
                channel=Channel.CALLBACK,
                caller=c.caller,
                customer=c.customer,
                campaign=q.cfg.campaign,
            )
        )
        if c.due_at > at:
            self.emit(
                ev.ContactScheduled(
                    at=at,
                    contact=ident,
                    queue=q.cfg.id,
                    due_at=c.due_at,
                    priority=c.priority,
                    preferred_agent=preferred.id if preferred is not None else None,
                )
            )
        else:
            self._callback_due(self.contacts[ident], q.cfg.id, at, c.priority, preferred)

    def _do_call_back_voicemail(self, c: cmd.CallBackVoicemail, at: float) -> None:
        ident = _vm_id(c.origin)
        if len(ident) > 200:
            raise InvalidCommand(f"contact id {c.origin[:40]!r}...: too long to call back")
        if ident in self.contacts or ident in self.ended:
            raise InvalidCommand(f"voicemail of {c.origin!r} is a callback already ({ident!r})")
        origin = self.contacts.get(c.origin)
        if origin is not None and origin.channel is Channel.CALLBACK:
            # A menu leaf's message, filed under the callback the leaf owes: still owed,
            # or in an agent's hands now.
            raise InvalidCommand(
                f"contact {c.origin!r} is a callback not over yet ({origin.state.value})"
            )
        q = self.queue_rec(c.queue)
        preferred = self._callback_agent(c.preferred_agent, c.caller)
        self.emit(
            ev.ContactArrived(
                at=at,
                contact=ident,
                channel=Channel.CALLBACK,
                caller=c.caller,
                customer=c.customer,
                campaign=q.cfg.campaign,
                data=c.data,
                origin=c.origin,
                requirement=_own_requirement(c.requirement),
            )
        )
        self._callback_due(self.contacts[ident], q.cfg.id, at, 0, preferred)

    def _callback_due(
        self, c: Contact, queue: QueueId, at: float, priority: int, preferred: Agent | None
    ) -> None:
        camp = self.campaigns[self.queues[queue].cfg.campaign]
        self.enqueue(
            c,
            queue,
            at,
            priority=priority,
            waiting_since=at,
            preferred=preferred,
            prefer_until=at + camp.prefer_same_agent_s,
        )

    # Supervisors -------------------------------------------------------------------------

    def _do_reprioritise(self, c: cmd.Reprioritise, at: float) -> None:
        contact = self.contact_rec(c.contact)
        require_contact_state(contact.id, contact.state, frozenset({C.QUEUED}), "reprioritise")
        self.emit(ev.ContactReprioritised(at=at, contact=contact.id, priority=c.priority))

    def _do_move_contact(self, c: cmd.MoveContact, at: float) -> None:
        contact = self.contact_rec(c.contact)
        q = self.queue_rec(c.queue)
        require_contact_state(contact.id, contact.state, frozenset({C.QUEUED}), "move")
        self.enqueue(
            contact,
            q.cfg.id,
            at,
            priority=contact.priority,
            waiting_since=contact.waiting_since,
            seq=contact.seq,
            check_full=False,
        )

    # Timers ------------------------------------------------------------------------------

    def fire_due(self, now: float) -> None:
        agenda = self.agenda
        while agenda and agenda[0][0] <= now:
            due, _, kind, record, token = heapq.heappop(agenda)
            if not self.timer_live(kind, record, token):
                continue
            at = due if due > self.now else self.now
            self.now = at
            _FIRE[kind](self, record, at)
        if now > self.now:
            self.now = now

    def timer_live(self, kind: int, record: Any, token: int) -> bool:
        """Whether a timer still means something: its owner has not moved on since it was set.

        Firing a live timer always changes its owner's epoch or version, so a replayed log
        (which sets timers but never fires them) holds exactly the same live timers.
        """
        if kind >= T_WRAP:
            agent: Agent = record
            if agent.version != token:
                return False
            if kind == T_WRAP:
                return agent.state is A.WRAP_UP
            if kind == T_CONSULT:
                asked = self.contacts.get(agent.contact) if agent.contact is not None else None
                return (
                    agent.state is A.CONSULTING
                    and asked is not None
                    and asked.consultant == agent.id
                    and not asked.consult_accepted
                )
            return agent.state is A.ON_CONTACT and not agent.connected
        c: Contact = record
        if c.epoch != token or self.contacts.get(c.id) is not c:
            return False
        if kind == T_OFFER:
            return c.state is C.OFFERED and c.agent is not None
        if kind == T_DUE:
            return c.state is C.SCHEDULED
        if c.state is not C.QUEUED or c.queue is None:
            return False
        if kind == T_PREFER:
            return c.target is not None
        if kind == T_STEP:
            return c.step < len(self.queues[c.queue].cfg.steps)
        return True  # T_MAX_WAIT

    def _fire_step(self, c: Contact, at: float) -> None:
        assert c.queue is not None
        step = self.queues[c.queue].cfg.steps[c.step]
        if step.overflow is not None:
            self.overflow(c, c.queue, step.overflow, "step", at)
            return
        priority = c.priority if step.priority is None else max(c.priority, step.priority)
        self.emit(ev.ContactEscalated(at=at, contact=c.id, step=c.step + 1, priority=priority))
        self.find_agent_for(c, at)

    def _fire_max_wait(self, c: Contact, at: float) -> None:
        assert c.queue is not None
        self.overflow(c, c.queue, self.queues[c.queue].cfg.on_max_wait, "max-wait", at)

    def _fire_prefer(self, c: Contact, at: float) -> None:
        self.emit(ev.ContactPreferenceExpired(at=at, contact=c.id))
        self.find_agent_for(c, at)

    def _fire_due_callback(self, c: Contact, at: float) -> None:
        assert c.queue is not None
        self._callback_due(c, c.queue, at, c.priority, c.target)

    def _fire_offer(self, c: Contact, at: float) -> None:
        assert c.agent is not None
        agent = self.agents[c.agent]
        self.emit(ev.OfferTimedOut(at=at, contact=c.id, agent=agent.id))
        self.emit(ev.AgentWentNotReady(at=at, agent=agent.id, reason=MISSED_OFFER))
        self.requeue(c, at)

    def _fire_wrap(self, agent: Agent, at: float) -> None:
        self.finish_wrap_up(agent, at, timed_out=True)

    def _fire_grace(self, agent: Agent, at: float) -> None:
        assert agent.contact is not None
        self.drop(self.contacts[agent.contact], "agent", at)

    def _fire_consult(self, agent: Agent, at: float) -> None:
        # Not answered in time: as a missed offer (a system reason, never the agent's fault).
        c = self.contacts[agent.contact]  # type: ignore[index]
        assert c.agent is not None
        self.emit(
            ev.ConsultDeclined(at=at, contact=c.id, agent=agent.id, asker=c.agent, timed_out=True)
        )
        self.emit(ev.AgentWentNotReady(at=at, agent=agent.id, reason=MISSED_OFFER))


def _cb_id(contact: ContactId) -> ContactId:
    return ContactId(f"{contact}~cb")


def _vm_id(contact: ContactId) -> ContactId:
    """A voicemail's callback, made from the console (``CallBackVoicemail``)."""
    return ContactId(f"{contact}~vm")


_FIRE: dict[int, Callable[[Any, Any, float], None]] = {
    T_STEP: Handling._fire_step,
    T_MAX_WAIT: Handling._fire_max_wait,
    T_PREFER: Handling._fire_prefer,
    T_DUE: Handling._fire_due_callback,
    T_OFFER: Handling._fire_offer,
    T_WRAP: Handling._fire_wrap,
    T_GRACE: Handling._fire_grace,
    T_CONSULT: Handling._fire_consult,
}


def _snake(name: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in name).lstrip("_")


def _command_types() -> list[type[cmd.Command]]:
    return [
        t
        for t in vars(cmd).values()
        if isinstance(t, type) and issubclass(t, cmd.Command) and t is not cmd.Command
    ]


# One handler per command type, found by name: a missing one fails at import, not mid-run.
HANDLERS: dict[type[cmd.Command], Callable[[Any, Any, float], None]] = {
    t: getattr(Handling, f"_do_{_snake(t.__name__)}") for t in _command_types()
}


# A contact's own requirement is kept short: each distinct one is a bucket in its queues.
MAX_REQUIREMENT = 200


def _own_requirement(text: str | None) -> str | None:
    """A contact's requirement, checked (ConfigError names the problem); "*" or blank: none."""
    if text is None or not text.strip() or text.strip() == "*":
        return None
    if len(text) > MAX_REQUIREMENT:
        raise InvalidCommand(
            f"a contact's skill requirement is at most {MAX_REQUIREMENT} characters"
        )
    return compile_requirement(text).text
