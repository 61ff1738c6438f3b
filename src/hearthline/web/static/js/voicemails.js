// The console's voicemails: the messages callers left for the supervisor's client
// companies (a queue that overflowed to voicemail offers them to nobody, so this is where
// they are found; a menu's voicemail leaf's are here too). The wallboard's button says
// how many are not dealt with; its dialog lists them (when, queue, number dialled, the
// caller's number, length, played or not) with the quality page's player
// (recording_player.js: each playback from the start audited by the server), and a
// supervisor marks one dealt with (stored and audited), which hides it unless asked, or
// turns it into a callback: "Call back" asks for a queue of its client (its own queue
// by default) and, if they like, an agent to ring first; the server makes the callback
// to the caller's number (whose agent hears the message on the desk) and marks the
// voicemail dealt with. A client viewer sees and hears them, and marks nothing.

import { get, post, put, seg } from "./api.js";
import { $, fill, h, setText } from "./dom.js";
import { dateTime, duration } from "./format.js";
import { players } from "./recording_player.js";

const LIMIT = 200;

export class Voicemails {
  /**
   * @param {object} o button: the wallboard's button; staff: may mark them dealt with;
   *   clients: id -> {name}; queueName: id -> its name; client: the console's chosen
   *   client company ("" for all), whose voicemails alone are counted and listed;
   *   queues: () -> [{id, name, client_id}]; agents: () -> [{id, name}] (the floor's),
   *   offered when calling one back.
   */
  constructor({ button, staff, clients, queueName, client = () => "", queues = () => [], agents = () => [] }) {
    this.button = button;
    this.queues = queues;
    this.agents = agents;
    this.calling = null; // the id whose "Call back" form is open
    this.client = client;
    this.staff = staff;
    this.clients = clients;
    this.queueName = queueName;
    this.rows = [];
    this.dialog = null;
    this.open_ = new Set(); // ids whose player is open: a refresh keeps it playing
    button.addEventListener("click", () => this.open());
  }

  /** Reads the count of those not dealt with, and the list when the dialog is open. */
  async refresh() {
    let pending;
    try {
      pending = await get(`/api/recordings/voicemails?pending=true&limit=${LIMIT}`);
    } catch {
      return; // the last count stays
    }
    const n = this.chosen(pending).length;
    const more = pending.length >= LIMIT; // the newest LIMIT only: there may be more
    setText($(".count", this.button), n || more ? `${n}${more ? "+" : ""} new` : "none new");
    this.button.classList.toggle("on", n > 0);
    if (this.dialog && this.dialog.open) await this.load(pending);
  }

  async open() {
    if (!this.dialog) this.build();
    fill($("#voicemail-error"));
    fill($("#voicemail-done"));
    if (!this.dialog.open) this.dialog.showModal();
    await this.load();
  }

  /** The list: those not dealt with, or all of them when asked. */
  async load(pending = null) {
    const all = $("#voicemail-all").checked;
    try {
      this.rows = !all && pending ? pending : await get(`/api/recordings/voicemails?pending=${!all}&limit=${LIMIT}`);
    } catch (err) {
      fill($("#voicemail-error"), err.message);
      return;
    }
    this.render();
  }

  chosen(rows) {
    const client = this.client();
    return client ? rows.filter((v) => v.client_id === client) : rows;
  }

  build() {
    this.dialog = h(
      "dialog",
      { id: "voicemails", "aria-labelledby": "voicemails-title" },
      h(
        "div",
        {},
        h("h2", { id: "voicemails-title" }, "Voicemails"),
        h("p", { class: "small muted" }, "Messages callers left when a queue sent them to voicemail or they chose to leave one. Newest first."),
        h("label", { class: "small inline-check" }, h("input", { type: "checkbox", id: "voicemail-all", onchange: () => this.load() }), "Show those dealt with"),
        h("div", { class: "error small", role: "alert", id: "voicemail-error" }),
        h("div", { class: "ok small", role: "status", id: "voicemail-done" }),
        h("div", { class: "voicemail-scroll" },
          h("table", { id: "voicemail-list", "aria-labelledby": "voicemails-title" },
            h("thead", {}, h("tr", {},
              h("th", { scope: "col" }, "Left"),
              h("th", { scope: "col" }, "Queue"),
              h("th", { scope: "col" }, "Number dialled"),
              h("th", { scope: "col" }, "Caller"),
              h("th", { scope: "col", class: "num" }, "Length"),
              h("th", { scope: "col" }, "Status"),
              h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")),
            )),
            h("tbody"),
          ),
        ),
        h("div", { class: "actions" }, h("button", { type: "button", onclick: () => this.dialog.close() }, "Close")),
      ),
    );
    document.body.append(this.dialog);
  }

  render() {
    const body = $("#voicemail-list tbody");
    // A player already open (maybe playing) is kept as it is.
    const kept = new Map();
    for (const row of body.querySelectorAll("tr.voicemail-player-row")) kept.set(row.dataset.id, row);
    const many = this.clients.size > 1 && !this.client();
    const rows = this.chosen(this.rows);
    fill(
      body,
      rows.length
        ? rows.flatMap((v) => {
            const player = this.open_.has(v.id) ? kept.get(String(v.id)) || this.playerRow(v) : null;
            const form = this.calling === v.id && !v.dealt_at ? this.callBackRow(v) : null;
            return [this.row(v, many), form, player];
          })
        : h("tr", {}, h("td", { colspan: 7, class: "muted" }, $("#voicemail-all").checked ? "No voicemails." : "No voicemails to deal with.")),
    );
  }

  row(v, many) {
    const client = many ? ` · ${(this.clients.get(v.client_id) || { name: v.client_id }).name}` : "";
    const status = v.callback_id
      ? h("span", { class: "pill state-available" }, `Called back · ${v.dealt_by}`)
      : v.dealt_at
      ? h("span", { class: "pill state-available" }, `Dealt with · ${v.dealt_by}`)
      : v.played_at
        ? h("span", { class: "pill state-not-ready" }, "Played")
        : h("span", { class: "pill state-ringing" }, "Not played");
    return h(
      "tr",
      { dataset: { voicemail: String(v.id) }, class: v.dealt_at ? "dealt" : "" },
      h("td", {}, dateTime(v.started_at), h("span", { class: "muted small" }, client)),
      h("td", {}, v.queue_id ? this.queueName(v.queue_id) : "–"),
      h("td", {}, v.number || "–"),
      h("td", {}, v.caller || "Unknown number"),
      h("td", { class: "num" }, duration(v.seconds)),
      h("td", { class: "status" }, status),
      h(
        "td",
        { class: "voicemail-actions" },
        h("button", { type: "button", class: "small listen", "aria-expanded": String(this.open_.has(v.id)), onclick: () => this.toggle(v) }, this.open_.has(v.id) ? "Close" : "Listen"),
        this.staff && !v.dealt_at && v.caller
          ? h("button", { type: "button", class: "small call-back", "aria-expanded": String(this.calling === v.id), onclick: () => this.toggleCallBack(v) }, "Call back")
          : null,
        this.staff && !v.callback_id
          ? h("button", { type: "button", class: `small dealt ${v.dealt_at ? "" : "primary"}`, onclick: () => this.deal(v, !v.dealt_at) }, v.dealt_at ? "Open again" : "Dealt with")
          : null,
      ),
    );
  }

  playerRow(v) {
    const made = players([v]);
    const audio = made.nodes.find((n) => n.tagName === "AUDIO");
    // Heard from its start: the server notes it (and audits it); the row says so at once.
    if (audio) audio.addEventListener("play", () => {
      if (!v.played_at) {
        v.played_at = Date.now() / 1000;
        const status = $(`tr[data-voicemail="${v.id}"] td.status`);
        if (status) fill(status, h("span", { class: "pill state-not-ready" }, "Played"));
      }
    }, { once: true });
    return h("tr", { class: "voicemail-player-row", dataset: { id: String(v.id) } }, h("td", { colspan: 7 }, made.nodes));
  }

  /** The "Call back" form: a queue of the voicemail's client, and an agent if wanted. */
  callBackRow(v) {
    const queues = this.queues().filter((q) => q.client_id === v.client_id);
    if (v.queue_id && !queues.some((q) => q.id === v.queue_id)) queues.unshift({ id: v.queue_id, name: this.queueName(v.queue_id) });
    const queue = h("select", { class: "callback-queue", "aria-label": "Queue to call back from" },
      ...queues.map((q) => h("option", { value: q.id, selected: q.id === v.queue_id }, q.name || q.id)));
    const agents = [...this.agents()].sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
    const agent = h("select", { class: "callback-agent", "aria-label": "Agent to ring first" },
      h("option", { value: "" }, "Any agent of the queue"),
      ...agents.map((a) => h("option", { value: a.id }, a.name || a.id)));
    const send = async () => {
      fill($("#voicemail-error"));
      const body = { queue: queue.value || null, agent: agent.value || null };
      let made;
      try {
        made = await post(`/api/recordings/voicemails/${seg(v.id)}/callback`, body);
      } catch (err) {
        fill($("#voicemail-error"), err.message);
        return;
      }
      this.calling = null;
      setText($("#voicemail-done"), `Callback to ${made.caller} queued in ${this.queueName(made.queue_id)}${made.agent_id ? `, ${agent.selectedOptions[0].textContent} rung first` : ""}.`);
      await this.refresh();
    };
    return h("tr", { class: "voicemail-callback-row", dataset: { id: String(v.id) } },
      h("td", { colspan: 7 },
        h("div", { class: "callback-form" },
          h("span", {}, `Call ${v.caller} back from`),
          h("label", {}, "Queue ", queue),
          h("label", {}, "Agent ", agent),
          h("button", { type: "button", class: "small primary make-callback", onclick: send }, "Make the callback"),
          h("button", { type: "button", class: "small", onclick: () => this.toggleCallBack(v) }, "Cancel"),
        )));
  }

  toggleCallBack(v) {
    this.calling = this.calling === v.id ? null : v.id;
    this.render();
  }

  toggle(v) {
    if (this.open_.has(v.id)) this.open_.delete(v.id);
    else this.open_.add(v.id);
    this.render();
    const audio = $(`tr.voicemail-player-row[data-id="${v.id}"] audio`);
    if (audio && this.open_.has(v.id)) audio.play().catch(() => {}); // its own controls remain
  }

  async deal(v, dealt) {
    fill($("#voicemail-error"));
    try {
      await put(`/api/recordings/voicemails/${seg(v.id)}/dealt-with`, { dealt_with: dealt });
    } catch (err) {
      fill($("#voicemail-error"), err.message);
      return;
    }
    if (dealt) this.open_.delete(v.id);
    await this.refresh(); // the count, and the list (the dialog is open)
  }
}
