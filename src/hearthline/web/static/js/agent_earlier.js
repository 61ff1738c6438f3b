// A call taken over after the first agent's leg dropped: the notes taken on its earlier
// legs, read only, above this contact's own notes. The caller has said it once already.
// The server lists them to an agent who has (or had) this contact.

import { get, seg } from "./api.js";
import { fill, h } from "./dom.js";
import { humanize } from "./format.js";

export class EarlierNotes {
  constructor(where) {
    this.where = where;
    this.contact = null;
  }

  /** Shows what earlier legs of ``contact``'s call noted; nothing for other contacts. */
  async show(contact) {
    const id = contact && contact.channel === "voice" ? contact.id : null;
    if (id === this.contact) return;
    this.contact = id;
    fill(this.where);
    this.where.classList.add("hidden");
    if (!id) return;
    let legs = [];
    try {
      legs = await get(`/api/agent/contacts/${seg(id)}/earlier`);
    } catch {
      legs = []; // not shown rather than in the way: the call comes first
    }
    if (this.contact === id) this._render(legs.filter((leg) => leg.note || Object.keys(leg.fields).length));
  }

  _render(legs) {
    this.where.classList.toggle("hidden", !legs.length);
    fill(this.where, ...legs.map((leg) => h("div", { class: "earlier-leg", dataset: { contact: leg.contact_id } },
      h("p", { class: "small earlier-label" }, `Noted by ${leg.agent_names.join(", ") || "nobody"} before the call dropped`),
      Object.entries(leg.fields).filter(([, v]) => v).map(([k, v]) => h("p", { class: "small" }, `${humanize(k)}: ${v}`)),
      leg.note ? h("p", { class: "earlier-note" }, leg.note) : null,
    )));
  }
}
