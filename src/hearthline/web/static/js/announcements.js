// Announcements in the supervisor console: a message callers hear before the menu (or
// before the queue, on a number without one), for a client's callers or one queue's,
// switched on and off live. The wallboard's button says how many are on; its dialog lists
// them, switches them off (or an old one on again) and switches a new one on, typed as
// text (spoken by the server) or an uploaded prompt. The server audits each switch.

import { get, post } from "./api.js";
import { $, fill, h, setText } from "./dom.js";
import { clockTime } from "./format.js";

export class Announcements {
  /**
   * @param {object} o button: the wallboard's button; clients: id -> {name};
   *   queues: () => [{id, name, client_id}] of the clients the supervisor sees.
   */
  constructor({ button, clients, queues }) {
    this.button = button;
    this.clients = clients;
    this.queues = queues;
    this.rows = [];
    this.dialog = null;
    button.addEventListener("click", () => this.open());
  }

  /** Reads them again (another supervisor may have switched one) and shows the count. */
  async refresh() {
    try {
      this.rows = await get("/api/supervisor/announcements");
    } catch {
      return; // the last ones stay
    }
    const on = this.rows.filter((a) => a.active).length;
    setText($(".count", this.button), on ? `${on} on` : "none on");
    this.button.classList.toggle("on", on > 0);
    if (this.dialog && this.dialog.open) this.renderList();
  }

  clientName(id) {
    return (this.clients.get(id) || { name: id }).name;
  }

  who(a) {
    if (!a.queue_id) return `All callers of ${this.clientName(a.client_id)}`;
    const q = this.queues().find((x) => x.id === a.queue_id);
    return `${this.clientName(a.client_id)}, queue ${q && q.name ? q.name : a.queue_id}`;
  }

  async open() {
    if (!this.dialog) this.build();
    fill($("#announce-error"));
    this.fillChoices();
    this.renderList();
    if (!this.dialog.open) this.dialog.showModal();
    await this.refresh();
  }

  build() {
    const form = h(
      "form",
      { id: "announce-form", class: "announce-form" },
      h("h3", {}, "Switch on a message"),
      h("div", { class: "two" },
        h("div", { class: "field" }, h("label", { for: "announce-client" }, "Client company"), h("select", { id: "announce-client" })),
        h("div", { class: "field" }, h("label", { for: "announce-queue" }, "Callers of"), h("select", { id: "announce-queue" })),
      ),
      h("div", { class: "field" },
        h("label", { for: "announce-text" }, "Message"),
        h("textarea", { id: "announce-text", rows: 2, maxlength: 200, placeholder: "We know about the outage in your area and are working on it." }),
        h("span", { class: "hint" }, "Spoken by the server, unless a prompt is chosen below (then a note of what it says)."),
      ),
      h("div", { class: "field" }, h("label", { for: "announce-prompt" }, "Play an uploaded prompt instead"), h("select", { id: "announce-prompt" })),
      h("div", { class: "error small", role: "alert", id: "announce-error" }),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Switch on")),
    );
    this.dialog = h(
      "dialog",
      { id: "announcements", "aria-labelledby": "announcements-title" },
      h(
        "div",
        {},
        h("h2", { id: "announcements-title" }, "Announcements"),
        h("p", { class: "small muted" }, "Callers arriving from now hear what is on before the menu; callers already in a menu or a queue do not."),
        h("ul", { class: "inbox announcement-list", id: "announcement-list" }),
        form,
        h("div", { class: "actions" }, h("button", { type: "button", onclick: () => this.dialog.close() }, "Close")),
      ),
    );
    document.body.append(this.dialog);
    $("#announce-client").addEventListener("change", () => this.fillChoices({ keepClient: true }));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.switchOnNew();
    });
  }

  async fillChoices({ keepClient = false } = {}) {
    const client = $("#announce-client");
    if (!keepClient) {
      const chosen = client.value;
      fill(client, [...this.clients.values()].map((c) => h("option", { value: c.id }, c.name)));
      if (chosen) client.value = chosen;
    }
    fill(
      $("#announce-queue"),
      h("option", { value: "" }, "all the client's callers"),
      this.queues().filter((q) => q.client_id === client.value).map((q) => h("option", { value: q.id }, `queue ${q.name || q.id}`)),
    );
    const prompts = await get("/api/supervisor/prompts").catch(() => []);
    fill(
      $("#announce-prompt"),
      h("option", { value: "" }, "— none: speak the message —"),
      prompts.filter((p) => p.client_id === client.value).map((p) => h("option", { value: p.name }, `${p.name} (${p.seconds.toFixed(1)} s)`)),
    );
  }

  renderList() {
    const rows = [...this.rows].sort((a, b) => Number(b.active) - Number(a.active) || b.updated_at - a.updated_at).slice(0, 12);
    fill(
      $("#announcement-list"),
      rows.length
        ? rows.map((a) =>
            h(
              "li",
              { dataset: { announcement: String(a.id) }, class: a.active ? "on" : "off" },
              h("div", { class: "who" }, h("span", { class: `pill ${a.active ? "state-ringing" : "state-not-ready"}` }, a.active ? "On" : "Off"), " ", this.who(a), " ", h("span", { class: "muted small" }, `${a.active ? "since" : "off since"} ${clockTime(a.updated_at)} · ${a.updated_by}`)),
              h("div", { class: "text" }, a.text, a.prompt ? h("span", { class: "muted small" }, ` (plays prompt ${a.prompt})`) : null),
              h("div", { class: "row-actions" }, h("button", { type: "button", class: `small ${a.active ? "danger" : ""}`, onclick: () => this.switch(a, !a.active) }, a.active ? "Switch off" : "Switch on again")),
            ),
          )
        : h("li", { class: "muted" }, "No announcements yet."),
    );
  }

  async switch(a, active) {
    fill($("#announce-error"));
    try {
      await post(`/api/supervisor/announcements/${a.id}/switch`, { active });
    } catch (err) {
      fill($("#announce-error"), err.message);
    }
    await this.refresh();
  }

  async switchOnNew() {
    const error = $("#announce-error");
    fill(error);
    const text = $("#announce-text").value.trim();
    const prompt = $("#announce-prompt").value;
    if (!text) {
      fill(error, prompt ? "Say in a few words what the prompt says (it is shown here and in the audit log)." : "Type the message callers should hear.");
      return;
    }
    try {
      await post("/api/supervisor/announcements", {
        client_id: $("#announce-client").value,
        queue_id: $("#announce-queue").value || null,
        text,
        prompt,
        active: true,
      });
    } catch (err) {
      fill(error, err.message);
      return;
    }
    $("#announce-text").value = "";
    $("#announce-prompt").value = "";
    await this.refresh();
  }
}
