// My week between contacts: the shifts I hold (GET /api/schedules/mine/week), in the
// firm's time zone, and the open shifts I may pick; a pick someone else won first is
// refused by the server (409) and said so here. Then the changes: offering a shift to a
// colleague, giving it back, calling in sick, asking for time off, answering a trade
// offered to me; and a reminder before my next shift starts (the firm's setting).

import { get, post, seg } from "./api.js";
import { fill, h, toast } from "./dom.js";
import { humanize } from "./format.js";

function formatter(timeZone, options) {
  try {
    return new Intl.DateTimeFormat([], { timeZone, ...options });
  } catch {
    return new Intl.DateTimeFormat([], options);
  }
}

const STATUS = {
  proposed: "waiting for an answer",
  pending: "waiting for a supervisor",
  done: "done",
  declined: "declined",
  refused: "refused",
  withdrawn: "withdrawn",
};

export class MyWeek {
  constructor(root) {
    this.root = root;
    this.week = null;
    setInterval(() => this.load(), 60000);
    // The reminder is checked more often than the week is read.
    setInterval(() => this.remind(), 15000);
  }

  async load() {
    let week, changes;
    try {
      [week, changes] = await Promise.all([get("/api/schedules/mine/week"), get("/api/schedules/mine/changes")]);
    } catch (err) {
      if (!err.network) fill(this.root, h("span", { class: "muted" }, `The schedule is not available: ${err.message}`));
      return;
    }
    this.week = week;
    this.render(week);
    this.renderChanges(week, changes);
    this.remind();
  }

  // A reminder the server pushed (api/reminders.py): it may name a shift picked or traded in
  // since the week was read, so the week is read again too.
  reminded(message) {
    this.pushed = message.shift;
    this.pushedZone = message.time_zone;
    this.remind();
    this.load();
  }

  remind() {
    const week = this.week;
    let box = document.getElementById("shift-reminder");
    if (!box) {
      box = h("div", { id: "shift-reminder", class: "reminder hidden", role: "status" });
      this.root.before(box);
    }
    const now = Date.now() / 1000;
    const pushed = this.pushed && this.pushed.end > now ? this.pushed : null;
    let next = week && week.next_shift;
    if (pushed && (!next || pushed.start < next.start)) next = pushed;
    const ahead = next ? next.start - now : Infinity;
    // A pushed shift is due by the server's word; one read with the week, by the firm's setting.
    const window = next && next === pushed ? Infinity : week ? week.reminder_minutes * 60 : 0;
    if (!next || ahead > window || ahead < -60) {
      box.classList.add("hidden");
      return;
    }
    const zone = (week && week.time_zone) || this.pushedZone;
    const time = formatter(zone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const minutes = Math.max(0, Math.round(ahead / 60));
    box.textContent = `Your shift starts at ${time.format(next.start * 1000)}${minutes ? ` (in ${minutes} min)` : " (now)"}: sign in on time.`;
    box.classList.remove("hidden");
  }

  render(week) {
    const day = formatter(week.time_zone, { weekday: "short", day: "numeric", month: "short" });
    const time = formatter(week.time_zone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const span = (s) => `${day.format(s.start * 1000)} ${time.format(s.start * 1000)}–${time.format(s.end * 1000)}`;
    const breaks = (s) =>
      s.breaks.length
        ? ` · ${s.breaks.map((b) => `${humanize(b.reason)} ${time.format(b.start * 1000)}${b.paid ? "" : " (unpaid)"}`).join(", ")}`
        : "";
    const contract = week.contract;
    const limits = contract ? ` of ${contract.min_week_h ? `${contract.min_week_h}–` : "up to "}${contract.max_week_h} h` : "";
    fill(
      this.root,
      h("div", { class: "week-head" }, h("b", {}, `Week of ${week.week_start}`), ` · ${week.paid_hours.toFixed(1)} h paid${limits}`),
      week.shifts.length
        ? h(
            "ul",
            { class: "history", id: "my-shifts" },
            week.shifts.map((s) => h("li", { dataset: { shift: s.id } }, h("b", {}, span(s)), breaks(s), " ", this.shiftActions(week, s))),
          )
        : h("div", { class: "muted", id: "my-shifts" }, "No shifts yet this week."),
      h("h3", { class: "outcomes-title" }, "Open shifts"),
      week.open.length
        ? h(
            "ul",
            { class: "history", id: "open-shifts" },
            week.open.map((slot) =>
              h(
                "li",
                { dataset: { shift: slot.shift.id } },
                h("b", {}, span(slot.shift)),
                breaks(slot.shift),
                " ",
                h("button", { type: "button", class: "small", onclick: (ev) => this.pick(slot.shift.id, ev.target) }, "Pick"),
              ),
            ),
          )
        : h("div", { class: "muted", id: "open-shifts" }, contract ? "No open shifts to pick." : "You have no contract to pick shifts under yet."),
    );
  }

  shiftActions(week, s) {
    const now = Date.now() / 1000;
    if (s.end <= now) return null;
    const sick = h("button", { type: "button", class: "small", dataset: { act: "sick" }, onclick: (ev) => this.act("/api/schedules/mine/sick", { shift: s.id }, ev.target, "Get well soon: your supervisor sees the gap.") }, "Sick");
    if (s.start <= now) return sick;
    const partner = h(
      "select",
      { class: "small", "aria-label": "Offer to" },
      h("option", { value: "" }, "Offer to…"),
      week.colleagues.map((a) => h("option", { value: a }, a)),
    );
    const offer = h("button", { type: "button", class: "small", dataset: { act: "offer" }, onclick: (ev) => partner.value ? this.act("/api/schedules/mine/trades", { shift: s.id, partner: partner.value }, ev.target, "Offered: your colleague answers.") : toast("Choose whom to offer the shift to.", { kind: "error" }) }, "Offer");
    const back = h("button", { type: "button", class: "small", dataset: { act: "give-back" }, onclick: (ev) => this.act("/api/schedules/mine/give-backs", { shift: s.id }, ev.target) }, "Give back");
    return h("span", { class: "shift-actions" }, partner, " ", offer, " ", back, " ", sick);
  }

  renderChanges(week, changes) {
    const me = week.contract ? week.contract.agent : null;
    const when = formatter(week.time_zone, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const what = (c) => {
      if (c.kind === "time-off") return `Time off ${when.format(c.start * 1000)} – ${when.format(c.end * 1000)}${c.reason ? ` (${c.reason})` : ""}`;
      const shift = c.shift ? when.format(c.shift.start * 1000) : "a shift";
      if (c.kind === "give-back") return `Giving back ${shift}`;
      if (c.partner === me) return `${c.agent} offers you ${shift}${c.partner_shift ? ` for your ${when.format(c.partner_shift.start * 1000)}` : ""}`;
      return `Offering ${shift} to ${c.partner}`;
    };
    const buttons = (c) => {
      if (c.status === "proposed" && c.partner === me) {
        return [
          h("button", { type: "button", class: "small", dataset: { act: "accept" }, onclick: (ev) => this.act(`/api/schedules/mine/trades/${seg(c.id)}/answer`, { accept: true }, ev.target) }, "Accept"),
          " ",
          h("button", { type: "button", class: "small", dataset: { act: "decline" }, onclick: (ev) => this.act(`/api/schedules/mine/trades/${seg(c.id)}/answer`, { accept: false }, ev.target) }, "Decline"),
        ];
      }
      if ((c.status === "proposed" || c.status === "pending") && c.agent === me) {
        return h("button", { type: "button", class: "small", dataset: { act: "withdraw" }, onclick: (ev) => this.act(`/api/schedules/mine/changes/${seg(c.id)}/withdraw`, {}, ev.target) }, "Withdraw");
      }
      return null;
    };
    const from = h("input", { type: "date", "aria-label": "First day off", class: "small", id: "off-from" });
    const to = h("input", { type: "date", "aria-label": "Last day off", class: "small", id: "off-to" });
    const reason = h("input", { type: "text", "aria-label": "Reason", placeholder: "reason", maxlength: 500, class: "small", id: "off-reason" });
    const ask = (ev) => {
      if (!from.value || !to.value) return toast("Choose the first and last day off.", { kind: "error" });
      const start = zonedMidnight(from.value, week.time_zone);
      const end = zonedMidnight(to.value, week.time_zone) + 86400;
      return this.act("/api/schedules/mine/time-off", { start, end, reason: reason.value }, ev.target, "Asked: a supervisor decides.");
    };
    this.root.append(
      h("h3", { class: "outcomes-title" }, "Trades and time off"),
      changes.length
        ? h(
            "ul",
            { class: "history", id: "my-changes" },
            changes.slice(0, 10).map((c) => h("li", { dataset: { change: c.id, status: c.status } }, what(c), ` · ${STATUS[c.status] || c.status} `, buttons(c))),
          )
        : h("div", { class: "muted", id: "my-changes" }, "No requests."),
      h("div", { class: "time-off", id: "time-off" }, "Time off from ", from, " to ", to, " ", reason, " ", h("button", { type: "button", class: "small", onclick: ask }, "Ask")),
    );
  }

  async act(path, body, button, done = null) {
    button.disabled = true;
    try {
      const r = await post(path, body);
      const pending = r && r.status === "pending" ? "Waiting for a supervisor." : null;
      toast(pending || done || "Done.", { kind: "ok" });
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
    await this.load();
  }

  async pick(shift, button) {
    button.disabled = true;
    try {
      await post("/api/schedules/mine/picks", { shift });
      toast("The shift is yours.", { kind: "ok" });
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
    await this.load();
  }
}

/** UTC seconds of midnight starting ``day`` (YYYY-MM-DD) in ``timeZone``. */
function zonedMidnight(day, timeZone) {
  const guess = Date.parse(`${day}T00:00:00Z`) / 1000;
  // The zone's offset at that moment, read back from its own wall clock.
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(guess * 1000);
  const v = Object.fromEntries(parts.map((p) => [p.type, p.value]));
  const wall = Date.parse(`${v.year}-${v.month}-${v.day}T${v.hour}:${v.minute}:${v.second}Z`) / 1000;
  return guess - (wall - guess);
}
