// The call guide of the contact in hand: the current step (the server's sanitized HTML),
// the caller's possible answers as buttons, and Back. Every answer saves the whole path
// on the contact (PUT /api/agent/contacts/{id}/guide), an event in the log: a reload, a
// crashed tab or another tab reads it back and lands on the same step. A path the server
// has not acknowledged yet is kept in local storage and sent again when the network
// returns, and the last guide read is kept too, so a reload while offline still shows
// the call's step and takes answers. A campaign with no guide keeps its plain script.

import { get, put, seg } from "./api.js";
import { $, fill, h, toast } from "./dom.js";

const PENDING = "hl.guide.";
// The walk of the contact in hand as last read: one per agent, replaced by the next.
const LAST = "hl.guide-walk.";

function pendingKey(agent, contact) {
  return `${PENDING}${agent}.${contact}`;
}

export class GuideDesk {
  constructor(agent) {
    this.agent = agent;
    this.contact = null;
    this.walk = null; // {guide, path, step}
    this._seq = 0;
    $("#guide-back").addEventListener("click", () => this.back());
    window.addEventListener("online", () => this.resend());
  }

  async context(contact) {
    if (contact === this.contact) return;
    this.contact = contact;
    this.walk = null;
    this._show(false);
    if (!contact) return;
    const seq = ++this._seq;
    let walk;
    try {
      walk = await get(`/api/agent/contacts/${seg(contact)}/guide`);
    } catch (err) {
      // Offline: the walk kept from the last read, if it is this contact's; otherwise
      // the plain script stays and the guide comes with the next desk read.
      const kept = err.network ? this._kept() : null;
      if (!kept || kept.contact_id !== contact) return;
      walk = kept;
    }
    if (seq !== this._seq) return;
    const local = this._pending();
    if (local && local.version === walk.guide.version) {
      walk = { ...walk, path: local.path, step: this._replay(walk.guide, local.path) || walk.step };
      this.walk = walk;
      this._send();
    }
    this.walk = walk;
    this._keep();
    this._render();
  }

  _kept() {
    try {
      return JSON.parse(localStorage.getItem(LAST + this.agent) || "null");
    } catch {
      return null;
    }
  }

  _keep() {
    localStorage.setItem(LAST + this.agent, JSON.stringify(this.walk));
  }

  _pending() {
    try {
      return JSON.parse(localStorage.getItem(pendingKey(this.agent, this.contact)) || "null");
    } catch {
      return null;
    }
  }

  /** The step a path leads to on this guide, or null if it cannot have been taken. */
  _replay(guide, path) {
    const steps = new Map(guide.steps.map((s) => [s.id, s]));
    let at = guide.start;
    for (const taken of path) {
      const step = steps.get(at);
      const answer = step && step.id === taken.step && step.answers.find((a) => a.label === taken.answer);
      if (!answer) return null;
      at = answer.next;
    }
    return at;
  }

  answer(label) {
    const step = this.walk.step;
    this._move([...this.walk.path, { step, answer: label }]);
  }

  back() {
    if (this.walk && this.walk.path.length) this._move(this.walk.path.slice(0, -1));
  }

  _move(path) {
    const step = this._replay(this.walk.guide, path);
    if (!step) return;
    this.walk = { ...this.walk, path, step };
    this._keep();
    localStorage.setItem(
      pendingKey(this.agent, this.contact),
      JSON.stringify({ version: this.walk.guide.version, path }),
    );
    this._render();
    this._send();
  }

  resend() {
    if (this.walk && this._pending()) this._send();
  }

  async _send() {
    const contact = this.contact;
    const path = this.walk.path;
    try {
      await put(`/api/agent/contacts/${seg(contact)}/guide`, { version: this.walk.guide.version, path });
    } catch (err) {
      if (contact === this.contact) this._status(err.network ? "Saved in this browser — will send when the connection returns" : err.message);
      if (!err.network) toast(err.message, { kind: "error" });
      return;
    }
    const local = JSON.parse(localStorage.getItem(pendingKey(this.agent, contact)) || "null");
    if (local && JSON.stringify(local.path) === JSON.stringify(path)) localStorage.removeItem(pendingKey(this.agent, contact));
    if (contact === this.contact) this._status("Saved");
  }

  _status(text) {
    $("#guide-status").textContent = text;
  }

  _show(guided) {
    $("#guide").classList.toggle("hidden", !guided);
    $("#script").classList.toggle("hidden", guided);
  }

  _render() {
    const walk = this.walk;
    // Version 0 is the plain script itself: shown as before, beside the form.
    if (!walk || walk.guide.version === 0) {
      this._show(false);
      return;
    }
    this._show(true);
    const step = walk.guide.steps.find((s) => s.id === walk.step);
    const text = h("div", { class: "kb-body guide-text" });
    text.innerHTML = step.html; // sanitized by the server (nh3), like an article's body
    fill(
      $("#guide-step"),
      text,
      step.end
        ? h("p", { class: "small muted guide-end" }, "End of the guide.")
        : h(
            "div",
            { class: "guide-answers", role: "group", "aria-label": "The caller's answer" },
            step.answers.map((a) => h("button", { type: "button", class: "small", onclick: () => this.answer(a.label) }, a.label)),
          ),
    );
    fill(
      $("#guide-path"),
      walk.path.map((p) => h("li", {}, p.answer)),
    );
    $("#guide-back").disabled = !walk.path.length;
    $("#guide").dataset.step = walk.step;
  }
}
