// Procedures and bulletins on the desk: the search dialog (/ or Ctrl+K), suggestions for
// the contact in hand (from its campaign and what the notes and form say so far), and the
// bulletins to read and acknowledge. Article and bulletin bodies arrive as HTML the server
// sanitized (nh3 allow-list) and are the only markup set as HTML; everything else
// (titles, highlights, questions, answers) is set as text. When the server cannot be
// reached, search and reading fall back to the procedures kept in the browser
// (procedures.js), under a mark saying how old they are.

import { get, post, seg } from "./api.js";
import { $, fill, h, toast } from "./dom.js";
import { clockTime, dateTime } from "./format.js";
import { Procedures } from "./procedures.js";

const SUGGEST_DELAY_MS = 600;
const SEARCH_DELAY_MS = 150;

/** Highlighted pieces [{text, hit}] as elements: a hit is a <mark>, all of it text. */
function pieces(list) {
  return (list || []).map((p) => (p.hit ? h("mark", {}, p.text) : p.text));
}

/** No answer, or the server failing: the kept procedures are the better answer. */
function unreachable(err) {
  return err && (err.network || err.status >= 500);
}

export class Knowledge {
  constructor(agent) {
    this.procedures = new Procedures(agent);
    this.offline = false;
    this.contact = null;
    this.bulletins = new Map(); // id -> bulletin with my receipt
    this._suggestTimer = null;
    this._searchTimer = null;
    this._searchSeq = 0;
    this._wire();
  }

  load() {
    this.loadBulletins();
    document.addEventListener("procedures-synced", () => this._mark());
    this.procedures.start().then(() => this._mark());
  }

  /** Synced again when the connection returns (the stream reconnected). */
  resync() {
    this.procedures.sync();
  }

  _mark() {
    const mark = $("#kb-offline");
    const asOf = this.procedures.asOf;
    mark.classList.toggle("warn", this.offline);
    mark.textContent = this.offline
      ? asOf
        ? `Offline — procedures as of ${clockTime(asOf)}`
        : "Offline — no procedures kept in this browser yet"
      : asOf
        ? `Kept for offline use, synced ${clockTime(asOf)}`
        : "";
  }

  _setOffline(offline) {
    if (this.offline === offline) return;
    this.offline = offline;
    this._mark();
  }

  // Search ---------------------------------------------------------------------------------

  open(initial = "") {
    const dialog = $("#kb-dialog");
    if (!dialog.open) dialog.showModal();
    const input = $("#kb-q");
    if (initial) input.value = initial;
    input.focus();
    input.select();
    this.search();
  }

  search() {
    clearTimeout(this._searchTimer);
    this._searchTimer = setTimeout(() => this._search(), SEARCH_DELAY_MS);
  }

  async _search() {
    const q = $("#kb-q").value;
    const seq = ++this._searchSeq;
    if (!q.trim()) {
      fill($("#kb-results"), h("li", { class: "muted" }, "Type what the caller needs: words, even misspelt."));
      return;
    }
    let hits;
    try {
      hits = await get(`/api/knowledge/search?q=${encodeURIComponent(q)}&limit=8`);
      this._setOffline(false);
    } catch (err) {
      if (seq !== this._searchSeq) return;
      if (!unreachable(err)) {
        fill($("#kb-results"), h("li", { class: "error" }, err.message));
        return;
      }
      this._setOffline(true);
      hits = this.procedures.search(q, 8).map((hit) => ({ ...hit, article: { id: hit.item.id }, kept: hit.item }));
    }
    if (seq !== this._searchSeq) return; // a newer search is on its way
    fill(
      $("#kb-results"),
      hits.length
        ? hits.map((hit) => this._hitItem(hit))
        : h("li", { class: "muted" }, "Nothing found for these words."),
    );
  }

  _hitItem(hit) {
    const open = () => (hit.kept ? this._showKept(hit.kept) : this.show(hit.article.id));
    const kind = hit.kept ? hit.kept.kind : "article";
    return h(
      "li",
      { class: "kb-hit", dataset: { article: String(hit.article.id), kind } },
      h("button", { type: "button", class: "link", onclick: open }, pieces(hit.title)),
      hit.snippet && hit.snippet.length ? h("div", { class: "small muted" }, pieces(hit.snippet)) : null,
    );
  }

  async show(id) {
    let article;
    try {
      article = await get(`/api/knowledge/articles/${seg(id)}`);
    } catch (err) {
      const kept = unreachable(err) && this.procedures.item("article", id);
      if (kept) {
        this._setOffline(true);
        this._showKept(kept);
      } else {
        toast(err.message, { kind: "error" });
      }
      return;
    }
    const dialog = $("#kb-dialog");
    if (!dialog.open) dialog.showModal();
    const body = h("div", { class: "kb-body" });
    body.innerHTML = article.html; // sanitized by the server (see the top of this file)
    fill(
      $("#kb-article"),
      h("h3", {}, article.title),
      h("div", { class: "small muted" }, `Version ${article.version}, ${dateTime(article.updated_at)} by ${article.updated_by}`),
      body,
    );
    $("#kb-article").dataset.article = String(article.id);
  }

  /** A procedure kept in the browser, as the server sanitized it when it was synced. */
  _showKept(item) {
    const dialog = $("#kb-dialog");
    if (!dialog.open) dialog.showModal();
    const body = h("div", { class: "kb-body" });
    body.innerHTML = item.html; // sanitized by the server (see the top of this file)
    fill(
      $("#kb-article"),
      h("h3", {}, item.title),
      h("div", { class: "small muted kb-kept" }, `Kept copy, version ${item.version}, as of ${clockTime(this.procedures.asOf)}`),
      body,
    );
    $("#kb-article").dataset.article = item.id;
  }

  // Suggestions for the contact in hand -------------------------------------------------------

  context(contact) {
    if (contact === this.contact) return;
    this.contact = contact;
    fill($("#kb-suggestions"));
    if (contact) this.suggest(true);
  }

  suggest(now = false) {
    clearTimeout(this._suggestTimer);
    if (!this.contact) return;
    this._suggestTimer = setTimeout(() => this._suggest(), now ? 0 : SUGGEST_DELAY_MS);
  }

  async _suggest() {
    const contact = this.contact;
    const answers = [...document.querySelectorAll("#form-fields input, #form-fields select")].map((el) => el.value);
    const text = [$("#note-text").value, ...answers].join(" ").slice(-3000);
    let hits;
    try {
      hits = await get(`/api/agent/suggestions?text=${encodeURIComponent(text)}&limit=5`);
    } catch {
      return; // suggestions are a help, never in the way
    }
    if (contact !== this.contact) return;
    fill(
      $("#kb-suggestions"),
      hits.length ? hits.map((hit) => this._hitItem(hit)) : h("li", { class: "muted small" }, "No suggestion yet."),
    );
  }

  // Bulletins ----------------------------------------------------------------------------------

  async loadBulletins() {
    try {
      const list = await get("/api/agent/bulletins");
      this.bulletins = new Map(list.map((b) => [b.id, b]));
      this.renderBulletins();
    } catch {
      /* loaded again when the stream returns */
    }
  }

  notice(message) {
    if (message.type === "bulletin" && message.bulletin) {
      toast(`New bulletin: ${message.bulletin.title}`, { kind: "info", timeout: 10000 });
      this.loadBulletins();
    } else if (message.type === "bulletin-question" && message.question) {
      const open = $(`[data-bulletin="${message.question.bulletin_id}"] details[open]`);
      if (open) this._questions(message.question.bulletin_id);
    }
  }

  renderBulletins() {
    const items = [...this.bulletins.values()].sort((a, b) => b.id - a.id);
    const waiting = items.filter((b) => !b.acked_at).length;
    const badge = $("#bulletin-count");
    badge.textContent = waiting ? String(waiting) : "";
    badge.classList.toggle("hidden", !waiting);
    fill(
      $("#bulletin-list"),
      items.length ? items.map((b) => this._bulletinItem(b)) : h("li", { class: "muted" }, "No bulletins for you."),
    );
  }

  _bulletinItem(b) {
    const body = h("div", { class: "kb-body" });
    body.innerHTML = b.html; // sanitized by the server
    const answer = b.question ? h("input", { class: "bulletin-answer", "aria-label": "Your answer", maxlength: "2000" }) : null;
    const ack = h("button", { type: "button", class: "small primary bulletin-ack", onclick: () => this.acknowledge(b.id, answer) }, "I have read and understood");
    const state = b.acked_at
      ? h("span", { class: "pill small ok" }, `Acknowledged ${clockTime(b.acked_at)}`)
      : h("span", { class: `pill small ${b.overdue ? "warn" : ""}` }, b.overdue ? "Overdue" : `Due ${dateTime(b.due_at)}`);
    const details = h(
      "details",
      { ontoggle: (ev) => ev.target.open && this.read(b) },
      h("summary", {}, b.mandatory ? h("b", {}, "Mandatory · ") : null, b.title, " ", state),
      body,
      b.question ? h("div", { class: "field" }, h("label", {}, b.question), b.acked_at ? h("div", {}, b.answer || "") : answer) : null,
      b.acked_at ? null : ack,
      h("h4", {}, "Questions"),
      h("ul", { class: "bulletin-questions small" }),
      h(
        "form",
        { class: "bulletin-ask", onsubmit: (ev) => this.ask(ev, b.id) },
        h("input", { "aria-label": "Ask a question about this bulletin", placeholder: "Ask a question…", maxlength: "2000" }),
        h("button", { type: "submit", class: "small" }, "Ask"),
      ),
    );
    return h("li", { dataset: { bulletin: String(b.id) } }, details);
  }

  async read(b) {
    this._questions(b.id);
    if (b.read_at) return;
    try {
      const updated = await post(`/api/agent/bulletins/${seg(b.id)}/read`);
      this.bulletins.set(b.id, updated);
    } catch {
      /* read again next time */
    }
  }

  async acknowledge(id, answerInput) {
    try {
      const updated = await post(`/api/agent/bulletins/${seg(id)}/acknowledge`, { answer: answerInput ? answerInput.value : "" });
      this.bulletins.set(id, updated);
      this.renderBulletins();
      toast("Acknowledged.", { kind: "ok" });
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
  }

  async ask(ev, id) {
    ev.preventDefault();
    const input = ev.target.querySelector("input");
    const text = input.value.trim();
    if (!text) return;
    try {
      await post(`/api/agent/bulletins/${seg(id)}/questions`, { text });
      input.value = "";
      this._questions(id);
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
  }

  async _questions(id) {
    let list;
    try {
      list = await get(`/api/agent/bulletins/${seg(id)}/questions`);
    } catch {
      return;
    }
    const ul = $(`[data-bulletin="${id}"] .bulletin-questions`);
    if (!ul) return;
    fill(
      ul,
      list.length
        ? list.map((q) => h("li", {}, h("div", {}, q.text), q.answer ? h("div", { class: "answer" }, h("b", {}, `${q.answered_by}: `), q.answer) : h("div", { class: "pending" }, "Not answered yet")))
        : h("li", { class: "muted" }, "No questions yet."),
    );
  }

  // Wiring ----------------------------------------------------------------------------------------

  _wire() {
    $("#kb-button").addEventListener("click", () => this.open());
    $("#kb-q").addEventListener("input", () => this.search());
    $("#kb-close").addEventListener("click", () => $("#kb-dialog").close());
    $("#note-text").addEventListener("input", () => this.suggest());
    $("#form-fields").addEventListener("change", () => this.suggest());
    document.addEventListener("keydown", (ev) => {
      if (!$("#offer-layer").classList.contains("hidden")) return; // a ringing offer has the keys
      const typing = ev.target.closest && ev.target.closest("input, textarea, select, [contenteditable]");
      const ctrlK = (ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "k";
      const slash = ev.key === "/" && !typing && !ev.ctrlKey && !ev.altKey && !document.querySelector("dialog[open]");
      if (ctrlK || slash) {
        ev.preventDefault();
        this.open();
      }
    });
  }
}
