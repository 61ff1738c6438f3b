// The contact in hand: call controls, the customer's record, the campaign's form and free
// notes (kept by a DraftKeeper), the script, and the wrap-up with its outcome.

import { ApiError, get, post, seg } from "./api.js";
import * as clock from "./clock.js";
import { $, fill, h, setText, toast } from "./dom.js";
import { DraftKeeper, fieldsObject, loadLocal, merge } from "./drafts.js";
import { duration, humanize } from "./format.js";
import { CustomerPanel } from "./agent_customer.js";
import { EarlierNotes } from "./agent_earlier.js";

export class ContactDesk {
  constructor({ agent, onFinished, queues, clientOf, voicemail }) {
    this.agent = agent;
    this.onFinished = onFinished;
    this.queues = queues;
    this.contact = null; // ContactLive of the contact in hand
    this.state = "offline"; // the agent's state
    this.forms = null;
    this.campaign = null;
    this.keeper = null;
    this.visible = false;
    this.finished = false;
    this.wrapEndsAt = null;
    this.talkSince = null;
    this.customer = new CustomerPanel({ agent, clientOf });
    this.voicemail = voicemail; // shared with the ringing offer (agent_voicemail.js)
    this.earlier = new EarlierNotes($("#earlier-notes"));
    this._wire();
  }

  /** Shows (or refreshes) the contact the desk says the agent has. */
  show({ contact, agentState, campaign, forms, wrapEndsAt, online, talkSince }) {
    const fresh = !this.contact || this.contact.id !== contact.id;
    this.contact = contact;
    this.state = agentState;
    this.online = online;
    if (wrapEndsAt) this.wrapEndsAt = wrapEndsAt;
    if (talkSince) this.talkSince = talkSince;
    if (fresh) {
      this.finished = false;
      this.wrapEndsAt = wrapEndsAt || null;
      this.talkSince = talkSince || contact.since;
      this.campaign = campaign;
      this.forms = forms;
      this._buildForm();
      this._openDraft();
      this._renderScript();
      this.customer.open(contact, campaign);
      this.voicemail.show(contact, $("#voicemail"));
      this.earlier.show(contact);
    } else if (forms && !this.forms) {
      this.forms = forms;
      this._buildForm();
      this._fillForm(this.keeper.record);
      this._renderScript();
    }
    this.visible = true;
    this._render();
  }

  /** The desk no longer names this contact (its wrap-up ended) but its note is unfinished. */
  update({ agentState, online }) {
    this.state = agentState;
    this.online = online;
    this._render();
  }

  holding() {
    return this.visible && this.contact !== null && !this.finished;
  }

  hide() {
    this.visible = false;
    this.contact = null;
    if (this.keeper) this.keeper.flush();
    this.keeper = null;
  }

  resend() {
    if (this.keeper) this.keeper.flush();
    this.customer.retry();
  }

  // The draft --------------------------------------------------------------------------------

  async _openDraft() {
    const contact = this.contact.id;
    this.keeper = new DraftKeeper({
      agent: this.agent,
      contact,
      send: (record) =>
        post(`/api/agent/contacts/${seg(contact)}/notes`, {
          revision: record.revision,
          text: record.text,
          fields: record.fields,
        }),
      onStatus: (status, detail) => this._saveState(status, detail),
    });
    const local = loadLocal(this.agent, contact);
    this._fillForm(local || this.keeper.record);
    let server = null;
    try {
      server = await fetchServerDraft(contact);
    } catch {
      server = null; // offline: the local copy is all there is, and it is enough
    }
    if (!this.keeper || this.keeper.contact !== contact) return;
    // Typing may have begun while we asked: keep that, it is newer than both.
    const current = this.keeper.record.revision ? this.keeper.record : local;
    const { record, resend } = merge(current, server);
    this.keeper.adopt(record, { resend });
    this._fillForm(record);
    if (server && server.final) this._finishedAlready();
  }

  _changed() {
    if (!this.keeper) return;
    this.keeper.change($("#note-text").value, this._fieldValues());
  }

  _saveState(status, detail) {
    const el = $("#save-state");
    const text = {
      idle: "",
      "local-pending": "Saved in this browser…",
      saving: "Saving…",
      saved: "Saved",
      local: "Saved in this browser — will send when the connection returns",
      error: `Not saved: ${detail || "refused"}`,
    }[status];
    el.className = `save-state ${status === "local" ? "local" : status === "error" ? "error" : status === "saved" ? "saved" : ""}`;
    el.dataset.status = status;
    setText(el, text || "");
  }

  // The form -------------------------------------------------------------------------------------

  _buildForm() {
    const fields = (this.forms && this.forms.fields) || [];
    const box = $("#form-fields");
    fill(box, fields.map((f) => fieldInput(f)));
    const outcomes = (this.forms && this.forms.dispositions) || [];
    fill(
      $("#dispositions"),
      outcomes.length
        ? outcomes.map((d, i) =>
            h(
              "label",
              { for: `disp-${i}` },
              h("input", { type: "radio", name: "disposition", id: `disp-${i}`, value: d.id }),
              d.label || humanize(d.id),
            ),
          )
        : h("div", { class: "muted" }, "This campaign has no outcomes configured."),
    );
  }

  _fieldValues() {
    const values = {};
    for (const f of (this.forms && this.forms.fields) || []) {
      const el = document.getElementById(`field-${f.name}`);
      if (el) values[f.name] = el.value;
    }
    return values;
  }

  _fillForm(record) {
    if (!record) return;
    const text = $("#note-text");
    if (text.value !== record.text) text.value = record.text || "";
    const values = fieldsObject(record.fields);
    for (const f of (this.forms && this.forms.fields) || []) {
      const el = document.getElementById(`field-${f.name}`);
      if (el && values[f.name] !== undefined && el.value !== values[f.name]) el.value = values[f.name];
    }
  }

  _renderScript() {
    const script = this.forms && this.forms.script;
    fill(
      $("#script"),
      script ? script : h("span", { class: "muted" }, "No script for this campaign."),
    );
    setText($("#campaign-name"), (this.forms && this.forms.name) || humanize(this.campaign) || "");
  }

  // Rendering and the clock -------------------------------------------------------------------------

  _render() {
    const c = this.contact;
    if (!c) return;
    const wrap = this.state === "wrap-up" || (this.state !== "on-contact" && !this.finished);
    const held = c.state === "on-hold";
    // In a consult the caller is held until it is handed over or taken back (consult.js).
    const consulting = Boolean(c.consultant) && c.agent === this.agent;
    $("#controls").classList.toggle("wrap", wrap);
    setText(
      $("#contact-what"),
      wrap ? "Wrap-up" : held ? "On hold" : `On contact · ${c.caller || "unknown number"}`,
    );
    const hold = $("#hold-button");
    hold.replaceChildren(held ? "Resume " : "Hold ", h("kbd", {}, "H"));
    const live = this.state === "on-contact" && this.online;
    hold.disabled = !live || consulting;
    $("#transfer-button").disabled = !live || consulting;
    $("#consult-button").disabled = !live || consulting;
    $("#hangup-button").disabled = !live;
    for (const el of [hold, $("#transfer-button"), $("#consult-button"), $("#hangup-button")]) {
      el.classList.toggle("hidden", wrap);
    }
    $("#wrapup").classList.toggle("hidden", !wrap);
    $("section.notes").classList.toggle("wrapping", wrap);
    $("#wrap-timer").classList.toggle("hidden", !wrap || !this.wrapEndsAt);
    $("#contact-clock").classList.toggle("hidden", wrap);
    setText($("#notes-title"), wrap ? "Wrap-up: notes and outcome" : "Notes");
    setText($("#caller-id"), c.caller || "");
  }

  tick() {
    if (!this.visible || !this.contact) return;
    setText($("#contact-clock"), duration(clock.since(this.talkSince)));
    if (this.wrapEndsAt) {
      const left = clock.until(this.wrapEndsAt);
      const el = $("#wrap-timer");
      setText(el, `Wrap-up ends in ${duration(left)}`);
      el.classList.toggle("low", left !== null && left < 10);
    }
  }

  // Actions -------------------------------------------------------------------------------------------

  async toggleHold() {
    const c = this.contact;
    if (!c) return;
    const verb = c.state === "on-hold" ? "resume" : "hold";
    try {
      await post(`/api/agent/contacts/${seg(c.id)}/${verb}`);
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
  }

  async hangUp() {
    const c = this.contact;
    if (!c) return;
    try {
      await post(`/api/agent/contacts/${seg(c.id)}/hang-up`);
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
  }

  /** The directory of the contact's client, to transfer to (``consult`` false) or to
   * consult an agent of (the agent alone: the caller is held meanwhile). */
  openTransfer({ consult = false } = {}) {
    this.consulting = consult;
    setText($("#transfer-title"), consult ? "Consult an agent first" : "Transfer the contact");
    $("#transfer-queue-field").classList.toggle("hidden", consult);
    $("#transfer-submit").classList.toggle("hidden", consult);
    $("#consult-submit").classList.toggle("hidden", !consult);
    setText(
      $("#transfer-agent-hint"),
      consult
        ? "They must be ready and free. The caller hears music while you talk; then hand over or return."
        : "A named agent is rung first; the queue takes the contact if they do not answer.",
    );
    const queues = this.queues();
    fill($("#transfer-queues"), queues.map((q) => h("option", { value: q.id }, q.name || q.id)));
    $("#transfer-queue").value = "";
    $("#transfer-agent").value = "";
    $("#transfer-search").value = "";
    this.targets = null;
    fill($("#transfer-directory"));
    setText($("#transfer-directory-note"), "Looking up who is free…");
    $("#transfer-dialog").showModal();
    $("#transfer-search").focus();
    this.loadTargets();
  }

  /** The directory of the contact's client: its agents (free ones first) and queues. */
  async loadTargets() {
    const c = this.contact;
    if (!c) return;
    try {
      this.targets = await get(`/api/agent/transfer-targets?contact=${encodeURIComponent(c.id)}`);
    } catch (err) {
      setText($("#transfer-directory-note"), `The directory could not be read: ${err.message}`);
      return;
    }
    this.renderTargets();
  }

  renderTargets() {
    const t = this.targets;
    if (!t) return;
    const words = $("#transfer-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (...texts) => {
      const all = texts.join(" ").toLowerCase();
      return words.every((w) => all.includes(w));
    };
    const chosenAgent = $("#transfer-agent").value.trim();
    const chosenQueue = $("#transfer-queue").value.trim();
    const agents = t.agents
      .filter((a) => matches(a.id, a.name, a.state, a.free ? "free" : "", ...Object.keys(a.skills)))
      .sort((x, y) => Number(y.free) - Number(x.free) || (x.name || x.id).localeCompare(y.name || y.id));
    const queues = this.consulting ? [] : t.queues.filter((q) => matches(q.id, q.name, "queue"));
    const pick = (field, id) => () => {
      $(field).value = id;
      this.renderTargets();
    };
    const rows = [
      ...queues.map((q) =>
        h("li", {},
          h("button", {
            type: "button", class: "target", dataset: { queue: q.id },
            "aria-pressed": String(chosenQueue === q.id), onclick: pick("#transfer-queue", q.id),
          },
          h("span", { class: "target-name" }, `Queue ${q.name || q.id}`),
          h("span", { class: "target-id muted small" }, q.id),
          h("span", { class: "target-detail num" }, `${q.waiting} waiting · ${q.agents_available} free`)))),
      ...agents.map((a) =>
        h("li", {},
          h("button", {
            type: "button", class: "target", dataset: { agent: a.id },
            "aria-pressed": String(chosenAgent === a.id), onclick: pick("#transfer-agent", a.id),
          },
          h("span", { class: "target-name" }, a.name || a.id),
          h("span", { class: "target-id muted small" }, a.id),
          h("span", { class: `pill state-${a.state}` }, a.free ? "free" : a.state.replace("-", " ")),
          h("span", { class: "target-detail small" },
            Object.entries(a.skills).map(([k, v]) => `${k} ${v}`).join(", ") || "no skills")))),
    ];
    fill($("#transfer-directory"), rows);
    const free = t.agents.filter((a) => a.free).length;
    setText(
      $("#transfer-directory-note"),
      rows.length
        ? `${free} of ${t.agents.length} agents free now. Pick one, or type an id below.`
        : "Nobody matches that search.",
    );
  }

  async transfer() {
    const c = this.contact;
    const queue = $("#transfer-queue").value.trim() || null;
    const agent = $("#transfer-agent").value.trim() || null;
    if (!queue && !agent) {
      toast("Choose a queue or name an agent.", { kind: "error" });
      return;
    }
    try {
      await post(`/api/agent/contacts/${seg(c.id)}/transfer`, { queue, agent });
      $("#transfer-dialog").close();
      toast("Transferred. Finish your notes in the wrap-up.", { kind: "ok" });
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
  }

  async consult() {
    const c = this.contact;
    const agent = $("#transfer-agent").value.trim();
    if (!agent) {
      toast("Choose the agent to consult.", { kind: "error" });
      return;
    }
    try {
      await post(`/api/agent/contacts/${seg(c.id)}/consult`, { agent });
      $("#transfer-dialog").close();
      toast("The caller is on hold while the agent's desk rings.", { kind: "ok" });
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
  }

  /** Checks the outcome and required fields here first, then sends the final note. */
  async submitWrapUp() {
    const c = this.contact;
    if (!c || this.finished) return;
    const error = $("#wrapup-error");
    error.textContent = "";
    const chosen = document.querySelector('input[name="disposition"]:checked');
    const values = this._fieldValues();
    const missing = [];
    for (const f of (this.forms && this.forms.fields) || []) {
      const wrapper = document.getElementById(`field-${f.name}`).closest(".field");
      const empty = f.required && !String(values[f.name] || "").trim();
      wrapper.classList.toggle("invalid", empty);
      if (empty) missing.push(f.label || f.name);
    }
    if (!chosen || missing.length) {
      const parts = [];
      if (!chosen) parts.push("choose an outcome");
      if (missing.length) parts.push(`fill in ${missing.join(", ")}`);
      error.textContent = `Before finishing: ${parts.join(" and ")}.`;
      (chosen ? document.querySelector(".field.invalid input, .field.invalid select") : $("#dispositions input"))?.focus();
      return;
    }
    const button = $("#finish-button");
    button.disabled = true;
    try {
      await this.keeper.flush();
      await post(`/api/agent/contacts/${seg(c.id)}/finish`, {
        disposition: chosen.value,
        text: $("#note-text").value,
        fields: values,
      });
      this._finishedAlready();
      toast("Wrap-up finished.", { kind: "ok" });
      this.onFinished({ contact: c.id });
    } catch (err) {
      error.textContent = err instanceof ApiError && err.network
        ? "No connection: your notes are safe in this browser. Finish again when the connection returns."
        : err.message;
    } finally {
      button.disabled = false;
    }
  }

  _finishedAlready() {
    this.finished = true;
    if (this.keeper) this.keeper.finish();
  }

  _wire() {
    $("#note-form").addEventListener("input", () => this._changed());
    $("#note-form").addEventListener("change", (ev) => {
      if (ev.target.name !== "disposition") this._changed();
    });
    $("#note-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.submitWrapUp();
    });
    $("#hold-button").addEventListener("click", () => this.toggleHold());
    $("#hangup-button").addEventListener("click", () => this.hangUp());
    $("#transfer-button").addEventListener("click", () => this.openTransfer());
    $("#consult-button").addEventListener("click", () => this.openTransfer({ consult: true }));
    $("#consult-submit").addEventListener("click", () => this.consult());
    $("#transfer-cancel").addEventListener("click", () => $("#transfer-dialog").close());
    $("#transfer-search").addEventListener("input", () => this.renderTargets());
    $("#transfer-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (this.consulting) this.consult();
      else this.transfer();
    });
  }
}

/**
 * The server's newest draft of a contact, {revision, text, fields, final}, or null:
 * the last NoteDrafted or NoteFinalised of the contact's history.
 */
async function fetchServerDraft(contact) {
  let detail;
  try {
    detail = await get(`/api/contacts/${seg(contact)}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return null;
    throw err;
  }
  let draft = null;
  for (const e of detail.events || []) {
    if (e.type === "NoteDrafted" || e.type === "NoteFinalised") {
      if (!draft || e.revision >= draft.revision) {
        draft = { revision: e.revision, text: e.text, fields: e.fields, final: e.type === "NoteFinalised" };
      }
    }
  }
  return draft;
}

function fieldInput(f) {
  const id = `field-${f.name}`;
  const label = h("label", { for: id, class: f.required ? "required" : null }, f.label || humanize(f.name));
  let input;
  if (f.kind === "choice") {
    input = h("select", { id, name: f.name }, h("option", { value: "" }, "—"), (f.choices || []).map((c) => h("option", { value: c }, humanize(c))));
  } else if (f.kind === "boolean") {
    input = h("select", { id, name: f.name }, h("option", { value: "" }, "—"), h("option", { value: "true" }, "Yes"), h("option", { value: "false" }, "No"));
  } else if (f.kind === "date") {
    input = h("input", { id, name: f.name, type: "date" });
  } else if (f.kind === "number") {
    input = h("input", { id, name: f.name, inputmode: "decimal", autocomplete: "off", pattern: "-?[0-9]*[.,]?[0-9]*" });
  } else {
    input = h("input", { id, name: f.name, autocomplete: "off" });
  }
  if (f.required) input.setAttribute("aria-required", "true");
  return h("div", { class: "field" }, label, input);
}


