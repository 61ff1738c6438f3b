// The reports page: figures over a day, week, month or any range, grouped as asked, with
// volume and service level drawn per interval (or per day), agents' outcomes, the table,
// CSV and XLSX downloads of the same query, and what each figure means. The server scopes
// every number to the reader: a client company's viewer gets its own, an agent their own.

import { ApiError, get } from "./api.js";
import { $, fill, h, setText } from "./dom.js";
import { count, duration, percent } from "./format.js";
import { range } from "./report_range.js";
import { requireUser, signOutSession } from "./session.js";

const Chart = window.Chart;
let definitions = [];
const charts = {};

function value(figure, v) {
  if (v === null || v === undefined) return "–";
  if (figure.unit === "ratio") return percent(v);
  if (figure.unit === "seconds") return duration(v);
  return count(Math.round(v));
}

function label(dim, key) {
  const text = key[dim] ?? "";
  return dim === "interval" ? text.slice(11, 16) : text;
}

function withGroup(params, group) {
  const out = new URLSearchParams(params);
  out.set("group", group);
  return out;
}

async function figures(params) {
  return get(`/api/reports/figures?${params}`);
}

function renderTable(report) {
  const dims = report.group;
  const shown = definitions.filter((f) => report.rows.some((r) => r.figures[f.name] !== null));
  const head = h("tr", {}, ...dims.map((d) => h("th", { scope: "col" }, d)),
    ...shown.map((f) => h("th", { scope: "col", title: f.definition }, f.label)));
  const body = report.rows.map((r) => h("tr", {},
    ...dims.map((d) => h("td", {}, label(d, r.key))),
    ...shown.map((f) => h("td", {}, value(f, r.figures[f.name])))));
  fill($("#report-table"), h("thead", {}, head), h("tbody", {}, ...body));
  $("#report-empty").classList.toggle("hidden", report.rows.length > 0);
}

function draw(id, config) {
  if (charts[id]) charts[id].destroy();
  charts[id] = new Chart($(id), config);
  shown(id, true);
}

// A chart with nothing to draw is replaced by a line saying so, not left as empty axes.
function nothingToDraw(id) {
  if (charts[id]) charts[id].destroy();
  delete charts[id];
  shown(id, false);
}

function shown(id, drawn) {
  const figure = $(id).closest("figure");
  figure.querySelector(".chart-box").classList.toggle("hidden", !drawn);
  figure.querySelector(".chart-empty").classList.toggle("hidden", drawn);
}

function renderVolume(report) {
  const dim = report.group[0];
  const rows = report.rows;
  setText($("#volume-title"), `Volume and service level by ${dim}`);
  if (!rows.some((r) => r.figures.offered)) return nothingToDraw("#volume-chart");
  draw("#volume-chart", {
    data: {
      labels: rows.map((r) => label(dim, r.key)),
      datasets: [
        { type: "bar", label: "Offered", data: rows.map((r) => r.figures.offered), backgroundColor: "#9db4d6", yAxisID: "y" },
        { type: "bar", label: "Answered", data: rows.map((r) => r.figures.answered), backgroundColor: "#3b6fb6", yAxisID: "y" },
        { type: "bar", label: "Abandoned", data: rows.map((r) => r.figures.abandoned), backgroundColor: "#d9822b", yAxisID: "y" },
        {
          type: "line", label: "Service level", yAxisID: "sl", borderColor: "#2e7d32", backgroundColor: "#2e7d32",
          data: rows.map((r) => (r.figures.service_level === null ? null : r.figures.service_level * 100)),
        },
      ],
    },
    options: {
      animation: false, maintainAspectRatio: false,
      scales: {
        y: { beginAtZero: true, title: { display: true, text: "contacts" } },
        sl: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: "service level %" } },
      },
    },
  });
}

function renderOutcomes(report) {
  const rows = report.rows.filter((r) => r.figures.outcomes);
  if (!rows.length) return nothingToDraw("#outcomes-chart");
  draw("#outcomes-chart", {
    type: "bar",
    data: {
      labels: rows.map((r) => r.key.agent),
      datasets: [
        { label: "Outcomes", data: rows.map((r) => r.figures.outcomes), backgroundColor: "#9db4d6" },
        { label: "Sales", data: rows.map((r) => r.figures.sales), backgroundColor: "#3b6fb6" },
        { label: "Saves", data: rows.map((r) => r.figures.saves), backgroundColor: "#2e7d32" },
      ],
    },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
  });
}

let showing = 0;

async function show(user, event) {
  if (event) event.preventDefault();
  const mine = ++showing; // a later Show wins over a slower earlier one
  setText($("#report-error"), "");
  const params = range();
  const group = $("#group").value;
  for (const [id, suffix] of [["#csv-link", "csv"], ["#xlsx-link", "xlsx"]]) {
    $(id).href = `/api/reports/export.${suffix}?${withGroup(params, group)}`;
  }
  try {
    const report = await figures(withGroup(params, group));
    const byTime = report.first === report.last ? "interval" : "day";
    // The charts' figures arrive before anything is drawn, so the range shown, the table
    // and the charts always describe the same query.
    const [volume, outcomes] = await Promise.all([
      user.role !== "agent" ? figures(withGroup(params, byTime)) : null,
      user.role !== "client_viewer" ? figures(withGroup(params, "agent")) : null,
    ]);
    if (mine !== showing) return;
    if (!$("#date").value) $("#date").value = report.first;
    renderTable(report);
    if (volume) renderVolume(volume);
    if (outcomes) renderOutcomes(outcomes);
    setText($("#report-range"), `${report.first} to ${report.last} (${report.time_zone})`);
  } catch (err) {
    if (mine === showing) setText($("#report-error"), err instanceof ApiError ? err.message : String(err));
  }
}

function periodChanged() {
  const custom = $("#period").value === "custom";
  $("#date-field").classList.toggle("hidden", custom);
  $("#start-field").classList.toggle("hidden", !custom);
  $("#end-field").classList.toggle("hidden", !custom);
}

async function start() {
  const user = await requireUser(["admin", "supervisor", "client_viewer", "agent"]);
  setText($("#who"), user.display_name || user.username);
  $("#signout").addEventListener("click", signOutSession);
  $("#console-link").classList.toggle("hidden", user.role === "agent");
  $("#desk-link").classList.toggle("hidden", user.role !== "agent");
  const hide = { client_viewer: ["agent"], agent: ["client", "campaign", "queue"] }[user.role] || [];
  for (const option of $("#group").options) option.hidden = hide.includes(option.value);
  if (user.role === "agent") {
    $("#group").value = "agent";
    $(".report-charts figure").classList.add("hidden");
  }
  $("#outcomes-panel").classList.toggle("hidden", user.role === "client_viewer");
  $(".report-charts").classList.toggle("single", user.role === "client_viewer");
  definitions = await get("/api/reports/definitions");
  fill($("#definitions"), ...definitions.flatMap((f) => [h("dt", {}, f.label), h("dd", {}, f.definition)]));
  $("#period").addEventListener("change", periodChanged);
  $("#report-form").addEventListener("submit", (event) => show(user, event));
  await show(user);
}

start();
