// The alert list: conditions evaluated every second; each alert is keyed, appears when
// its condition starts (with the time it started) and leaves when the condition ends.

import * as clock from "./clock.js";
import { fill, h, setText } from "./dom.js";
import { clockTime } from "./format.js";

export class Alerts {
  constructor(list, counter) {
    this.list = list;
    this.counter = counter;
    this.active = new Map(); // key -> {severity, text, since}
  }

  /** @param {{key: string, severity: "alarm"|"warn", text: string}[]} current */
  update(current) {
    const now = clock.serverNow(); // the wallboard's clock, not the laptop's
    const keys = new Set(current.map((a) => a.key));
    let changed = false;
    for (const key of [...this.active.keys()]) {
      if (!keys.has(key)) {
        this.active.delete(key);
        changed = true;
      }
    }
    for (const a of current) {
      const known = this.active.get(a.key);
      if (!known) {
        this.active.set(a.key, { ...a, since: now });
        changed = true;
      } else if (known.text !== a.text) {
        known.text = a.text;
        const li = this.list.querySelector(`li[data-key="${CSS.escape(a.key)}"] .alert-text`);
        if (li) setText(li, a.text);
      }
    }
    if (changed) this.render();
  }

  render() {
    const items = [...this.active.values()].sort(
      (a, b) => (a.severity === b.severity ? a.since - b.since : a.severity === "alarm" ? -1 : 1),
    );
    setText(this.counter, String(items.length));
    this.counter.className = `pill ${items.some((a) => a.severity === "alarm") ? "state-lost" : items.length ? "state-wrap-up" : "state-not-ready"}`;
    fill(
      this.list,
      items.length
        ? items.map((a) =>
            h(
              "li",
              { dataset: { key: a.key, severity: a.severity } },
              h("span", { class: `sev ${a.severity}`, "aria-hidden": "true" }),
              h("span", { class: "alert-text" }, a.text),
              h("time", {}, clockTime(a.since)),
            ),
          )
        : h("li", { class: "muted" }, "All clear."),
    );
  }
}
