// Between contacts: my day (GET /api/agent/my-day) and help requests with their answers.

import { get, post } from "./api.js";
import { $, fill, h, toast } from "./dom.js";
import { clockTime, duration, humanize, percent } from "./format.js";
import { MyWeek } from "./agent_week.js";

export class SidePanels {
  constructor({ onHelp }) {
    this.onHelp = onHelp;
    this.requests = new Map(); // id -> help request
    this.labels = {}; // disposition id -> label, learnt from the campaigns' forms
    this._dayTimer = null;
    this.week = new MyWeek($("#myday-schedule"));
    setInterval(() => this.loadMyDay(), 30000);
  }

  load() {
    this.loadMyDay();
    this.loadHelp();
    this.week.load();
  }

  learnLabels(forms) {
    for (const d of (forms && forms.dispositions) || []) this.labels[d.id] = d.label || humanize(d.id);
    if (this.lastDay) this.renderDay(this.lastDay);
  }

  // My day ------------------------------------------------------------------------------------

  loadMyDay() {
    // The figures come from a read model refreshed every few seconds; ask twice.
    clearTimeout(this._dayTimer);
    this._fetchDay();
    this._dayTimer = setTimeout(() => this._fetchDay(), 6000);
  }

  async _fetchDay() {
    let day;
    try {
      day = await get("/api/agent/my-day");
    } catch (err) {
      if (!err.network) fill($("#myday"), h("div", { class: "muted" }, `My day is not available: ${err.message}`));
      return;
    }
    this.renderDay(day);
  }

  renderDay(day) {
    this.lastDay = day;
    const breakS = Object.values(day.not_ready_s || {}).reduce((a, b) => a + b, 0);
    const systemS = Object.values(day.system_not_ready_s || {}).reduce((a, b) => a + b, 0);
    const kpi = (label, value, sub = "") =>
      h("div", { class: "kpi" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value), sub ? h("div", { class: "sub" }, sub) : null);
    fill(
      $("#myday"),
      kpi("Handled", String(day.handled), `${day.answered} answered`),
      kpi("Average handle", duration(day.average_handle_s), `talk ${duration(day.talk_s)}`),
      kpi("Save rate", percent(day.save_rate), `${day.saves} saved`),
      kpi("Sales rate", percent(day.sale_rate), `${day.sales} sales`),
      kpi("Time on break", duration(breakS), breakdown(day.not_ready_s)),
      kpi("Not counted", duration(systemS), day.dropped ? `${day.dropped} dropped by faults` : "system time"),
    );
    $("#myday").dataset.handled = String(day.handled);
    const outcomes = Object.entries(day.outcomes || {}).sort((a, b) => b[1] - a[1]);
    fill(
      $("#myday-outcomes"),
      outcomes.length
        ? h("ul", { class: "history" }, outcomes.map(([id, n]) => h("li", {}, h("b", {}, String(n)), " × ", this.labels[id] || humanize(id))))
        : h("span", { class: "muted" }, "No outcomes recorded yet today."),
    );
    $("#myday-since").textContent = day.since ? `since ${clockTime(day.since)}` : "";
  }

  // Help ----------------------------------------------------------------------------------------

  async loadHelp() {
    try {
      const list = await get("/api/agent/help");
      for (const r of list) this.requests.set(r.id, r);
      this.renderHelp();
    } catch {
      /* shown when the connection returns */
    }
  }

  async askHelp(text) {
    try {
      const request = await post("/api/agent/help", { text });
      this.requests.set(request.id, request);
      this.renderHelp();
      toast("Your request went to the supervisors.", { kind: "ok" });
      return true;
    } catch (err) {
      toast(err.message, { kind: "error" });
      return false;
    }
  }

  /** A notice on the stream: {"type":"help","request":{...}} (asked, or answered), or
   * {"type":"help-list","requests":[...]} after a resumed stream (merged in: the agent's
   * own requests, with the answers given while the stream was away). */
  helpNotice(message) {
    if (message.type === "help-list") {
      for (const r of message.requests || []) this.helpNotice({ type: "help", request: r });
      return;
    }
    const r = message.request;
    if (!r) return;
    const before = this.requests.get(r.id);
    this.requests.set(r.id, r);
    this.renderHelp();
    if (r.answer && (!before || !before.answer)) {
      toast(`${r.answered_by || "Supervisor"}: ${r.answer}`, { kind: "ok", timeout: 15000 });
    }
  }

  renderHelp() {
    const items = [...this.requests.values()].sort((a, b) => b.id - a.id).slice(0, 20);
    fill(
      $("#help-list"),
      items.length
        ? items.map((r) =>
            h(
              "li",
              { dataset: { help: String(r.id) } },
              h("div", {}, h("span", { class: "muted small" }, clockTime(r.created_at), " "), r.text),
              r.answer
                ? h("div", { class: "answer" }, h("b", {}, `${r.answered_by || "Supervisor"}: `), r.answer)
                : h("div", { class: "pending small" }, "Waiting for an answer…"),
            ),
          )
        : h("li", { class: "muted" }, "Stuck? Ask a supervisor — the answer appears here."),
    );
  }
}

function breakdown(byReason) {
  const parts = Object.entries(byReason || {})
    .filter(([, s]) => s >= 1)
    .map(([reason, s]) => `${humanize(reason)} ${duration(s)}`);
  return parts.join(", ");
}
