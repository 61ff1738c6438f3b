// Live adherence (GET /api/schedules/adherence): each agent's status against the shift
// they hold, for the agent grid's column and the alerts: re-read as soon as the stream
// brings a change of an agent's state or of who holds which shift (``soon``), and every
// few seconds besides (statuses also change with the clock: a grace running out). The
// server works it out from the log, so a lost connection or a restart is never shown as
// the agent's fault ("excused").

import { get } from "./api.js";
import { clockTime } from "./format.js";

const LABELS = {
  adhering: "On schedule",
  late: "Late",
  absent: "Absent",
  "early-out": "Left early",
  "break-long": "Break over",
  excused: "Excused (system)",
  off: "",
};
const ALERT_TEXT = {
  late: "late for the shift",
  absent: "absent from the shift",
  "early-out": "signed out before the shift ended",
  "break-long": "break running over",
};

// Stream events after which an agent's adherence may read differently.
export const MOVES_ADHERENCE = new Set([
  "AgentSignedIn",
  "AgentSignedOut",
  "AgentBecameAvailable",
  "AgentWentNotReady",
  "AgentConnectionLost",
  "AgentReconnected",
  "ShiftPicked",
  "ShiftsMoved",
  "SickCalled",
]);

export class AdherenceFeed {
  constructor(onChange, everyMs = 2000) {
    this.onChange = onChange;
    this.everyMs = everyMs;
    this.rows = new Map();
  }

  start() {
    this.load();
    setInterval(() => this.load(), this.everyMs);
  }

  /** A change on the stream: read again at once (a burst of changes, once). */
  soon() {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.load();
    }, 50);
  }

  async load() {
    try {
      const rows = await get("/api/schedules/adherence");
      this.rows = new Map(rows.map((r) => [r.agent, r]));
      this.onChange();
    } catch {
      /* kept as it was; the next read heals it */
    }
  }

  /** [status, share kept, detail]: "On schedule", "62%", "62% of the shift kept; in 10 min late". */
  label(agent) {
    const r = this.rows.get(agent);
    if (!r || r.status === "off") return ["", "", ""];
    const share = r.adherence === null ? "" : `${Math.round(r.adherence * 100)}%`;
    const parts = share ? [`${share} of the shift kept`] : [];
    if (r.late_s > 0) parts.push(`in ${Math.round(r.late_s / 60)} min late`);
    return [LABELS[r.status] ?? r.status, share, parts.join("; ")];
  }

  /** Whether any agent here holds a shift now: the grid shows the column only then. */
  anyScheduled() {
    return [...this.rows.values()].some((r) => r.shift !== null);
  }

  alerting(agent) {
    return Boolean(this.rows.get(agent)?.alert);
  }

  /** The alerts for agents slipping from their schedule, named with ``nameOf``. */
  alerts(nameOf) {
    return [...this.rows.values()]
      .filter((r) => r.alert)
      .map((r) => ({
        key: `adherence:${r.agent}:${r.status}`,
        severity: r.status === "absent" ? "alarm" : "warn",
        text: `${nameOf(r.agent)}: ${ALERT_TEXT[r.status] || r.status}${r.since ? ` (since ${clockTime(r.since)})` : ""}`,
      }));
  }
}
