// The staffing plan page: a manager sends a history of past contacts and the targets; the
// server forecasts each interval and staffs it (POST /api/planning/staffing); the page
// shows the forecast, the agents needed and to schedule as a chart and a table, and
// offers them as a CSV file.

import { request } from "./api.js";
import { $, fill, h, setText, toast } from "./dom.js";
import { percent } from "./format.js";
import { requireUser, signOutSession } from "./session.js";

const SVG = "http://www.w3.org/2000/svg";
let lastPlan = null;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

function numberOrNull(id, scale = 1) {
  const raw = $(id).value.trim();
  return raw === "" ? null : Number(raw) / scale;
}

function query() {
  const params = new URLSearchParams({
    format: $("#format").value,
    start: $("#start").value,
    days: $("#days").value || "7",
    interval: $("#interval").value,
    shrinkage: String(numberOrNull("#shrinkage", 100) ?? 0),
    target_sl: String(numberOrNull("#target-sl", 100) ?? 0.8),
    answer_time: String(numberOrNull("#answer-time") ?? 20),
    by_queue: String($("#by-queue").checked),
  });
  const patience = numberOrNull("#patience");
  if (patience !== null) params.set("patience", String(patience));
  const occupancy = numberOrNull("#max-occupancy", 100);
  if (occupancy !== null) params.set("max_occupancy", String(occupancy));
  return params;
}

async function makePlan(event) {
  event.preventDefault();
  const file = $("#history").files[0];
  setText($("#plan-error"), "");
  if (!file) return setText($("#plan-error"), "Choose the history file first.");
  if (!$("#start").value) return setText($("#plan-error"), "Choose the first day to plan.");
  const button = $("#plan-button");
  button.disabled = true;
  setText(button, "Forecasting and staffing…");
  try {
    const plan = await request("POST", `/api/planning/staffing?${query()}`, file, {
      contentType: "text/csv",
      timeoutMs: 120000,
    });
    lastPlan = plan;
    render(plan);
  } catch (err) {
    setText($("#plan-error"), err.message);
  } finally {
    button.disabled = false;
    setText(button, "Make the plan");
  }
}

// Rendering --------------------------------------------------------------------------------

function render(plan) {
  $("#plan-empty").classList.add("hidden");
  $("#csv-button").classList.remove("hidden");
  const t = plan.targets;
  const model = t.patience_s ? `Erlang A, patience ${t.patience_s} s` : "Erlang C";
  const goal = t.service_level ? `${percent(t.service_level)} answered within ${t.answer_time_s} s` : "";
  fill(
    $("#plan-summary"),
    h("div", { class: "plan-facts" },
      h("span", {}, h("b", {}, "Targets: "), `${goal}; shrinkage ${percent(t.shrinkage)}; ${model}`),
      h("span", {}, h("b", {}, "History: "), `${plan.rows_read.toLocaleString()} rows read`,
        plan.bad_rows ? `, ${plan.bad_rows} refused (${plan.bad_row_examples[0]}…)` : ", none refused"),
    ),
    // The agent-hours are the server's (the same sum `hearthline plan` prints).
    h("div", { class: "plan-facts plan-hours" },
      h("span", {}, h("b", {}, "Agent-hours to schedule: "),
        h("span", { id: "plan-hours", class: "num" }, hours(plan.total_agent_hours))),
    ),
    plan.forecasts.map((f) =>
      h("div", { class: "plan-facts", dataset: { queue: f.queue } },
        h("span", {}, h("b", {}, `${f.queue === "all" ? "All queues" : f.queue}: `),
          `forecast by ${f.method}, chosen by backtest on ${f.history_first_day} to ${f.history_last_day}`),
        h("span", {}, `error (WAPE) per day ${percent(f.wape_day)}, per interval ${percent(f.wape_interval)}`),
        f.queue in plan.agent_hours && plan.forecasts.length > 1
          ? h("span", { class: "queue-hours" }, `agent-hours to schedule ${hours(plan.agent_hours[f.queue])}`)
          : null,
      ),
    ),
  );
  fill($("#plan-chart"), chart(plan));
  fill($("#plan-table"), table(plan));
}

function hours(value) {
  return value.toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** Calls per interval as bars; seats (agents on the phones) and agents to schedule as lines. */
function chart(plan) {
  const byStart = new Map();
  for (const r of plan.rows) {
    const sum = byStart.get(r.start) || { calls: 0, agents: 0, scheduled: 0 };
    sum.calls += r.calls;
    sum.agents += r.agents;
    sum.scheduled += r.scheduled;
    byStart.set(r.start, sum);
  }
  const points = [...byStart.entries()];
  const W = 900, H = 260, L = 44, R = 44, T = 28, B = 34;
  const width = W - L - R, height = H - T - B;
  const maxCalls = Math.max(1, ...points.map(([, p]) => p.calls));
  const maxAgents = Math.max(1, ...points.map(([, p]) => p.scheduled));
  const x = (i) => L + (i + 0.5) * (width / points.length);
  const barW = Math.max(1, (width / points.length) * 0.8);
  const yCalls = (v) => T + height - (v / maxCalls) * height;
  const yAgents = (v) => T + height - (v / maxAgents) * height;
  const line = (key, scale) => points.map(([, p], i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${scale(p[key]).toFixed(1)}`).join(" ");
  const days = new Set(points.map(([start]) => start.slice(0, 10)));
  const ticks = points
    .map(([start], i) => [start, i])
    .filter(([start]) => (days.size > 1 ? start.slice(11, 16) === "00:00" : start.slice(14, 16) === "00" && Number(start.slice(11, 13)) % 3 === 0));
  return svg("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "Forecast calls and agents per interval" },
    ...points.map(([, p], i) => svg("rect", { class: "calls", x: (x(i) - barW / 2).toFixed(1), y: yCalls(p.calls).toFixed(1), width: barW.toFixed(1), height: (T + height - yCalls(p.calls)).toFixed(1) })),
    svg("path", { class: "seats", d: line("agents", yAgents) }),
    svg("path", { class: "agents", d: line("scheduled", yAgents) }),
    svg("line", { class: "axis", x1: L, y1: T + height, x2: W - R, y2: T + height }),
    svg("text", { x: 4, y: T - 10 }, "calls"),
    svg("text", { x: 4, y: T + 4 }, Math.round(maxCalls)),
    svg("text", { x: W - R + 4, y: T - 10 }, "agents"),
    svg("text", { x: W - R + 4, y: T + 4 }, maxAgents),
    ...ticks.map(([start, i]) => svg("text", { x: x(i) - 14, y: H - 12 }, days.size > 1 ? start.slice(5, 10) : start.slice(11, 16))),
    svg("g", { class: "legend" },
      svg("rect", { class: "calls", x: L, y: 6, width: 12, height: 10 }), svg("text", { x: L + 16, y: 15 }, "calls forecast"),
      svg("path", { class: "seats", d: `M${L + 130},11 h16` }), svg("text", { x: L + 150, y: 15 }, "agents on the phones"),
      svg("path", { class: "agents", d: `M${L + 290},11 h16` }), svg("text", { x: L + 310, y: 15 }, "agents to schedule"),
    ),
  );
}

function table(plan) {
  const oneQueue = new Set(plan.rows.map((r) => r.queue)).size === 1;
  const head = ["Day", "Time", "Calls", "AHT s", "On phones", "To schedule", "Service level", "ASA s", "Occupancy"];
  return h("table", { class: "num", id: "plan-rows" },
    h("thead", {}, h("tr", {}, oneQueue ? null : h("th", {}, "Queue"), head.map((c) => h("th", {}, c)))),
    h("tbody", {},
      plan.rows.map((r) =>
        h("tr", { dataset: { start: r.start, queue: r.queue } },
          oneQueue ? null : h("td", {}, r.queue),
          h("td", {}, r.start.slice(0, 10)),
          h("td", {}, r.start.slice(11, 16)),
          h("td", {}, r.calls.toFixed(1)),
          h("td", {}, Math.round(r.aht_s)),
          h("td", {}, r.agents),
          h("td", { class: "strong" }, r.scheduled),
          h("td", {}, percent(r.service_level)),
          h("td", {}, r.asa_s === null ? "–" : r.asa_s.toFixed(1)),
          h("td", {}, percent(r.occupancy)),
        ),
      ),
    ),
  );
}

function downloadCsv() {
  if (!lastPlan) return;
  const cols = ["queue", "start", "calls", "aht_s", "traffic_erlangs", "agents", "scheduled", "service_level", "asa_s", "occupancy", "p_abandon"];
  const lines = [cols.join(","), ...lastPlan.rows.map((r) => cols.map((c) => (r[c] === null ? "" : r[c])).join(","))];
  const url = URL.createObjectURL(new Blob([`${lines.join("\n")}\n`], { type: "text/csv" }));
  const a = h("a", { href: url, download: "staffing-plan.csv" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  toast("The plan is saved as staffing-plan.csv", { kind: "ok" });
}

async function main() {
  const user = await requireUser(["admin", "supervisor"]);
  setText($("#who"), `${user.display_name || user.username} · Staffing plan`);
  $("#admin-link").classList.toggle("hidden", user.role !== "admin");
  $("#signout").addEventListener("click", () => signOutSession());
  $("#plan-form").addEventListener("submit", makePlan);
  $("#csv-button").addEventListener("click", downloadCsv);
}

main();
