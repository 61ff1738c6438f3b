// The customer of the contact in hand: found by caller id, or searched and linked by
// hand, or created; with their past contacts, outcomes and notes.

import { ApiError, get, post, seg } from "./api.js";
import { $, fill, h, toast } from "./dom.js";
import { dateTime, humanize } from "./format.js";

// Customers belong to one client company: every lookup is limited to the contact's.
const scoped = (client) => (client ? `&client_id=${encodeURIComponent(client)}` : "");
const PATHS = {
  byPhone: (phone, client) => `/api/customers?phone=${encodeURIComponent(phone)}${scoped(client)}`,
  linkedTo: (contact) => `/api/customers?contact_id=${encodeURIComponent(contact)}`,
  one: (customer) => `/api/customers/${seg(customer)}`,
  search: (q, client) => `/api/customers?q=${encodeURIComponent(q)}${scoped(client)}`,
  create: () => "/api/customers",
  link: (customer) => `/api/customers/${seg(customer)}/contacts`,
  history: (customer) => `/api/customers/${seg(customer)}/contacts`,
};

export class CustomerPanel {
  constructor({ agent, clientOf }) {
    this.agent = agent;
    this.clientOf = clientOf;
    this.contact = null;
    this.campaign = null;
    this.customer = null;
    this.available = true; // false once the server says it has no customer endpoints
    this._offerLookups = new Map();
    this._wire();
  }

  async open(contact, campaign) {
    this.contact = contact;
    this.campaign = campaign;
    this.customer = null;
    fill($("#customer"), h("div", { class: "muted" }, "Looking up the caller…"));
    fill($("#history"));
    $("#customer-results").replaceChildren();
    $("#new-phone").value = contact.caller || "";
    $("#new-name").value = "";
    $("#new-email").value = "";
    let found = null;
    try {
      // Linked already (by hand, before a reload or in a tab that crashed): the server knows.
      found = await this._linkedTo(contact);
      if (!found && contact.customer) {
        // Identified before an agent answered (an account number keyed in the menu).
        found = await this._identified(contact);
        if (found) await this._link(found, { quiet: true });
      }
      if (!found && contact.caller) {
        const matches = await get(PATHS.byPhone(contact.caller, this.client()));
        if (matches.length === 1) {
          found = matches[0];
          await this._link(found, { quiet: true });
        } else if (matches.length > 1) {
          this._renderMatches(matches, "Several customers have this number:");
        }
      }
    } catch (err) {
      if (err instanceof ApiError && err.network) {
        fill($("#customer"), h("div", { class: "muted" }, "Offline: the customer's record loads when the connection returns."));
        this.pendingReload = true;
        return;
      }
      if (err instanceof ApiError && (err.status === 404 || err.status === 405) && !found) {
        this.available = false;
      }
    }
    if (this.contact !== contact) return;
    this.show(found);
  }

  /** The customer the contact is linked to, or null; a refusal falls back to caller id. */
  async _linkedTo(contact) {
    try {
      const [linked = null] = await get(PATHS.linkedTo(contact.id));
      return linked;
    } catch (err) {
      if (err instanceof ApiError && err.network) throw err; // offline: handled by open()
      return null;
    }
  }

  /** The connection came back: load what could not be loaded offline. */
  retry() {
    if (this.pendingReload && this.contact) {
      this.pendingReload = false;
      this.open(this.contact, this.campaign);
    }
  }

  client() {
    return this.clientOf(this.campaign);
  }

  show(customer) {
    this.customer = customer;
    if (!this.available) {
      fill($("#customer"), h("div", { class: "notice" }, "Customer records are not available on this server."));
      $("#customer-tools").classList.add("hidden");
      return;
    }
    $("#customer-tools").open = !customer;
    if (!customer) {
      fill(
        $("#customer"),
        h("p", {}, h("b", {}, "New caller. "), h("span", { class: "muted" }, "No customer has this number: search, or create one below.")),
      );
      fill($("#history"), h("li", { class: "muted" }, "No past contacts."));
      return;
    }
    fill(
      $("#customer"),
      h(
        "dl",
        { "data-customer": customer.id },
        h("dt", {}, "Name"),
        h("dd", { id: "customer-name" }, customer.name || "—"),
        h("dt", {}, "Phone"),
        h("dd", {}, customer.phone || "—"),
        h("dt", {}, "Email"),
        h("dd", {}, customer.email || "—"),
      ),
    );
    this._history(customer);
  }

  async _history(customer) {
    let records = [];
    try {
      records = await get(PATHS.history(customer.id));
    } catch (err) {
      if (err instanceof ApiError && err.network) this.pendingReload = true;
      fill($("#history"), h("li", { class: "muted" }, err.network ? "History loads when the connection returns." : "History unavailable."));
      return;
    }
    const past = records.filter((r) => !this.contact || r.contact_id !== this.contact.id);
    fill(
      $("#history"),
      past.length
        ? past.map((r) =>
            h(
              "li",
              {},
              h("div", {}, h("span", { class: "outcome" }, r.disposition ? humanize(r.disposition) : humanize(r.ended_as) || "In progress"), " · ", h("span", { class: "muted" }, dateTime(r.arrived_at || r.ended_at))),
              r.fields && Object.keys(r.fields).length
                ? h("div", { class: "muted small" }, Object.entries(r.fields).filter(([, v]) => v).map(([k, v]) => `${humanize(k)}: ${v}`).join(" · "))
                : null,
              r.note ? h("div", { class: "note" }, r.note) : null,
              r.guide && r.guide.length ? h("div", { class: "muted small guide-taken" }, `Call guide: ${r.guide.join(" → ")}`) : null,
              (r.help || []).map((q) =>
                h(
                  "div",
                  { class: "help-asked small" },
                  h("span", { class: "muted" }, "Help asked: "),
                  q.text,
                  q.answer ? h("div", {}, h("span", { class: "muted" }, `${q.answered_by || "Answer"}: `), q.answer) : h("span", { class: "muted" }, " (no answer)"),
                ),
              ),
            ),
          )
        : h("li", { class: "muted" }, "No past contacts."),
    );
  }

  async _link(customer, { quiet = false } = {}) {
    try {
      await post(PATHS.link(customer.id), { contact_id: this.contact.id });
      if (!quiet) toast(`Linked to ${customer.name || customer.id}.`, { kind: "ok" });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && quiet) return true; // linked before
      if (!quiet) toast(err.message, { kind: "error" });
      return false;
    }
  }

  _renderMatches(matches, title = null) {
    fill(
      $("#customer-results"),
      title ? h("li", { class: "muted" }, title) : null,
      matches.length
        ? matches.slice(0, 8).map((c) =>
            h(
              "li",
              {},
              h("span", {}, c.name || "—", " ", h("span", { class: "muted" }, c.phone)),
              h("button", {
                type: "button",
                class: "small",
                onclick: async () => {
                  if (await this._link(c)) this.show(c);
                },
              }, "Link"),
            ),
          )
        : h("li", { class: "muted" }, "No customer found."),
    );
  }

  async _search(q) {
    if (!q.trim()) return;
    try {
      this._renderMatches(await get(PATHS.search(q.trim(), this.client())));
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
  }

  async _create() {
    const body = {
      name: $("#new-name").value.trim(),
      phone: $("#new-phone").value.trim(),
      email: $("#new-email").value.trim(),
      client_id: this.client(),
    };
    if (!body.name && !body.phone) {
      toast("Give the customer a name or a phone number.", { kind: "error" });
      return;
    }
    try {
      const created = await post(PATHS.create(), body);
      if (await this._link(created)) this.show(created);
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
  }

  /** The customer the contact arrived with (identified in the menu), or null. */
  async _identified(contact) {
    try {
      return await get(PATHS.one(contact.customer));
    } catch (err) {
      if (err instanceof ApiError && err.network) throw err; // offline: handled by open()
      return null;
    }
  }

  /** Fills the customer's name on the ringing offer card: the customer the menu
   * identified, else whoever has the caller id. */
  async offerCustomer(contact, campaign, el) {
    if (!this.available || (!contact.caller && !contact.customer)) {
      el.textContent = contact.caller ? "Not known" : "—";
      return;
    }
    const key = contact.id;
    if (!this._offerLookups.has(key)) {
      const lookup = contact.customer
        ? get(PATHS.one(contact.customer)).then((c) => c.name || c.id)
        : get(PATHS.byPhone(contact.caller, this.clientOf(campaign)))
            .then((list) => (list.length ? list.map((c) => c.name || c.id).join(", ") : "New caller"));
      this._offerLookups.set(key, lookup.catch(() => "—"));
    }
    el.textContent = await this._offerLookups.get(key);
  }

  _wire() {
    $("#customer-search").addEventListener("submit", (ev) => {
      ev.preventDefault();
      this._search($("#customer-q").value);
    });
    $("#customer-create").addEventListener("submit", (ev) => {
      ev.preventDefault();
      this._create();
    });
  }
}
