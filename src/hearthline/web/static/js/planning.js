// The staffing plan page: a manager sends a history of past contacts and the targets; the
// server forecasts each interval and staffs it (POST /api/planning/staffing); the page
// shows the forecast, the agents needed and to schedule as a chart and a table, and
// offers them as a CSV file.

import { get, post, request, seg } from "./api.js";
import { $, fill, h, setText, toast } from "./dom.js";
import { percent } from "./format.js";
import { requireUser, signOutSession } from "./session.js";

const SVG = "http://www.w3.org/2000/svg";
let lastPlan = null;
let lastRoster = null;

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
        f.vs_naive_interval !== null
          ? h("span", {}, `over seasonal naive's: ${ratio(f.vs_naive_day)} per day, ${ratio(f.vs_naive_interval)} per interval`)
          : null,
        f.weeks.length ? backtestWeeks(f) : null,
        f.queue in plan.agent_hours && plan.forecasts.length > 1
          ? h("span", { class: "queue-hours" }, `agent-hours to schedule ${hours(plan.agent_hours[f.queue])}`)
          : null,
      ),
    ),
  );
  fill($("#plan-chart"), chart(plan));
  fill($("#plan-table"), table(plan));
  $("#shifts").classList.remove("hidden");
}

// Shifts from the plan ---------------------------------------------------------------------

/** The plan's agents to schedule per interval, one need per queue (the skill groups the
 * agents' contracts name). */
function needs(plan) {
  const byQueue = new Map();
  for (const r of plan.rows) {
    if (!byQueue.has(r.queue)) byQueue.set(r.queue, []);
    byQueue.get(r.queue).push(r);
  }
  return [...byQueue].map(([queue, rows]) => ({
    group: queue,
    required: rows.sort((a, b) => a.start.localeCompare(b.start)).map((r) => r.scheduled),
  }));
}

async function generateShifts() {
  if (!lastPlan) return;
  const button = $("#generate-button");
  button.disabled = true;
  setText(button, "Solving…");
  setText($("#shifts-error"), "");
  try {
    const first = lastPlan.rows.map((r) => r.start).sort()[0];
    lastRoster = await request(
      "POST",
      "/api/schedules/generate",
      { local_start: first, interval_minutes: lastPlan.interval_minutes, needs: needs(lastPlan) },
      { timeoutMs: 180000 },
    );
    renderRoster(lastRoster);
    twinLine(lastPlan, lastRoster);
  } catch (err) {
    setText($("#shifts-error"), err.message);
  } finally {
    button.disabled = false;
    setText(button, "Generate shifts");
  }
}

function renderRoster(roster) {
  const required = roster.groups.reduce((a, g) => a + g.required.reduce((x, y) => x + y, 0), 0);
  const statuses = [...new Set(roster.groups.map((g) => g.status))].join(", ");
  fill(
    $("#shifts-summary"),
    h("div", { class: "plan-facts", id: "roster-facts" },
      h("span", {}, h("b", {}, "Shifts: "), `${roster.shifts.length}, ${hours(roster.groups.reduce((a, g) => a + g.paid_hours, 0))} paid hours`),
      h("span", {}, h("b", {}, "Under-cover: "), `${hours(roster.under_cover)} agent-intervals of ${hours(required)}; LP bound ${hours(roster.lp_under_cover)}, the solver's bound ${hours(roster.mip_bound)}, gap ${percent(roster.gap)}`),
      h("span", {}, h("b", {}, "Solver: "), `${statuses} in ${roster.seconds.toFixed(1)} s`),
      h("span", {}, h("b", {}, "Within contracts: "), `${Object.keys(roster.proposal).length} agents could take ${roster.shifts.length - roster.unassigned.length}; ${roster.unassigned.length} for no one yet`),
    ),
  );
  fill($("#shifts-chart"), coverChart(roster));
  $("#publish-button").classList.toggle("hidden", roster.shifts.length === 0);
}

/** The generated shifts with the agents proposed for them, run in the simulator on the
 * plan's forecast: the service level they would give, before anything is published. */
async function twinLine(plan, roster) {
  const line = h("span", { id: "twin-line" }, h("b", {}, "Simulated: "), "running the schedule on the forecast…");
  $("#roster-facts").append(line);
  if (!roster.shifts.length) return fill(line, h("b", {}, "Simulated: "), "no shifts to run");
  const demand = needs(plan).map(({ group }) => {
    const rows = plan.rows.filter((r) => r.queue === group).sort((a, b) => a.start.localeCompare(b.start));
    const calls = rows.reduce((a, r) => a + r.calls, 0);
    const aht = calls ? rows.reduce((a, r) => a + r.calls * r.aht_s, 0) / calls : 300;
    return { group, start: roster.start, interval_minutes: roster.interval_minutes, calls: rows.map((r) => r.calls), aht_s: Math.max(1, aht) };
  });
  try {
    const twin = await request("POST", "/api/schedules/twin", { shifts: roster.shifts, assigned: roster.proposal, demand, runs: 1 }, { timeoutMs: 120000 });
    const levels = twin.groups.map((g) => `${g.group} ${g.day_service_level === null ? "–" : percent(g.day_service_level)}`).join(", ");
    fill(line, h("b", {}, "Simulated: "), `service level ${levels} (answered within 20 s) with ${twin.agents - twin.unnamed} named agents and ${twin.unnamed} shifts for no one yet`);
  } catch (err) {
    fill(line, h("b", {}, "Simulated: "), `not run: ${err.message}`);
  }
}

/** Required agents per interval as bars, the cover of the generated shifts as a line. */
function coverChart(roster) {
  const n = Math.max(...roster.groups.map((g) => g.required.length));
  const sum = (key) => Array.from({ length: n }, (_, i) => roster.groups.reduce((a, g) => a + (g[key][i] || 0), 0));
  const need = sum("required");
  const cover = sum("cover");
  const W = 900, H = 220, L = 44, R = 16, T = 28, B = 30;
  const width = W - L - R, height = H - T - B;
  const top = Math.max(1, ...need, ...cover);
  const x = (i) => L + (i + 0.5) * (width / n);
  const y = (v) => T + height - (v / top) * height;
  const barW = Math.max(1, (width / n) * 0.8);
  const path = cover.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const perDay = (24 * 60) / roster.interval_minutes;
  const day = new Intl.DateTimeFormat([], { timeZone: roster.time_zone, day: "numeric", month: "short" });
  const ticks = Array.from({ length: Math.ceil(n / perDay) }, (_, d) => d * perDay);
  return svg("svg", { class: "chart cover", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "Required agents and the cover of the generated shifts per interval" },
    ...need.map((v, i) => svg("rect", { class: "calls", x: (x(i) - barW / 2).toFixed(1), y: y(v).toFixed(1), width: barW.toFixed(1), height: (T + height - y(v)).toFixed(1) })),
    ...cover.map((v, i) => (v + 1e-9 < need[i] ? svg("rect", { class: "short", x: (x(i) - barW / 2).toFixed(1), y: y(need[i]).toFixed(1), width: barW.toFixed(1), height: (y(v) - y(need[i])).toFixed(1) }) : null)).filter(Boolean),
    svg("path", { class: "agents", d: path }),
    svg("line", { class: "axis", x1: L, y1: T + height, x2: W - R, y2: T + height }),
    svg("text", { x: 4, y: T + 4 }, Math.round(top)),
    ...ticks.map((i) => svg("text", { x: x(i) - 10, y: H - 10 }, day.format((roster.start + i * roster.interval_minutes * 60) * 1000))),
    svg("g", { class: "legend" },
      svg("rect", { class: "calls", x: L, y: 6, width: 12, height: 10 }), svg("text", { x: L + 16, y: 15 }, "agents required"),
      svg("path", { class: "agents", d: `M${L + 130},11 h16` }), svg("text", { x: L + 150, y: 15 }, "cover of the shifts"),
      svg("rect", { class: "short", x: L + 290, y: 6, width: 12, height: 10 }), svg("text", { x: L + 306, y: 15 }, "under-cover"),
    ),
  );
}

async function publishShifts() {
  if (!lastRoster) return;
  const days = Math.min(28, Math.max(1, Number($("#pick-days").value) || 3));
  const window = `plan-${new Date().toISOString().slice(0, 19).replace(/[^0-9]/g, "")}`;
  try {
    // The requirement goes with the shifts: changes to them show their cover impact on it.
    const needs = lastRoster.groups.map((g) => ({ group: g.group, start: lastRoster.start, interval_minutes: lastRoster.interval_minutes, required: g.required }));
    await post("/api/schedules/windows", { window, closes_at: Date.now() / 1000 + days * 86400, shifts: lastRoster.shifts, needs });
    toast(`${lastRoster.shifts.length} open shifts published as ${window}; agents pick them until picking closes.`, { kind: "ok" });
    $("#publish-button").classList.add("hidden");
  } catch (err) {
    setText($("#shifts-error"), err.message);
  }
}

function ratio(value) {
  return value === null ? "–" : value.toFixed(2);
}

/** The backtest week by week: the chosen method's WAPE beside seasonal naive's. */
function backtestWeeks(f) {
  const cell = (value) => h("td", { class: "num" }, value === null ? "–" : percent(value));
  return h("table", { class: "backtest-weeks" },
    h("thead", {}, h("tr", {},
      h("th", {}, "backtest week"), h("th", {}, "days"),
      h("th", {}, `${f.method} per day`), h("th", {}, "naive per day"),
      h("th", {}, `${f.method} per interval`), h("th", {}, "naive per interval"))),
    h("tbody", {}, f.weeks.map((w) => h("tr", {},
      h("td", {}, w.first_day), h("td", { class: "num" }, String(w.days)),
      cell(w.wape_day), cell(w.naive_wape_day), cell(w.wape_interval), cell(w.naive_wape_interval)))),
  );
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

// Changes waiting for a supervisor ------------------------------------------------------

const when = new Intl.DateTimeFormat([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** What a change would cost: per group, the intervals it leaves below the requirement
 * (or, with no plan published, how many agents fewer it leaves scheduled at worst). */
function impactText(c) {
  return c.impact
    .map((g) => {
      const short = g.without.filter((v, i) => g.required[i] !== null && v + 1e-9 < g.required[i]).length;
      const known = g.required.some((r) => r !== null);
      const drop = Math.max(0, ...g.scheduled.map((v, i) => v - g.without[i]));
      return known
        ? `${g.group}: ${short} of ${g.required.length} intervals below the requirement without it`
        : `${g.group}: ${drop.toFixed(1)} agents fewer at most (no requirement published)`;
    })
    .join("; ");
}

function describeChange(c) {
  const shift = (s) => (s ? when.format(s.start * 1000) : "a shift");
  if (c.kind === "time-off") return `${c.agent}: time off ${when.format(c.start * 1000)} – ${when.format(c.end * 1000)}${c.reason ? ` (${c.reason})` : ""}`;
  if (c.kind === "give-back") return `${c.agent} gives back ${shift(c.shift)}`;
  return `${c.agent} trades ${shift(c.shift)} with ${c.partner}${c.partner_shift ? ` for ${shift(c.partner_shift)}` : ""}`;
}

async function loadChanges() {
  let waiting;
  try {
    waiting = await get("/api/schedules/changes?status=pending");
  } catch {
    return;
  }
  $("#changes").classList.toggle("hidden", waiting.length === 0);
  fill(
    $("#changes-list"),
    waiting.map((c) =>
      h(
        "li",
        { dataset: { change: c.id } },
        h("b", {}, describeChange(c)),
        h("div", { class: "small muted impact" }, impactText(c) || "no shift of theirs in it"),
        h("button", { type: "button", class: "small", dataset: { act: "approve" }, onclick: (ev) => decide(c.id, true, ev.target) }, "Approve"),
        " ",
        h("button", { type: "button", class: "small", dataset: { act: "refuse" }, onclick: (ev) => decide(c.id, false, ev.target) }, "Refuse"),
      ),
    ),
  );
}

async function decide(id, approve, button) {
  button.disabled = true;
  try {
    await post(`/api/schedules/changes/${seg(id)}/decision`, { approve });
    toast(approve ? "Approved: the schedule has changed." : "Refused.", { kind: "ok" });
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
  await loadChanges();
}

async function main() {
  const user = await requireUser(["admin", "supervisor"]);
  setText($("#who"), `${user.display_name || user.username} · Staffing plan`);
  $("#admin-link").classList.toggle("hidden", user.role !== "admin");
  $("#signout").addEventListener("click", () => signOutSession());
  $("#plan-form").addEventListener("submit", makePlan);
  $("#plan-button").disabled = false; // a click before this would submit the form natively
  $("#csv-button").addEventListener("click", downloadCsv);
  $("#generate-button").addEventListener("click", generateShifts);
  $("#publish-button").addEventListener("click", publishShifts);
  loadChanges();
  setInterval(loadChanges, 30000);
}

main();
