// The supervisor console: wallboard per client company, campaign and queue; the agent
// grid; waiting contacts; the help inbox; alerts; and the supervisor's actions.
//
// Live figures come from the stream (snapshot + events, see floor.js) and change the
// moment an event arrives. The day's figures (service level, speed of answer,
// abandoned) come from the statistics read model, re-read shortly after events that
// move them. A client viewer gets the same wallboard for their own client, read-only.

import { get, post, seg } from "./api.js";
import * as clock from "./clock.js";
import { $, fill, h, setOptions, setText, toast } from "./dom.js";
import { Floor, dayFigures, rates } from "./floor.js";
import { clockTime, count, dateTime, duration, humanize, percent, stateClass, stateLabel } from "./format.js";
import { requireUser, signOutSession } from "./session.js";
import { Stream } from "./stream.js";
import { AdherenceFeed, MOVES_ADHERENCE } from "./adherence.js";
import { Alerts } from "./alerts.js";
import { LISTEN_OPTIONS, Listener } from "./listen.js";
import { Announcements } from "./announcements.js";
import { Voicemails } from "./voicemails.js";

const SETTINGS_KEY = "hl.console";

const ui = {
  user: null,
  staff: false,
  floor: new Floor(),
  stream: null,
  streamStatus: "connecting",
  clients: new Map(), // id -> {id, name}
  campaigns: new Map(), // id -> {id, name, client_id}
  queueInfo: new Map(), // id -> {id, name, campaign_id, service_target_s}
  reasons: [],
  day: new Map(), // queue -> summed figures of today
  helpNotices: new Map(), // help request id -> its notice, gone once it is answered
  filter: "",
  settings: loadSettings(),
  alerts: null,
};

function loadSettings() {
  // slMinOffered: a service level over two calls says nothing yet; no alarm before this.
  // longWaitS: when a queue's own target is not known here, a wait this long is an alarm.
  const defaults = { longCallMin: 10, longBreakMin: 15, slGoal: 0.8, slMinOffered: 5, backlog: 5, longWaitS: 120 };
  try {
    return { ...defaults, ...JSON.parse(localStorage.getItem(SETTINGS_KEY) || "{}") };
  } catch {
    return defaults;
  }
}

function saveSettings() {
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(ui.settings));
}

// Start ---------------------------------------------------------------------------------------

async function start() {
  ui.user = await requireUser(["admin", "supervisor", "client_viewer"]);
  ui.staff = ui.user.role === "admin" || ui.user.role === "supervisor";
  document.body.classList.toggle("viewer", !ui.staff);
  setText($("#who"), `${ui.user.display_name || ui.user.username} · ${humanize(ui.user.role)}`);
  $("#admin-link").classList.toggle("hidden", ui.user.role !== "admin");
  $("#planning-link").classList.toggle("hidden", ui.user.role === "client_viewer");
  // Money is the firm's and the client's own: supervisors are not offered it.
  $("#pay-link").classList.toggle("hidden", ui.user.role === "supervisor");
  $("#knowledge-link").classList.toggle("hidden", ui.user.role === "client_viewer");
  for (const el of document.querySelectorAll(".staff-only")) el.classList.toggle("hidden", !ui.staff);
  if (!ui.staff) $("#agents-panel").classList.add("hidden");
  ui.alerts = new Alerts($("#alerts"), $("#alert-count"));
  ui.adherence = new AdherenceFeed(() => {
    $("#agent-grid").classList.toggle("no-schedule", !ui.adherence.anyScheduled());
    renderAgents();
    evaluateAlerts();
  });
  if (ui.staff) ui.adherence.start();
  wire();
  await loadMeta();
  ui.stream = new Stream({
    onSnapshot: (data) => {
      ui.floor.load(data);
      renderAll();
      refreshDay();
      if (ui.staff) resync(); // names, and per-queue staffing
    },
    onEvent,
    onReset: () => {},
    onMessage,
    onStatus: (status) => {
      ui.streamStatus = status;
      renderConnection();
      if (status === "unauthorised") location.replace("/?next=/supervisor");
    },
  });
  ui.stream.start();
  setInterval(tick, 1000);
  setInterval(refreshDay, 20000);
  if (ui.staff) setInterval(resync, 15000);
  // Voicemails: the client viewer hears their own client's too (and marks none).
  ui.voicemails = new Voicemails({
    button: $("#voicemail-button"),
    staff: ui.staff,
    clients: ui.clients,
    queueName: (id) => (ui.queueInfo.get(id) || {}).name || id,
    client: () => ui.filter, // the console's client company, or "" for all
    queues: () => [...ui.queueInfo.values()].map((q) => ({ id: q.id, name: q.name, client_id: queueClient(q.id) })),
    agents: () => [...ui.floor.agents.values()].map((a) => ({ id: a.id, name: a.name })),
  });
  ui.voicemails.refresh();
  setInterval(() => ui.voicemails.refresh(), 30000);
  if (ui.staff) {
    refreshMenus();
    setInterval(refreshMenus, 5000); // callers in a menu never reach the stream's queues
    ui.announcements = new Announcements({
      button: $("#announce-button"),
      clients: ui.clients,
      queues: () => [...ui.queueInfo.values()].map((q) => ({ id: q.id, name: q.name, client_id: queueClient(q.id) })),
    });
    ui.announcements.refresh();
    setInterval(() => ui.announcements.refresh(), 15000); // switched by another supervisor
  }
}

async function loadMeta() {
  const [campaigns, reasons] = await Promise.all([
    get("/api/campaigns").catch(() => []),
    get("/api/reasons").catch(() => []),
  ]);
  ui.reasons = reasons;
  ui.campaigns = new Map(campaigns.map((c) => [c.id, c]));
  for (const c of campaigns) {
    if (!ui.clients.has(c.client_id)) ui.clients.set(c.client_id, { id: c.client_id, name: humanize(c.client_id) });
  }
  // Client companies' names, for whoever may see them (their ids otherwise).
  const clients = await get("/api/clients").catch(() => []);
  for (const c of clients) ui.clients.set(c.id, { id: c.id, name: c.name || humanize(c.id) });
  // Queue names, campaigns and service targets: the readers' list where the server has
  // one, else the administrators' (admins only); else queue ids, grouped by client.
  let queues = await get("/api/queues").catch(() => null);
  if (!queues && ui.user.role === "admin") queues = await get("/api/admin/queues").catch(() => null);
  ui.queueInfo = new Map((queues || []).map((q) => [q.id, q]));
  const filter = $("#client-filter");
  setOptions(
    filter,
    [...ui.clients.values()].map((c) => ({ value: c.id, label: c.name })),
    { placeholder: ui.clients.size > 1 ? "All client companies" : null },
  );
  filter.classList.toggle("hidden", ui.clients.size < 2);
  ui.filter = filter.value;
}

// Events -----------------------------------------------------------------------------------------

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderAll();
  });
}

const DAY_MOVERS = new Set(["ContactQueued", "OfferAccepted", "ContactAbandoned", "ContactCompleted", "ContactDropped", "ContactOverflowed", "WrapUpEnded"]);

function onEvent(event, id, { live } = {}) {
  if (live) clock.observe(event.at);
  ui.floor.apply(event);
  setText($("#last-event"), `event ${id} · ${clockTime(event.at)}`);
  if (event.type === "AgentConnectionLost") {
    const a = ui.floor.agents.get(event.agent);
    toast(`Connection lost: ${a && a.name ? a.name : event.agent}`, { kind: "error", timeout: 8000 });
  }
  if (ui.listener && (event.type === "ContactEnded" || event.type === "ContactTransferred" || event.type === "ContactDropped")) ui.listener.contactGone(event.contact);
  if (event.type === "QueueConfigured" || event.type === "CampaignConfigured") loadMeta().then(renderAll);
  if (DAY_MOVERS.has(event.type)) scheduleDay();
  if (live && ui.staff && MOVES_ADHERENCE.has(event.type)) ui.adherence.soon();
  if (ui.staff) scheduleResync();
  scheduleRender();
}

function onMessage(message) {
  if (message.type === "help-list") {
    // A resumed stream: what was asked or answered meanwhile was not replayed.
    const was = ui.floor.help;
    ui.floor.help = new Map((message.requests || []).map((r) => [r.id, r]));
    for (const r of ui.floor.help.values()) {
      if (r.open && !was.has(r.id)) noticeHelp(r);
    }
    renderInbox();
    return;
  }
  if (message.type !== "help" || !message.request) return;
  const r = message.request;
  const before = ui.floor.help.get(r.id);
  ui.floor.help.set(r.id, r);
  if (r.open && !before) noticeHelp(r);
  renderInbox();
}

function noticeHelp(r) {
  ui.helpNotices.set(r.id, toast(`Help request from ${agentName(r.agent_id)}: ${r.text}`, { timeout: 10000 }));
}

// The read model refreshes every few seconds: read soon, and once more a little later.
let dayTimers = [];
function scheduleDay() {
  if (dayTimers.length) return;
  dayTimers = [setTimeout(refreshDay, 1200), setTimeout(() => { dayTimers = []; refreshDay(); }, 6500)];
}

async function refreshDay() {
  const midnight = clock.serverMidnight(); // the center's today (a demo's day after day)
  try {
    const rows = await get(`/api/reports/queues?since=${Math.floor(midnight.getTime() / 1000)}`);
    ui.day = dayFigures(rows);
    renderWallboard();
  } catch {
    /* the live figures still show */
  }
}

/** A line per menu: callers in it now, and today's callers, hang-ups, zero-outs and
 * mean time in it (GET /api/supervisor/menus/board). Hidden while there are no menus. */
async function refreshMenus() {
  const midnight = clock.serverMidnight();
  let lines;
  try {
    lines = await get(`/api/supervisor/menus/board?since=${Math.floor(midnight.getTime() / 1000)}`);
  } catch {
    return; /* the last lines stay */
  }
  ui.menus = lines;
  renderMenus();
}

function renderMenus() {
  const table = $("#menu-lines");
  const lines = (ui.menus || []).filter((l) => !ui.filter || l.client_id === ui.filter);
  table.classList.toggle("hidden", lines.length === 0);
  fill(
    $("tbody", table),
    lines.map((l) =>
      h(
        "tr",
        { dataset: { number: l.number } },
        h("th", { scope: "row" }, l.number, " ", h("span", { class: "small muted" }, (ui.clients.get(l.client_id) || { name: humanize(l.client_id) }).name)),
        h("td", { class: "num in-menu" }, count(l.in_menu)),
        h("td", { class: "num callers" }, count(l.callers)),
        h("td", { class: "num hangups" }, count(l.hangups)),
        h("td", { class: "num zero-outs" }, count(l.zero_outs)),
        h("td", { class: "num mean" }, l.callers ? `${l.mean_s.toFixed(1)} s` : "–"),
      ),
    ),
  );
}

let resyncTimer = null;
function scheduleResync() {
  if (resyncTimer) return;
  resyncTimer = setTimeout(() => {
    resyncTimer = null;
    resync();
  }, 1500);
}

/** Re-reads the live lists: per-queue staffing comes only from here. */
async function resync() {
  try {
    const [agents, queues, contacts] = await Promise.all([
      get("/api/supervisor/agents"),
      get("/api/supervisor/queues"),
      get("/api/supervisor/contacts"),
    ]);
    ui.floor.refresh({ agents, queues, contacts });
    scheduleRender();
    renderInbox();
  } catch {
    /* the stream keeps the page current meanwhile */
  }
}

// Names and scope ----------------------------------------------------------------------------------

function agentName(id) {
  const a = ui.floor.agents.get(id);
  return (a && a.name) || id;
}

function queueName(id) {
  const q = ui.queueInfo.get(id);
  return (q && q.name) || humanize(id);
}

function queueCampaign(id) {
  const q = ui.queueInfo.get(id);
  return (q && q.campaign_id) || ui.floor.queueCampaign.get(id) || null;
}

function queueClient(id) {
  const q = ui.queueInfo.get(id);
  if (q && q.client_id) return q.client_id;
  const campaign = ui.campaigns.get(queueCampaign(id));
  if (campaign) return campaign.client_id;
  const day = ui.day.get(id);
  if (day && day.client_id) return day.client_id;
  return ui.clients.size === 1 ? [...ui.clients.keys()][0] : null;
}

function shown(queueId) {
  return !ui.filter || queueClient(queueId) === ui.filter;
}

function reasonLabel(id) {
  const r = ui.reasons.find((x) => x.id === id);
  return r ? r.label : humanize(id);
}

function isSystemReason(id) {
  const r = ui.reasons.find((x) => x.id === id);
  return r ? r.system : ["signed-in", "missed-offer", "connection-lost", "system-restart", "unread-bulletins"].includes(id);
}

// Rendering ---------------------------------------------------------------------------------------------

function renderAll() {
  renderConnection();
  renderWallboard();
  if (ui.staff) renderAgents();
  renderWaiting();
  renderInbox();
  evaluateAlerts();
}

function tick() {
  watchDay();
  renderWallboard();
  if (ui.staff) renderAgents();
  renderWaiting();
  evaluateAlerts();
}

// The center's day turns (a demonstration skips its nights and runs day after day): say
// so, and start the day's figures again.
let today = null;
function watchDay() {
  if (!clock.known()) return;
  const midnight = clock.serverMidnight();
  if (today !== null && midnight.getTime() > today) {
    const date = midnight.toLocaleDateString([], { weekday: "long", day: "numeric", month: "long" });
    toast(`A new day has begun (${date}): today's figures start again.`, { timeout: 20000 });
    refreshDay();
  }
  today = midnight.getTime();
}

function renderConnection() {
  const conn = $("#conn");
  const status = ui.streamStatus;
  const ok = status === "open";
  conn.className = `conn ${ok ? "ok" : status === "connecting" || status === "closed" ? "trying" : "down"}`;
  setText($(".text", conn), ok ? "Live" : status === "offline" ? "Offline" : "Reconnecting…");
  const banner = $("#banner");
  const down = status === "offline";
  banner.classList.toggle("hidden", !down);
  setText(banner, down ? "No connection: the figures below are frozen until it returns." : "");
}

/** The queues to show, grouped: client -> campaign -> [queue ids]. */
function groups() {
  const ids = new Set([...ui.floor.queues.keys(), ...ui.day.keys(), ...ui.queueInfo.keys()]);
  for (const c of ui.floor.contacts.values()) if (c.queue) ids.add(c.queue);
  const tree = new Map();
  for (const id of [...ids].sort()) {
    if (!shown(id)) continue;
    const client = queueClient(id) || "";
    const campaign = queueCampaign(id) || "";
    if (!tree.has(client)) tree.set(client, new Map());
    const camps = tree.get(client);
    if (!camps.has(campaign)) camps.set(campaign, []);
    camps.get(campaign).push(id);
  }
  return tree;
}

function renderWallboard() {
  const board = $("#wallboard");
  const live = ui.floor.queueLive();
  const tree = groups();
  const signature = JSON.stringify([...tree].map(([c, camps]) => [c, [...camps].map(([k, v]) => [k, v])]));
  if (board.dataset.signature !== signature) {
    board.dataset.signature = signature;
    fill(
      board,
      tree.size
        ? [...tree].map(([client, camps]) =>
            h(
              "div",
              { class: "client-group", dataset: { client } },
              h("h3", {}, client ? (ui.clients.get(client) || { name: humanize(client) }).name : "Queues", h("span", { class: "small muted client-agents" })),
              h("div", { class: "tiles" }, [...camps].flatMap(([campaign, queues]) => queues.map((q) => tile(q, campaign)))),
            ),
          )
        : h("div", { class: "empty" }, "No queues to show yet."),
    );
  }
  for (const el of board.querySelectorAll(".tile")) updateTile(el, live);
  renderAgentSummary();
}

function tile(queueId, campaign) {
  const camp = ui.campaigns.get(campaign);
  const fig = (key, label) => h("div", { class: `fig fig-${key}` }, h("div", { class: "v num" }, "–"), h("div", { class: "l" }, label));
  return h(
    "article",
    { class: "tile", dataset: { queue: queueId }, "aria-label": `Queue ${queueName(queueId)}` },
    h("div", { class: "title" }, h("span", {}, queueName(queueId)), h("span", { class: "camp" }, camp ? camp.name || humanize(camp.id) : "")),
    h(
      "div",
      { class: "figures" },
      fig("waiting", "Waiting"),
      fig("oldest", "Longest wait"),
      fig("sl", "Service level"),
      fig("asa", "Avg answer"),
      fig("abandoned", "Abandoned"),
      fig("answered", "Answered"),
    ),
    h("div", { class: "agents" }),
  );
}

function updateTile(el, live) {
  const id = el.dataset.queue;
  const now = live.get(id) || { waiting: 0, oldest: null };
  const day = ui.day.get(id);
  const r = rates(day);
  const info = ui.queueInfo.get(id);
  const target = info && info.service_target_s;
  const oldestS = now.oldest === null ? null : clock.since(now.oldest);
  const set = (key, text, alarm = false) => {
    const f = el.querySelector(`.fig-${key}`);
    setText(f.querySelector(".v"), text);
    f.classList.toggle("alarm", alarm);
  };
  set("waiting", count(now.waiting), now.waiting >= ui.settings.backlog);
  set("oldest", oldestS === null ? "–" : duration(oldestS), oldestS !== null && oldestS > (target || ui.settings.longWaitS));
  const slLow = r.sl !== null && r.sl < ui.settings.slGoal && (day ? day.offered || 0 : 0) >= ui.settings.slMinOffered;
  set("sl", percent(r.sl), slLow);
  set("asa", r.asa === null ? "–" : `${Math.round(r.asa)} s`);
  set("abandoned", count(day ? day.abandoned || 0 : 0));
  set("answered", count(day ? day.answered || 0 : 0));
  const l = el.querySelector(".fig-sl .l");
  setText(l, target ? `SL (${Math.round(target)} s)` : "Service level");
  const q = ui.floor.queues.get(id);
  const agents = el.querySelector(".agents");
  const staffing = q ? `${q.agents_available} ready / ${q.agents_staffed} staffed` : "";
  if (agents.textContent !== staffing) fill(agents, staffing ? h("span", { class: "small muted" }, staffing) : null);
  const alarm = slLow || (oldestS !== null && oldestS > (target || ui.settings.longWaitS));
  el.classList.toggle("alarm", Boolean(alarm));
  el.classList.toggle("warn", !alarm && now.waiting >= ui.settings.backlog);
  el.dataset.waiting = String(now.waiting);
}

// Signed out, or retired (left the firm): not on the floor.
const OFF_DUTY = new Set(["offline", "retired"]);

function renderAgentSummary() {
  const counts = {};
  for (const a of ui.floor.agents.values()) {
    if (OFF_DUTY.has(a.state)) continue;
    const key = a.connected === false ? "lost" : a.state;
    counts[key] = (counts[key] || 0) + 1;
  }
  const order = ["available", "reserved", "on-contact", "consulting", "wrap-up", "not-ready", "lost"];
  const text = order.filter((k) => counts[k]).map((k) => `${counts[k]} ${k === "lost" ? "lost" : stateLabel(k).toLowerCase()}`).join(" · ");
  setText($("#agent-counts"), text || (ui.staff ? "nobody signed in" : ""));
}

// The agent grid ---------------------------------------------------------------------------------------

const STATE_ORDER = { "on-contact": 0, consulting: 0, reserved: 1, "wrap-up": 2, available: 3, "not-ready": 4, offline: 5 };

function renderAgents() {
  const tbody = $("#agent-grid tbody");
  const agents = [...ui.floor.agents.values()]
    .filter((a) => !OFF_DUTY.has(a.state) || (a.state === "offline" && a.connected === false))
    .sort((a, b) => (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9) || (a.name || a.id).localeCompare(b.name || b.id));
  const rows = new Map([...tbody.rows].map((r) => [r.dataset.agent, r]));
  const busy = tbody.contains(document.activeElement);
  const wanted = agents.map((a) => a.id);
  for (const [id, row] of rows) if (!wanted.includes(id)) row.remove();
  let previous = null;
  for (const a of agents) {
    let row = rows.get(a.id);
    if (!row) row = agentRow(a);
    updateAgentRow(row, a);
    // Reorder only while nobody is using a control in the grid (moving a row blurs it).
    if (!busy || !row.isConnected) {
      const expected = previous ? previous.nextSibling : tbody.firstChild;
      if (expected !== row) tbody.insertBefore(row, expected);
    }
    previous = row;
  }
  if (!agents.length && !tbody.querySelector(".empty-row")) {
    tbody.append(h("tr", { class: "empty-row" }, h("td", { colspan: 7, class: "empty" }, "No agent is signed in.")));
  } else if (agents.length) tbody.querySelector(".empty-row")?.remove();
}

function agentRow(a) {
  const select = h("select", { "aria-label": `Action for ${a.name || a.id}` });
  const apply = h("button", { type: "button", class: "small", onclick: () => agentAction(a.id, select) }, "Apply");
  return h(
    "tr",
    { dataset: { agent: a.id } },
    h("td", { class: "name" }, h("b", {}), h("span", { class: "small muted" }, a.id)),
    h("td", { class: "state" }, h("span", { class: "pill" })),
    h("td", { class: "reason" }),
    h("td", { class: "num in-state" }),
    h("td", { class: "contact" }),
    h("td", { class: "adherence adherence-col" }, h("span", { class: "status" }), " ", h("span", { class: "small muted" })),
    h("td", {}, h("div", { class: "row-actions" }, select, apply)),
  );
}

function updateAgentRow(row, a) {
  setText(row.querySelector(".name b"), a.name || a.id);
  // Rows are one line each: what does not fit is cut short, and said in full on hover.
  entitle(row.querySelector(".name"), a.name ? `${a.name} (${a.id})` : a.id);
  const pill = row.querySelector(".pill");
  const lost = a.connected === false;
  const cls = `pill ${stateClass(a.state, { lost })}`;
  if (pill.className !== cls) pill.className = cls;
  setText(pill, lost ? "Connection lost" : stateLabel(a.state));
  const reason = a.state === "not-ready" && a.reason ? reasonLabel(a.reason) : a.pending_reason ? `then ${reasonLabel(a.pending_reason)}` : "";
  setText(row.querySelector(".reason"), reason);
  entitle(row.querySelector(".reason"), reason);
  const inState = clock.since(a.since);
  setText(row.querySelector(".in-state"), duration(inState));
  const c = a.contact ? ui.floor.contacts.get(a.contact) : null;
  const contact = c ? `${queueName(c.queue)} · ${c.caller || c.id}` : a.contact || "";
  setText(row.querySelector(".contact"), contact);
  entitle(row.querySelector(".contact"), contact);
  const contactS = a.state === "on-contact" ? inState : null;
  const [status, share, detail] = ui.adherence.label(a.id);
  setText(row.querySelector(".adherence .status"), status);
  setText(row.querySelector(".adherence .muted"), share);
  if (row.querySelector(".adherence").title !== detail) row.querySelector(".adherence").title = detail;
  row.querySelector(".adherence").classList.toggle("over", ui.adherence.alerting(a.id));
  const longCall = contactS !== null && contactS > ui.settings.longCallMin * 60;
  const longBreak = a.state === "not-ready" && a.reason && !isSystemReason(a.reason) && inState > ui.settings.longBreakMin * 60;
  row.classList.toggle("warn", longCall);
  row.classList.toggle("alarm", longBreak || lost);
  row.dataset.state = lost ? "lost" : a.state;
  row.querySelector(".in-state").classList.toggle("over", longCall || Boolean(longBreak));
  const select = row.querySelector("select");
  const options = [
    { value: "", label: "Action…" },
    { value: "ready", label: "Make ready" },
    ...ui.reasons.filter((r) => !r.system).map((r) => ({ value: `nr:${r.id}`, label: `Not ready: ${r.label}` })),
    { value: "signout", label: "Sign out" },
    { value: "help", label: "Past help requests" },
    ...(ui.staff ? LISTEN_OPTIONS : []),
  ];
  if (select.options.length !== options.length) setOptions(select, options);
}

function entitle(cell, text) {
  if (cell.title !== text) cell.title = text;
}

async function agentAction(agentId, select) {
  const value = select.value;
  if (!value) {
    select.focus();
    return;
  }
  if (value === "help") {
    select.value = "";
    showHelpHistory(agentId);
    return;
  }
  try {
    if (await listener().action(value, agentId, agentName(agentId))) {
      select.value = "";
      return;
    }
    if (value === "signout") {
      if (!confirm(`Sign ${agentName(agentId)} out?`)) return;
      await post(`/api/supervisor/agents/${seg(agentId)}/sign-out`);
    } else if (value === "ready") {
      await post(`/api/supervisor/agents/${seg(agentId)}/state`, { state: "ready" });
    } else {
      await post(`/api/supervisor/agents/${seg(agentId)}/state`, { state: "not-ready", reason: value.slice(3) });
    }
    select.value = "";
    toast(`Done: ${agentName(agentId)}.`, { kind: "ok" });
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
}

// Listening in on an agent's call (listen.js), made on first use.
function listener() {
  if (!ui.listener) {
    ui.listener = new Listener({ onError: (text) => toast(text, { kind: "error" }) });
    window.hearthlineListener = ui.listener; // for checking what the supervisor hears
  }
  return ui.listener;
}

function goToAgent(agentId) {
  const row = $(`#agent-grid tr[data-agent="${CSS.escape(agentId)}"]`);
  if (!row) {
    toast(`${agentName(agentId)} is not signed in.`);
    return;
  }
  row.scrollIntoView({ block: "center", behavior: "smooth" });
  row.classList.remove("flash");
  void row.offsetWidth; // restart the animation
  row.classList.add("flash");
  row.querySelector("select").focus();
}

// Waiting contacts --------------------------------------------------------------------------------------

function renderWaiting() {
  const tbody = $("#waiting tbody");
  const waiting = ui.floor.waiting().filter((c) => shown(c.queue));
  setText($("#waiting-count"), waiting.length ? `${waiting.length} waiting` : "");
  const rows = new Map([...tbody.rows].map((r) => [r.dataset.contact, r]));
  const busy = tbody.contains(document.activeElement);
  for (const [id, row] of rows) if (!waiting.some((c) => c.id === id)) row.remove();
  let previous = null;
  for (const c of waiting) {
    let row = rows.get(c.id);
    if (!row) row = waitingRow(c);
    setText(row.querySelector(".caller"), c.caller || c.id);
    entitle(row.querySelector(".caller"), c.caller ? `${c.caller} (${c.id})` : c.id);
    setText(row.querySelector(".queue"), queueName(c.queue) + (c.state === "offered" ? " · ringing" : ""));
    setText(row.querySelector(".waited"), duration(clock.since(c.waiting_since)));
    setText(row.querySelector(".prio"), String(c.priority));
    if (!busy || !row.isConnected) {
      const expected = previous ? previous.nextSibling : tbody.firstChild;
      if (expected !== row) tbody.insertBefore(row, expected);
    }
    previous = row;
  }
  if (!waiting.length && !tbody.querySelector(".empty-row")) {
    tbody.append(h("tr", { class: "empty-row" }, h("td", { colspan: 5, class: "empty" }, "Nobody is waiting.")));
  } else if (waiting.length) tbody.querySelector(".empty-row")?.remove();
}

function waitingRow(c) {
  const select = h("select", { "aria-label": `Action for ${c.caller || c.id}` });
  const queues = [...new Set([...ui.queueInfo.keys(), ...ui.floor.queues.keys()])].filter(shown).sort();
  setOptions(select, [
    { value: "", label: "Action…" },
    { value: "up", label: "Raise priority (+10)" },
    { value: "down", label: "Lower priority (−10)" },
    ...queues.map((q) => ({ value: `mv:${q}`, label: `Move to ${queueName(q)}` })),
  ]);
  const apply = h("button", { type: "button", class: "small", onclick: () => contactAction(c.id, select) }, "Apply");
  return h(
    "tr",
    { dataset: { contact: c.id } },
    h("td", { class: "caller" }),
    h("td", { class: "queue" }),
    h("td", { class: "num waited" }),
    h("td", { class: "num prio" }),
    ui.staff ? h("td", {}, h("div", { class: "row-actions" }, select, apply)) : null,
  );
}

async function contactAction(contactId, select) {
  const value = select.value;
  const c = ui.floor.contacts.get(contactId);
  if (!value || !c) return;
  try {
    if (value === "up" || value === "down") {
      const priority = Math.max(-1000, Math.min(1000, c.priority + (value === "up" ? 10 : -10)));
      await post(`/api/supervisor/contacts/${seg(contactId)}/priority`, { priority });
    } else {
      await post(`/api/supervisor/contacts/${seg(contactId)}/move`, { queue: value.slice(3) });
    }
    select.value = "";
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
}

// Help inbox -------------------------------------------------------------------------------------------------

function renderInbox() {
  if (!ui.staff) return;
  for (const li of $("#inbox").querySelectorAll("li[data-help] .agent-name")) setText(li, agentName(li.dataset.agent));
  const open = [...ui.floor.help.values()].filter((r) => r.open).sort((a, b) => a.id - b.id);
  // A request answered (here, by another supervisor, or while away) needs no notice.
  for (const [id, notice] of ui.helpNotices) {
    const r = ui.floor.help.get(id);
    if (!r || !r.open || !notice.isConnected) {
      notice.remove();
      ui.helpNotices.delete(id);
    }
  }
  const pill = $("#help-count");
  setText(pill, String(open.length));
  pill.className = `pill ${open.length ? "state-lost" : "state-not-ready"}`;
  const list = $("#inbox");
  const have = new Set([...list.children].map((li) => li.dataset.help));
  const want = new Set(open.map((r) => String(r.id)));
  for (const li of [...list.children]) if (!want.has(li.dataset.help)) li.remove();
  for (const r of open) {
    if (have.has(String(r.id))) continue;
    const input = h("input", { "aria-label": `Answer to ${agentName(r.agent_id)}`, placeholder: "Answer…", maxlength: 2000 });
    const form = h("form", {}, input, h("button", { type: "submit", class: "small primary" }, "Send"));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      try {
        const answered = await post(`/api/supervisor/help/${r.id}/answer`, { text });
        ui.floor.help.set(answered.id, answered);
        renderInbox();
      } catch (err) {
        toast(err.message, { kind: "error" });
      }
    });
    list.append(
      h(
        "li",
        { dataset: { help: String(r.id) } },
        h("div", { class: "who" }, h("span", { class: "agent-name", dataset: { agent: r.agent_id } }, agentName(r.agent_id)), " ", h("span", { class: "muted small" }, clockTime(r.created_at))),
        h("div", { class: "text" }, r.text),
        h(
          "div",
          { class: "row-actions" },
          h("button", { type: "button", class: "small quiet", onclick: () => goToAgent(r.agent_id) }, "Go to agent"),
          h("button", { type: "button", class: "small quiet", onclick: () => showHelpHistory(r.agent_id) }, "Past help"),
        ),
        form,
      ),
    );
  }
  if (!open.length && !list.children.length) list.append(h("li", { class: "muted empty-help", dataset: { help: "none" } }, "No open requests."));
  else if (open.length) list.querySelector(".empty-help")?.remove();
}

/** An agent's help requests, answered ones too, newest first (answers stay on record). */
async function showHelpHistory(agentId) {
  let dialog = $("#help-history");
  if (!dialog) {
    dialog = h(
      "dialog",
      { id: "help-history", "aria-labelledby": "help-history-title" },
      h(
        "div",
        {},
        h("h2", { id: "help-history-title" }),
        h("ul", { class: "inbox help-history", id: "help-history-list" }),
        h("div", { class: "actions" }, h("button", { type: "button", class: "primary", onclick: () => dialog.close() }, "Close")),
      ),
    );
    document.body.append(dialog);
  }
  setText($("#help-history-title"), `Help asked by ${agentName(agentId)}`);
  const list = $("#help-history-list");
  fill(list, h("li", { class: "muted" }, "Loading…"));
  if (!dialog.open) dialog.showModal();
  let rows;
  try {
    rows = await get(`/api/supervisor/agents/${seg(agentId)}/help?limit=50`);
  } catch (err) {
    fill(list, h("li", { class: "error" }, err.message));
    return;
  }
  fill(
    list,
    rows.length
      ? rows.map((r) =>
          h(
            "li",
            { dataset: { help: String(r.id) } },
            h("div", { class: "who" }, h("span", { class: "muted small" }, `${dateTime(r.created_at)}${r.contact_id ? ` · contact ${r.contact_id}` : ""}`)),
            h("div", { class: "text" }, r.text),
            r.answer
              ? h("div", { class: "answer" }, h("b", {}, `${r.answered_by || "Answered"}: `), r.answer)
              : h("div", { class: "muted small" }, "Not answered yet."),
          ),
        )
      : h("li", { class: "muted" }, "No help requests."),
  );
}

// Alerts ----------------------------------------------------------------------------------------------------------

function evaluateAlerts() {
  const live = ui.floor.queueLive();
  const active = [];
  for (const [client, camps] of groups()) {
    void client;
    for (const queues of camps.values()) {
      for (const q of queues) {
        const now = live.get(q) || { waiting: 0, oldest: null };
        const info = ui.queueInfo.get(q);
        const target = info && info.service_target_s;
        const r = rates(ui.day.get(q));
        const offered = (ui.day.get(q) || {}).offered || 0;
        if (r.sl !== null && r.sl < ui.settings.slGoal && offered >= ui.settings.slMinOffered) {
          active.push({ key: `sl:${q}`, severity: "alarm", text: `${queueName(q)}: service level ${percent(r.sl)}, below the ${percent(ui.settings.slGoal)} goal` });
        }
        const oldest = now.oldest === null ? null : clock.since(now.oldest);
        const limit = target || ui.settings.longWaitS;
        if (oldest !== null && oldest > limit) {
          const over = target ? `over the ${Math.round(target)} s target` : `over ${duration(limit)}`;
          active.push({ key: `wait:${q}`, severity: "alarm", text: `${queueName(q)}: a caller has waited ${duration(oldest)}, ${over}` });
        }
        const staffing = ui.floor.queues.get(q);
        if (now.waiting >= ui.settings.backlog || (staffing && now.waiting > 0 && staffing.agents_staffed === 0)) {
          active.push({ key: `backlog:${q}`, severity: "warn", text: `${queueName(q)} is backing up: ${now.waiting} waiting${staffing ? `, ${staffing.agents_available} ready` : ""}` });
        }
      }
    }
  }
  for (const a of ui.floor.agents.values()) {
    if (a.connected === false && a.state !== "offline") {
      active.push({ key: `lost:${a.id}`, severity: "alarm", text: `${a.name || a.id}: connection lost` });
    }
  }
  if (ui.staff) active.push(...ui.adherence.alerts(agentName));
  ui.alerts.update(active);
}

// Wiring ---------------------------------------------------------------------------------------------------------

function wire() {
  $("#signout").addEventListener("click", () => signOutSession());
  $("#client-filter").addEventListener("change", (ev) => {
    ui.filter = ev.target.value;
    $("#waiting tbody").replaceChildren();
    renderAll();
    renderMenus();
    if (ui.voicemails) ui.voicemails.refresh();
  });
  const longCall = $("#long-call");
  const longBreak = $("#long-break");
  longCall.value = ui.settings.longCallMin;
  longBreak.value = ui.settings.longBreakMin;
  const changed = () => {
    ui.settings.longCallMin = Math.max(1, Number(longCall.value) || 10);
    ui.settings.longBreakMin = Math.max(1, Number(longBreak.value) || 15);
    saveSettings();
    renderAgents();
  };
  longCall.addEventListener("change", changed);
  longBreak.addEventListener("change", changed);
}

start();
