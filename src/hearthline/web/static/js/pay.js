// Pay and billing: an agent's own pay so far this period (each line with the days,
// contacts or closed period behind it); the administrator's payroll for a period, its
// CSV and its closing; a client's monthly billing statement (administrators pick the
// client, a client's viewer sees their own).

import { ApiError, get, post, seg } from "./api.js";
import { $, fill, h, setOptions, setText, toast } from "./dom.js";
import { HOME_BY_ROLE, requireUser, signOutSession } from "./session.js";

const ui = { user: null };
// Each panel shows the answer to its latest question only: an older answer arriving
// late (a slower month) must not replace it.
const asked = { mine: 0, payroll: 0, bill: 0 };

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function message(err) {
  return err instanceof ApiError ? err.message : String(err);
}

function table(id, heads, rows) {
  return h(
    "table",
    { id },
    h("thead", {}, h("tr", {}, heads.map((x) => h("th", {}, x)))),
    h("tbody", {}, rows),
  );
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function money(amount, currency) {
  return `${amount} ${currency}`;
}

// -- my pay ---------------------------------------------------------------------------

async function loadMine() {
  setText($("#my-error"), "");
  const day = $("#my-day").value || today();
  const mine = ++asked.mine;
  try {
    const pay = await get(`/api/agent/pay?day=${seg(day)}`);
    if (mine === asked.mine) renderMine(pay);
  } catch (err) {
    if (mine !== asked.mine) return;
    fill($("#my-lines"));
    setText($("#my-period"), "");
    setText($("#my-error"), message(err));
  }
}

function renderMine(pay) {
  const state = pay.closed ? "closed: as paid" : "open: so far";
  setText($("#my-period"), `${pay.first_day} to ${pay.last_day} (${state})`);
  const rows = [];
  for (const line of pay.time) {
    rows.push(
      h(
        "tr",
        { class: "time-line" },
        h("td", {}, line.kind),
        h("td", {}, `rate from ${line.rate_from}`),
        h("td", { class: "num" }, `${line.hours} h`),
        h("td", { class: "small" }, line.workdays.join(", ")),
        h("td", { class: "num" }, money(line.amount, pay.currency)),
      ),
    );
  }
  for (const bonus of pay.bonuses) {
    rows.push(
      h(
        "tr",
        { class: "bonus-line" },
        h("td", {}, `${bonus.kind} (${bonus.campaign})`),
        h("td", { class: "small" }, bonus.note),
        h("td", { class: "num" }, plural(bonus.contacts.length, "contact")),
        h("td", { class: "small contacts" }, contactIds(bonus.contacts)),
        h("td", { class: "num" }, money(bonus.amount, pay.currency)),
      ),
    );
  }
  for (const adj of pay.adjustments) {
    rows.push(
      h(
        "tr",
        { class: "adjustment-line" },
        h("td", {}, `adjustment: ${adj.kind}`),
        h("td", { class: "small" }, "a correction after closing"),
        h("td", {}, ""),
        h("td", { class: "small" }, adj.of_period),
        h("td", { class: "num" }, money(adj.amount, pay.currency)),
      ),
    );
  }
  rows.push(
    h("tr", { class: "total" }, h("th", { colspan: "4" }, "Total"), h("th", { class: "num", id: "my-total" }, money(pay.total, pay.currency))),
  );
  fill($("#my-lines"), table("my-table", ["Line", "", "Quantity", "Days, contacts or period", "Amount"], rows));
}

// A month's line can stand on hundreds of contacts: a few are named, more are counted
// with their ids a click away (and in the CSV).
const NAMED_CONTACTS = 3;

function contactIds(ids) {
  if (ids.length <= NAMED_CONTACTS) return ids.join(", ");
  return h("details", {}, h("summary", { title: "Show their ids (also in the CSV)" }, plural(ids.length, "contact")), h("div", { class: "ids" }, ids.join(", ")));
}

// -- payroll --------------------------------------------------------------------------

function sum(lines, key) {
  return lines.reduce((acc, line) => acc + Number(line[key]), 0);
}

async function loadPayroll() {
  setText($("#payroll-error"), "");
  const day = $("#payroll-day").value || today();
  $("#payroll-csv").href = `/api/admin/payroll?day=${seg(day)}&format=csv`;
  const mine = ++asked.payroll;
  try {
    const [rows, closed] = await Promise.all([
      get(`/api/admin/payroll?day=${seg(day)}`),
      get("/api/admin/payroll/periods"),
    ]);
    if (mine === asked.payroll) renderPayroll(rows, closed, day);
  } catch (err) {
    if (mine !== asked.payroll) return;
    fill($("#payroll-table"));
    setText($("#payroll-error"), message(err));
  }
}

function renderPayroll(rows, closed, day) {
  const first = rows[0];
  const isClosed = closed.some((p) => p.first_day <= day && day <= p.last_day);
  if (first) setText($("#payroll-period"), `${first.first_day} to ${first.last_day} · ${isClosed ? "closed" : "open"}`);
  else setText($("#payroll-period"), isClosed ? "closed" : "No agent has a pay rule.");
  $("#close-button").disabled = isClosed;
  const body = rows.map((pay) =>
    h(
      "tr",
      { dataset: { agent: pay.agent_id } },
      h("td", {}, pay.agent_id),
      h("td", { class: "num" }, sum(pay.time, "hours").toFixed(2)),
      h("td", { class: "num" }, sum(pay.time, "amount").toFixed(2)),
      h("td", { class: "num" }, sum(pay.bonuses, "amount").toFixed(2)),
      h("td", { class: "num" }, sum(pay.adjustments, "amount").toFixed(2)),
      h("td", { class: "num total" }, money(pay.total, pay.currency)),
    ),
  );
  // With nobody to pay, the line above says so: no table of headers over nothing.
  if (body.length) fill($("#payroll-table"), table("payroll-rows", ["Agent", "Hours", "Time", "Bonuses", "Adjustments", "Total"], body));
  else fill($("#payroll-table"));
  setText(
    $("#closed-list"),
    closed.length ? `Closed: ${closed.map((p) => `${p.first_day} to ${p.last_day} by ${p.closed_by}`).join("; ")}` : body.length ? "No period closed yet." : "",
  );
}

async function closePeriod() {
  const day = $("#payroll-day").value || today();
  if (!confirm("Close this pay period? What it pays now is kept as paid.")) return;
  setText($("#payroll-error"), "");
  let refused = "";
  try {
    const done = await post("/api/admin/payroll/close", { day });
    toast(`Closed ${done.first_day} to ${done.last_day}: ${done.total} ${done.currency}`);
  } catch (err) {
    refused = message(err);
  }
  await loadPayroll();
  if (refused) setText($("#payroll-error"), refused);
}

// -- billing --------------------------------------------------------------------------

async function loadStatement() {
  setText($("#bill-error"), "");
  const client = $("#bill-client").value;
  const month = $("#bill-month").value;
  if (!client || !month) return;
  const path = `/api/billing/${seg(client)}/statement?month=${seg(month)}`;
  $("#bill-csv").href = `${path}&format=csv`;
  const mine = ++asked.bill;
  try {
    const bill = await get(path);
    if (mine === asked.bill) renderStatement(bill);
  } catch (err) {
    if (mine !== asked.bill) return;
    fill($("#bill-lines"));
    setText($("#bill-summary"), "");
    setText($("#bill-error"), message(err));
  }
}

function renderStatement(bill) {
  setText($("#bill-summary"), `${bill.client_id} · ${bill.month} (${bill.time_zone}) · ${plural(bill.contacts.length, "contact")} billed`);
  const rows = bill.lines.map((line) =>
    h(
      "tr",
      {},
      h("td", {}, line.description),
      h("td", { class: "num" }, `${line.quantity} ${line.unit}`),
      h("td", { class: "num" }, line.unit_price),
      h("td", { class: "small contacts" }, contactIds(line.contacts)),
      h("td", { class: "num" }, money(line.amount, bill.currency)),
    ),
  );
  rows.push(h("tr", { class: "total" }, h("th", { colspan: "4" }, "Total"), h("th", { class: "num", id: "bill-total" }, money(bill.total, bill.currency))));
  fill($("#bill-lines"), table("bill-table", ["Line", "Quantity", "Unit price", "Contacts", "Amount"], rows));
}

// -- start ----------------------------------------------------------------------------

async function start() {
  ui.user = await requireUser(["agent", "admin", "client_viewer"]);
  setText($("#who"), `${ui.user.display_name || ui.user.username}`);
  $("#home-link").href = HOME_BY_ROLE[ui.user.role] || "/";
  $("#signout").addEventListener("click", signOutSession);
  const month = today().slice(0, 7);
  if (ui.user.role === "agent") {
    $("#my-pay").classList.remove("hidden");
    $("#my-day").value = today();
    $("#my-day").addEventListener("change", loadMine);
    await loadMine();
    return;
  }
  $("#billing").classList.remove("hidden");
  $("#bill-month").value = month;
  if (ui.user.role === "admin") {
    $("#payroll").classList.remove("hidden");
    $("#payroll-day").value = today();
    $("#payroll-day").addEventListener("change", loadPayroll);
    $("#close-button").addEventListener("click", closePeriod);
    const clients = await get("/api/clients");
    setOptions($("#bill-client"), clients.map((c) => ({ value: c.id, label: c.name })));
    await loadPayroll();
  } else {
    setOptions($("#bill-client"), [{ value: ui.user.client_id, label: ui.user.client_id }]);
    $("#bill-client").disabled = true;
  }
  $("#bill-client").addEventListener("change", loadStatement);
  $("#bill-month").addEventListener("change", loadStatement);
  await loadStatement();
}

start();
