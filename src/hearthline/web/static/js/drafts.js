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

/**
 * Signing out: drops every draft the server has (the browser may be shared), and keeps
 * only what it has not acknowledged yet, which would otherwise be lost.
 * @returns {number} drafts kept because the server does not have them yet
 */
export function forgetSaved() {
  let kept = 0;
  for (let i = localStorage.length - 1; i >= 0; i -= 1) {
    const k = localStorage.key(i);
    if (!k || !k.startsWith(PREFIX)) continue;
    let record = null;
    try {
      record = JSON.parse(localStorage.getItem(k));
    } catch {
      record = null;
    }
    if (record && !record.final && record.revision > (record.sentRevision || 0)) kept += 1;
    else localStorage.removeItem(k);
  }
  return kept;
}

/** Contacts of this agent with a local revision the server has not acknowledged. */
export function unsentContacts(agent) {
  const found = [];
  const prefix = `${PREFIX}${agent}.`;
  for (let i = 0; i < localStorage.length; i += 1) {
    const k = localStorage.key(i);
    if (!k || !k.startsWith(prefix)) continue;
    const record = loadLocal(agent, k.slice(prefix.length));
    if (record && !record.final && record.revision > (record.sentRevision || 0)) {
      found.push(k.slice(prefix.length));
    }
  }
  return found;
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
