// The reports page's "Menus" table: per menu and node, for the range the form asks, what
// callers did in the menus (calls in, mean time, hang-ups, zero-outs, timeouts, invalid
// keys and how each node was left). It follows the page's form on its own; the server
// scopes the rows (a client company sees its own menus) and refuses agents, for whom the
// table stays hidden.

import { ApiError, get } from "./api.js";
import { $, fill, h, setText } from "./dom.js";
import { count, duration } from "./format.js";
import { range } from "./report_range.js";

let definitions = null;
let showing = 0;

function value(figure, v) {
  if (v === null || v === undefined) return "–";
  if (figure.unit === "seconds") return duration(v);
  return count(Math.round(v));
}

/** The form's range, grouped by client, menu and node. */
function menuQuery() {
  const params = range();
  params.set("group", "client,menu,node");
  return params;
}

function exits(row) {
  return Object.entries(row.exits).map(([how, n]) => `${how} ×${n}`).join(", ");
}

function render(report) {
  const shown = definitions.filter((f) => f.name !== "menu_exits");
  const exitsDef = definitions.find((f) => f.name === "menu_exits");
  const head = h("tr", {},
    ...["Client", "Menu", "Node"].map((d) => h("th", { scope: "col", class: "text" }, d)),
    ...shown.map((f) => h("th", { scope: "col", title: f.definition }, f.label)),
    h("th", { scope: "col", class: "text", title: exitsDef ? exitsDef.definition : "" }, "Exits"));
  const body = report.rows.map((r) => h("tr", {},
    h("td", { class: "text" }, r.key.client), h("td", { class: "text" }, r.key.menu),
    h("td", { class: "text" }, r.key.node),
    ...shown.map((f) => h("td", {}, value(f, r.figures[f.name]))),
    h("td", { class: "text" }, exits(r))));
  fill($("#menu-table"), h("thead", {}, head), h("tbody", {}, ...body));
  $("#menu-empty").classList.toggle("hidden", report.rows.length > 0);
}

async function show() {
  const mine = ++showing;
  setText($("#menu-error"), "");
  const params = menuQuery();
  $("#menu-csv-link").href = `/api/reports/menus/export.csv?${params}`;
  $("#menu-xlsx-link").href = `/api/reports/menus/export.xlsx?${params}`;
  try {
    if (!definitions) {
      definitions = await get("/api/reports/menus/definitions");
      fill($("#menu-definitions"), ...definitions.flatMap((f) => [h("dt", {}, f.label), h("dd", {}, f.definition)]));
    }
    const report = await get(`/api/reports/menus?${params}`);
    if (mine !== showing) return;
    render(report);
    $("#menus-panel").classList.remove("hidden");
  } catch (err) {
    if (mine !== showing) return;
    if (err instanceof ApiError && err.status === 403) {
      $("#menus-panel").classList.add("hidden");
      return;
    }
    $("#menus-panel").classList.remove("hidden");
    setText($("#menu-error"), err instanceof ApiError ? err.message : String(err));
  }
}

$("#report-form").addEventListener("submit", (event) => {
  event.preventDefault();
  show();
});
show();
