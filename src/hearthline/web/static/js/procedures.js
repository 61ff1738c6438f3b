// The agent's procedures kept in the browser (IndexedDB) for when the connection or the
// server is down: the articles their audience gives them and their campaigns' call guides,
// as the server sanitized them (nh3), with the time they were last synced. The desk syncs
// on load and every few minutes with If-None-Match, so an unchanged set costs a 304.
// Offline, the desk search runs on a small index built here from the kept plain text.

import { serverNow } from "./clock.js";

const DB_NAME = "hearthline-procedures";
const STORE = "sets";
const SYNC_EVERY_MS = 5 * 60 * 1000;
const TITLE_WEIGHT = 10;
const TAG_WEIGHT = 5;
const SNIPPET_WORDS = 24;

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "agent" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withStore(mode, work) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req ? req.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Forgets every kept set: signing out on a browser others may use. */
export function forgetProcedures() {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(DB_NAME);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

/** Lower-case words without accents: what both the index and the typed words become. */
export function words(text) {
  return (text || "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1);
}

/** True when a and b are at most one edit apart (insert, delete, change, swap). */
function near(a, b) {
  if (Math.abs(a.length - b.length) > 1 || a[0] !== b[0]) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    return a.slice(i + 1) === b.slice(i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  }
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  return long.slice(i + 1) === short.slice(i);
}

/** How well one typed word matches one indexed word: exact, prefix (while typing), typo. */
function matchScore(typed, word, last) {
  if (word === typed) return 1;
  if (last && typed.length >= 2 && word.startsWith(typed)) return 0.8;
  if (typed.length >= 4 && near(typed, word)) return 0.6;
  return 0;
}

export class Procedures {
  constructor(agent) {
    this.agent = agent;
    this.set = null; // {agent, etag, as_of, items}
    this.index = [];
    this._timer = null;
  }

  /** The kept set (if any), then a sync now and every few minutes. */
  async start() {
    try {
      this._use(await withStore("readonly", (s) => s.get(this.agent)));
    } catch {
      /* no IndexedDB (a private window): online search still works */
    }
    await this.sync();
    clearInterval(this._timer);
    this._timer = setInterval(() => this.sync(), SYNC_EVERY_MS);
  }

  get asOf() {
    return this.set ? this.set.as_of : null;
  }

  get ready() {
    return Boolean(this.set);
  }

  async sync() {
    const headers = { Accept: "application/json" };
    if (this.set && this.set.etag) headers["If-None-Match"] = this.set.etag;
    let response;
    try {
      response = await fetch("/api/agent/procedures", { headers, credentials: "same-origin", cache: "no-store" });
    } catch {
      return false; // offline: keep what we have
    }
    if (response.status === 304 && this.set) {
      this.set = { ...this.set, as_of: serverNow() };
    } else if (response.ok) {
      const body = await response.json();
      this.set = { agent: this.agent, etag: body.etag, as_of: body.as_of, items: body.items };
    } else {
      return false;
    }
    this._use(this.set);
    try {
      await withStore("readwrite", (s) => s.put(this.set));
    } catch {
      /* kept in memory for this page at least */
    }
    document.dispatchEvent(new CustomEvent("procedures-synced", { detail: { asOf: this.set.as_of } }));
    return true;
  }

  _use(set) {
    if (!set || set.agent !== this.agent) return;
    this.set = set;
    this.index = set.items.map((item) => ({
      item,
      title: words(item.title),
      tags: words(item.tags.join(" ")),
      body: words(item.plain),
    }));
  }

  item(kind, id) {
    if (!this.set) return null;
    return this.set.items.find((i) => i.kind === kind && i.id === String(id)) || null;
  }

  /** The best `limit` kept procedures for what was typed, as the server's hits look:
   * title and a snippet as [{text, hit}] pieces (set as text by the page). */
  search(typed, limit = 8) {
    const query = words(typed);
    if (!query.length) return [];
    const scored = [];
    for (const entry of this.index) {
      let score = 0;
      let every = true;
      const hits = new Set();
      query.forEach((q, n) => {
        const last = n === query.length - 1;
        let best = 0;
        for (const [list, weight] of [[entry.title, TITLE_WEIGHT], [entry.tags, TAG_WEIGHT], [entry.body, 1]]) {
          for (const w of list) {
            const s = matchScore(q, w, last) * weight;
            if (s > 0) hits.add(w);
            if (s > best) best = s;
          }
        }
        if (!best) every = false;
        score += best;
      });
      // Every word found ranks above any partial match, as the server's narrow-first search.
      if (score > 0) scored.push({ entry, score: score + (every ? 1000 : 0), hits });
    }
    scored.sort((a, b) => b.score - a.score || a.entry.item.title.localeCompare(b.entry.item.title));
    return scored.slice(0, limit).map(({ entry, hits }) => ({
      item: entry.item,
      title: marked(entry.item.title, hits),
      snippet: marked(snippetOf(entry.item.plain, hits), hits),
    }));
  }
}

function snippetOf(text, hits) {
  const parts = (text || "").split(/\s+/);
  const at = parts.findIndex((p) => words(p).some((w) => hits.has(w)));
  const start = Math.max(0, at - 6);
  const cut = parts.slice(start, start + SNIPPET_WORDS).join(" ");
  return (start > 0 ? "… " : "") + cut + (start + SNIPPET_WORDS < parts.length ? " …" : "");
}

/** Text as [{text, hit}] pieces, the words in `hits` marked. */
function marked(text, hits) {
  const out = [];
  for (const piece of (text || "").split(/([\p{L}\p{N}]+)/u)) {
    if (!piece) continue;
    const hit = hits.has(words(piece)[0] || "");
    const prev = out[out.length - 1];
    if (prev && prev.hit === hit && !hit) prev.text += piece;
    else out.push({ text: piece, hit });
  }
  return out;
}
