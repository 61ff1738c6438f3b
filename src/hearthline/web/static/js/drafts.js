// Notes and form fields that are never lost: every keystroke lands in the browser's own
// storage at once, and a debounced autosave sends it to the server with a rising
// revision. A reload, a crashed tab or a dropped connection keeps the local copy; on
// return the local and the server's drafts are merged (the newest revision wins) and
// whatever the server has not acknowledged is sent again.

const PREFIX = "hl.draft.";
const KEEP_MS = 7 * 24 * 3600 * 1000;

function key(agent, contact) {
  return `${PREFIX}${agent}.${contact}`;
}

export function loadLocal(agent, contact) {
  try {
    const raw = localStorage.getItem(key(agent, contact));
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function storeLocal(agent, contact, record) {
  try {
    localStorage.setItem(key(agent, contact), JSON.stringify(record));
    return true;
  } catch {
    return false; // storage full or disabled: the server copy still goes out
  }
}

export function forgetLocal(agent, contact) {
  localStorage.removeItem(key(agent, contact));
}

/** Drops drafts of long-finished contacts so storage does not fill up over months. */
export function pruneLocal(now = Date.now()) {
  for (let i = localStorage.length - 1; i >= 0; i -= 1) {
    const k = localStorage.key(i);
    if (!k || !k.startsWith(PREFIX)) continue;
    try {
      const record = JSON.parse(localStorage.getItem(k));
      if (!record || now - (record.savedAt || 0) > KEEP_MS) localStorage.removeItem(k);
    } catch {
      localStorage.removeItem(k);
    }
  }
}

function unsent(record) {
  return Boolean(record && !record.final && record.revision > (record.sentRevision || 0));
}

/**
 * Every draft in this browser the server has not acknowledged, as [{key, agent, contact,
 * record}]: ``agent``'s own with their contact; another user's (a browser others use)
 * with agent and contact null, since only that user could send it.
 */
export function unsentDrafts(agent) {
  const found = [];
  const own = agent ? `${PREFIX}${agent}.` : null;
  for (let i = 0; i < localStorage.length; i += 1) {
    const k = localStorage.key(i);
    if (!k || !k.startsWith(PREFIX)) continue;
    let record = null;
    try {
      record = JSON.parse(localStorage.getItem(k));
    } catch {
      record = null;
    }
    if (!unsent(record)) continue;
    const mine = own !== null && k.startsWith(own);
    found.push({
      key: k,
      agent: mine ? agent : null,
      contact: mine ? k.slice(own.length) : null,
      label: k.slice(PREFIX.length),
      record,
    });
  }
  return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Signing out: sends each of ``agent``'s unsent drafts (send(contact, record) resolves
 * once the server stored it, or throws an ApiError).
 * @returns the drafts still unsent: the server could not be reached, refused them, or
 *   they are another user's.
 */
export async function sendUnsent(agent, send) {
  const left = [];
  let reachable = true;
  for (const draft of unsentDrafts(agent)) {
    if (draft.contact === null || !reachable) {
      left.push(draft);
      continue;
    }
    let record = draft.record;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await send(draft.contact, record);
        storeLocal(draft.agent, draft.contact, { ...record, sentRevision: record.revision });
        record = null;
        break;
      } catch (err) {
        // No answer at all: the next ones would wait for nothing just the same.
        if (err && err.network) reachable = false;
        // The server holds a higher revision (another tab, a lost acknowledgement): as the
        // keeper does, this text goes in above it.
        const m = err && err.status === 409 && /revision (\d+) is stored/.exec(err.message || "");
        if (!m || attempt > 0) break;
        record = { ...record, revision: Number(m[1]) + 1 };
      }
    }
    if (record !== null) left.push(draft);
  }
  return left;
}

/** Forgets every draft in this browser: signed out, nothing of the agent's stays here. */
export function forgetDrafts() {
  for (let i = localStorage.length - 1; i >= 0; i -= 1) {
    const k = localStorage.key(i);
    if (k && k.startsWith(PREFIX)) localStorage.removeItem(k);
  }
}

/**
 * The draft to show: the newest revision of the local copy and the server's.
 * @returns {{record: object, resend: boolean}} resend when the local copy is newer.
 */
export function merge(local, server) {
  const serverRecord = server
    ? {
        revision: server.revision || 0,
        text: server.text || "",
        fields: fieldsObject(server.fields),
        sentRevision: server.revision || 0,
        savedAt: Date.now(),
      }
    : null;
  if (!local) return { record: serverRecord || emptyRecord(), resend: false };
  if (!serverRecord || local.revision > serverRecord.revision) {
    const sent = serverRecord ? serverRecord.revision : local.sentRevision || 0;
    return { record: { ...local, sentRevision: sent }, resend: local.revision > sent };
  }
  return { record: serverRecord, resend: false };
}

export function emptyRecord() {
  return { revision: 0, text: "", fields: {}, sentRevision: 0, savedAt: Date.now() };
}

/** [[name, value], ...] or {name: value} -> {name: value}. */
export function fieldsObject(fields) {
  if (!fields) return {};
  if (Array.isArray(fields)) return Object.fromEntries(fields);
  return { ...fields };
}

/**
 * Keeps one contact's draft: local at once, server after a pause in typing.
 * send(record) must resolve when the server stored it, or throw (ApiError).
 * onStatus(state, detail): "saved" | "saving" | "local" (kept here, not yet sent) | "error".
 */
export class DraftKeeper {
  constructor({ agent, contact, send, onStatus, debounceMs = 600 }) {
    this.agent = agent;
    this.contact = contact;
    this.send = send;
    this.onStatus = onStatus || (() => {});
    this.debounceMs = debounceMs;
    this.record = loadLocal(agent, contact) || emptyRecord();
    this._timer = null;
    this._inFlight = null;
    this.closed = false;
  }

  /** Adopts the merged draft (after a reload or reconnect); sends it if the server lacks it. */
  adopt(record, { resend }) {
    this.record = { ...record };
    storeLocal(this.agent, this.contact, this.record);
    if (resend) this.flush();
    else this.onStatus(this.record.revision ? "saved" : "idle");
  }

  /** The agent typed: a new revision, stored locally now, sent soon. */
  change(text, fields) {
    if (this.closed) return;
    const same =
      text === this.record.text && JSON.stringify(fields) === JSON.stringify(this.record.fields || {});
    if (same) return; // a blur or a re-render, not an edit

    this.record = {
      ...this.record,
      revision: (this.record.revision || 0) + 1,
      text,
      fields: { ...fields },
      savedAt: Date.now(),
    };
    const stored = storeLocal(this.agent, this.contact, this.record);
    this.onStatus(stored ? "local-pending" : "saving");
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.flush(), this.debounceMs);
  }

  get unsent() {
    return this.record.revision > (this.record.sentRevision || 0);
  }

  /** Sends the newest revision now if the server has not got it. */
  async flush() {
    clearTimeout(this._timer);
    if (this.closed || !this.unsent) return;
    if (this._inFlight) {
      this._again = true;
      return;
    }
    const record = { ...this.record };
    this.onStatus("saving");
    this._inFlight = this.send(record);
    try {
      await this._inFlight;
      if (record.revision > (this.record.sentRevision || 0)) {
        this.record.sentRevision = record.revision;
        storeLocal(this.agent, this.contact, this.record);
      }
      this.onStatus(this.unsent ? "saving" : "saved");
    } catch (err) {
      if (err && err.network) this.onStatus("local");
      else if (err && err.status === 409 && /out of order/.test(err.message || "")) {
        // The server holds a higher revision (another tab, or a lost acknowledgement):
        // jump past it so this newer text is not refused again.
        const m = /revision (\d+) is stored/.exec(err.message);
        if (m) this.record.revision = Number(m[1]) + 1;
        storeLocal(this.agent, this.contact, this.record);
        this._again = true;
      } else this.onStatus("error", err ? err.message : "not saved");
    } finally {
      this._inFlight = null;
      if (this._again) {
        this._again = false;
        if (this.unsent) setTimeout(() => this.flush(), 50);
      }
    }
  }

  /** The final note went in: nothing more to keep for this contact. */
  finish() {
    this.closed = true;
    clearTimeout(this._timer);
    forgetLocal(this.agent, this.contact);
  }
}
