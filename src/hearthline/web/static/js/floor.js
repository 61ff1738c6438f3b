// The floor as the supervisor console sees it: agents, live contacts and queues, kept
// current by applying the stream's events to the snapshot. It mirrors the routing
// core's views (AgentLive, ContactLive) closely enough for a wallboard; the console
// also re-reads the live lists now and then, which heals any difference.

const ENDED = new Set([
  "ContactCompleted",
  "ContactAbandoned",
  "ContactDropped",
  "ContactConvertedToCallback",
]);
export const WAITING_STATES = new Set(["queued", "offered", "arriving"]);

export class Floor {
  constructor() {
    this.agents = new Map();
    this.contacts = new Map();
    this.queues = new Map();
    this.help = new Map();
    this.queueCampaign = new Map(); // learnt from contacts: which campaign a queue serves
    this.lastEventAt = null;
  }

  /** Replaces everything with a snapshot's data. */
  load(data) {
    if (data.agents) this.agents = new Map(data.agents.map((a) => [a.id, { ...a }]));
    this.contacts = new Map((data.contacts || []).map((c) => [c.id, { ...c }]));
    this.queues = new Map((data.queues || []).map((q) => [q.id, { ...q }]));
    this.help = new Map((data.help || []).map((r) => [r.id, r]));
  }

  /** Merges fresh live lists (from the REST API), keeping names learnt before. */
  refresh({ agents, queues, contacts }) {
    if (agents) {
      const names = new Map([...this.agents].map(([id, a]) => [id, a.name]));
      this.agents = new Map(agents.map((a) => [a.id, { ...a, name: a.name || names.get(a.id) || "" }]));
    }
    if (queues) this.queues = new Map(queues.map((q) => [q.id, { ...q }]));
    if (contacts) this.contacts = new Map(contacts.map((c) => [c.id, { ...c }]));
  }

  agent(id, at) {
    let a = this.agents.get(id);
    if (!a) {
      a = { id, name: "", state: "offline", since: at, reason: null, contact: null, pending_reason: null, connected: true, handled_today: 0 };
      this.agents.set(id, a);
    }
    return a;
  }

  setAgent(id, at, changes) {
    const a = this.agent(id, at);
    if (changes.state && changes.state !== a.state) a.since = at;
    if (changes.state === "not-ready" && changes.reason !== a.reason) a.since = at;
    Object.assign(a, changes);
  }

  contact(id) {
    return this.contacts.get(id);
  }

  setContact(id, at, changes) {
    let c = this.contacts.get(id);
    if (!c) {
      c = { id, state: "arriving", since: at, channel: "voice", caller: "", customer: null, queue: null, priority: 0, waiting_since: at, agent: null, preferred_agent: null, origin: null };
      this.contacts.set(id, c);
    }
    if (changes.state && changes.state !== c.state) c.since = at;
    Object.assign(c, changes);
    return c;
  }

  /** Applies one event; returns what it changed: "agents", "contacts", "help" or null. */
  apply(e) {
    const at = e.at;
    this.lastEventAt = at;
    switch (e.type) {
      case "AgentSignedIn":
        this.setAgent(e.agent, at, { state: "not-ready", reason: "signed-in", contact: null, connected: true });
        return "agents";
      case "AgentSignedOut":
        this.setAgent(e.agent, at, { state: "offline", reason: null, contact: null, pending_reason: null });
        return "agents";
      case "AgentRetired":
        this.setAgent(e.agent, at, { state: "retired", reason: null, contact: null, pending_reason: null });
        return "agents";
      case "AgentBecameAvailable":
        this.setAgent(e.agent, at, { state: "available", reason: null, contact: null, pending_reason: null });
        return "agents";
      case "AgentWentNotReady":
        this.setAgent(e.agent, at, { state: "not-ready", reason: e.reason, contact: null, pending_reason: null });
        return "agents";
      case "AgentNotReadyRequested":
        this.setAgent(e.agent, at, { pending_reason: e.reason });
        return "agents";
      case "AgentConnectionLost":
        this.setAgent(e.agent, at, { connected: false });
        return "agents";
      case "AgentReconnected":
        this.setAgent(e.agent, at, { connected: true });
        return "agents";
      case "ContactArrived":
        this.setContact(e.contact, at, { state: "arriving", caller: e.caller, customer: e.customer, channel: e.channel, waiting_since: at, origin: e.origin || null, campaign: e.campaign || null });
        return "contacts";
      case "ContactQueued":
        if (this.contacts.get(e.contact)?.campaign) this.queueCampaign.set(e.queue, this.contacts.get(e.contact).campaign);
        this.setContact(e.contact, at, { state: "queued", queue: e.queue, priority: e.priority, waiting_since: e.waiting_since, agent: null, preferred_agent: e.preferred_agent || null });
        return "contacts";
      case "ContactScheduled":
        this.setContact(e.contact, at, { state: "scheduled", queue: e.queue, priority: e.priority });
        return "contacts";
      case "ContactRequeued":
        this.setContact(e.contact, at, { state: "queued", agent: null });
        return "contacts";
      case "ContactReprioritised":
      case "ContactEscalated":
        this.setContact(e.contact, at, { priority: e.priority });
        return "contacts";
      case "ContactOffered":
        this.setContact(e.contact, at, { state: "offered", agent: e.agent });
        this.setAgent(e.agent, at, { state: "reserved", contact: e.contact, reason: null });
        return "agents";
      case "OfferAccepted":
        this.setContact(e.contact, at, { state: "connected", agent: e.agent });
        this.setAgent(e.agent, at, { state: "on-contact", contact: e.contact, reason: null });
        return "agents";
      case "OfferDeclined":
      case "OfferTimedOut":
      case "OfferRescinded":
        this.setContact(e.contact, at, { agent: null });
        this.setAgent(e.agent, at, { contact: null });
        return "agents";
      case "ConsultRequested":
      case "ConsultAccepted":
        // The consulted agent: busy on a colleague's call (ringing, then talking).
        this.setAgent(e.agent, at, { state: "consulting", contact: e.contact, reason: null });
        return "agents";
      case "ConsultDeclined":
      case "ConsultEnded":
        this.setAgent(e.agent, at, { contact: null });
        return "agents";
      case "ContactHandedOver":
        this.setContact(e.contact, at, { state: "connected", agent: e.agent });
        this.setAgent(e.agent, at, { state: "on-contact", contact: e.contact, reason: null });
        return "agents";
      case "ContactHeld":
        this.setContact(e.contact, at, { state: "on-hold" });
        return "contacts";
      case "ContactResumed":
        this.setContact(e.contact, at, { state: "connected" });
        return "contacts";
      case "ContactEnded":
        this.setContact(e.contact, at, { state: "wrap-up" });
        return "contacts";
      case "WrapUpStarted":
        this.setAgent(e.agent, at, { state: "wrap-up", contact: e.contact });
        return "agents";
      case "ContactTransferred":
        this.setAgent(e.agent, at, { contact: null });
        return "agents";
      case "ContactOverflowed":
        if (e.destination && e.destination.kind !== "queue") this.contacts.delete(e.contact);
        return "contacts";
      default:
        if (ENDED.has(e.type)) {
          this.contacts.delete(e.contact);
          return "contacts";
        }
        return null;
    }
  }

  /** Contacts waiting for an agent, longest-waiting first. */
  waiting() {
    return [...this.contacts.values()]
      .filter((c) => WAITING_STATES.has(c.state) && c.queue)
      .sort((a, b) => b.priority - a.priority || a.waiting_since - b.waiting_since);
  }

  /** {waiting, oldest} per queue from the live contacts. */
  queueLive() {
    const out = new Map();
    for (const c of this.contacts.values()) {
      if (!WAITING_STATES.has(c.state) || !c.queue) continue;
      const q = out.get(c.queue) || { waiting: 0, oldest: null };
      q.waiting += 1;
      if (q.oldest === null || c.waiting_since < q.oldest) q.oldest = c.waiting_since;
      out.set(c.queue, q);
    }
    return out;
  }
}

/** Adds up a queue's interval rows (GET /api/reports/queues) into the day's figures. */
export function dayFigures(rows) {
  const byQueue = new Map();
  for (const row of rows) {
    const sum = byQueue.get(row.queue_id) || { client_id: row.client_id };
    for (const [k, v] of Object.entries(row.figures)) {
      sum[k] = k === "max_wait_s" ? Math.max(sum[k] || 0, v) : (sum[k] || 0) + v;
    }
    byQueue.set(row.queue_id, sum);
  }
  return byQueue;
}

/** Service level, average speed of answer and average handle time of summed figures.
 *  The service level is the one of hearthline.reports.definitions (docs/simulator.md):
 *  answered within target over offered, every abandon counting against it. */
export function rates(f) {
  if (!f) return { sl: null, asa: null, aht: null };
  const offered = f.offered || 0;
  return {
    sl: offered > 0 ? (f.answered_in_target || 0) / offered : null,
    asa: f.answered ? (f.wait_answered_s || 0) / f.answered : null,
    aht: f.handled ? ((f.talk_s || 0) + (f.hold_s || 0) + (f.wrap_s || 0)) / f.handled : null,
  };
}
