// Administration: enough to set up a client company from nothing without the API --
// client companies, campaigns (with their recording policy), queues and their skill
// requirements, skills, agents and their skills (searched, or imported from CSV), users,
// reason codes, outcomes (dispositions) and forms, scripts, phone numbers, center
// settings, the audit log, and the API tokens channel adapters use. Each section is a
// list and an editor, described by the SECTIONS table below; the API does the checking
// and its messages are shown as is.

import { del, get, patch, post, put, request, seg } from "./api.js";
import { $, fill, h, setText, toast } from "./dom.js";
import { dateTime, humanize } from "./format.js";
import { requireUser, signOutSession } from "./session.js";
import { rowsEditor } from "./admin_rows.js";
import { hoursSection, loadVoiceCache, promptLink, promptsSection } from "./admin_voice.js";

const cache = { clients: [], campaigns: [], skills: [], agents: [], queues: [], prompts: [], defaults: [] };

const ident = (name, label, hint = "Letters, digits and . _ : @ + - ; cannot change later") => ({ name, label, kind: "ident", hint });
const text = (name, label, extra = {}) => ({ name, label, kind: "text", ...extra });
const number = (name, label, extra = {}) => ({ name, label, kind: "number", ...extra });
const check = (name, label) => ({ name, label, kind: "check" });
const choose = (name, label, options, extra = {}) => ({ name, label, kind: "select", options, ...extra });

const clientOptions = () => cache.clients.map((c) => ({ value: c.id, label: c.name || c.id }));
const campaignOptions = () => cache.campaigns.map((c) => ({ value: c.id, label: `${c.name || c.id} (${c.client_id})` }));

const RECORDING_MODES = [
  { value: "none", label: "None" },
  { value: "all", label: "Every call" },
  { value: "share", label: "A share of the calls" },
];

/** The campaigns, each with its recording policy (a campaign without one records none). */
async function campaignsWithPolicies() {
  const [campaigns, policies] = await Promise.all([get("/api/admin/campaigns"), get("/api/admin/recording-policies").catch(() => [])]);
  const by = new Map(policies.map((p) => [p.campaign_id, p]));
  return campaigns.map((c) => {
    const p = by.get(c.id) || { mode: "none", share_percent: null };
    const recording = p.mode === "share" ? `${p.share_percent}%` : p.mode === "all" ? "all" : "none";
    return { ...c, recording, recording_mode: p.mode, recording_share: p.mode === "share" ? p.share_percent : null };
  });
}

const SECTIONS = [
  {
    key: "clients",
    title: "Client companies",
    load: () => get("/api/admin/clients"),
    columns: [["id", "Id"], ["name", "Name"]],
    fields: [ident("id", "Id"), text("name", "Name")],
    save: (v) => put(`/api/admin/clients/${seg(v.id)}`, { name: v.name }),
  },
  {
    key: "campaigns",
    title: "Campaigns",
    load: campaignsWithPolicies,
    columns: [["id", "Id"], ["name", "Name"], ["client_id", "Client"], ["recording", "Recorded"]],
    fields: [
      ident("id", "Id"),
      text("name", "Name"),
      choose("client_id", "Client company", clientOptions),
      check("callback_on_drop", "Call back customers whose call dropped"),
      number("callback_priority", "Callback priority", { value: 10 }),
      number("prefer_same_agent_s", "Seconds a callback waits for the same agent", { value: 120 }),
      choose("recording_mode", "Recording of calls", RECORDING_MODES, {
        hint: "Recorded callers hear \"this call may be recorded\" first; a share is drawn per contact.",
      }),
      number("recording_share", "Share recorded (percent)", { optional: true, hint: "For a share only: 0 to 100." }),
    ],
    defaults: { callback_on_drop: true, callback_priority: 10, prefer_same_agent_s: 120, recording_mode: "none" },
    save: async (v) => {
      await put(`/api/admin/campaigns/${seg(v.id)}`, {
        client_id: v.client_id,
        name: v.name,
        callback_on_drop: v.callback_on_drop,
        callback_priority: v.callback_priority,
        prefer_same_agent_s: v.prefer_same_agent_s,
      });
      // The campaign exists now: its policy is the next request (the API checks both).
      const policy = { mode: v.recording_mode };
      if (v.recording_mode === "share") policy.share_percent = v.recording_share;
      await put(`/api/admin/campaigns/${seg(v.id)}/recording-policy`, policy);
    },
  },
  {
    key: "queues",
    title: "Queues",
    load: () => get("/api/admin/queues"),
    columns: [["id", "Id"], ["name", "Name"], ["campaign_id", "Campaign"], ["requirement", "Skills needed"], ["service_target_s", "Target (s)"]],
    fields: [
      ident("id", "Id"),
      text("name", "Name"),
      choose("campaign_id", "Campaign", campaignOptions),
      text("requirement", "Skill requirement", { hint: "e.g. returns>=2 & french>=1 — * for anyone" }),
      choose("strategy", "Agent selection", ["longest-idle", "highest-skill", "fewest-contacts", "round-robin", "random"].map((v) => ({ value: v, label: humanize(v) }))),
      number("service_target_s", "Service-level target (s)"),
      number("offer_timeout_s", "Ring time before the next agent (s)"),
      choose("wrap_up_mode", "Wrap-up", [{ value: "timed", label: "Timed (ready when the time is up)" }, { value: "manual", label: "Manual (the time is a maximum)" }]),
      number("wrap_up_s", "Wrap-up seconds"),
      number("expected_handle_s", "Expected handle time (s)"),
      number("max_length", "Longest queue (empty: no limit)", { optional: true }),
      number("max_wait_s", "Longest wait before a callback (s, empty: none)", { optional: true }),
    ],
    defaults: { requirement: "*", strategy: "longest-idle", service_target_s: 20, offer_timeout_s: 20, wrap_up_mode: "timed", wrap_up_s: 30, expected_handle_s: 180 },
    save: (v, original) => {
      // Escalation steps and overflows are kept as they are; this form does not edit them.
      const keep = original || {};
      return put(`/api/admin/queues/${seg(v.id)}`, {
        campaign_id: v.campaign_id,
        name: v.name,
        requirement: v.requirement || "*",
        strategy: v.strategy,
        rank_skill: keep.rank_skill ?? null,
        steps: keep.steps || [],
        offer_timeout_s: v.offer_timeout_s,
        wrap_up_mode: v.wrap_up_mode,
        wrap_up_s: v.wrap_up_s,
        max_length: v.max_length,
        on_full: keep.on_full || { kind: "voicemail" },
        max_wait_s: v.max_wait_s,
        on_max_wait: keep.on_max_wait || { kind: "callback" },
        service_target_s: v.service_target_s,
        expected_handle_s: v.expected_handle_s,
      });
    },
  },
  {
    key: "skills",
    title: "Skills",
    load: () => get("/api/admin/skills"),
    columns: [["id", "Id"], ["name", "Name"]],
    fields: [ident("id", "Id"), text("name", "Name")],
    save: (v) => put(`/api/admin/skills/${seg(v.id)}`, { name: v.name }),
  },
  {
    key: "agents",
    title: "Agents",
    load: () => get("/api/admin/agents"),
    columns: [["id", "Id"], ["name", "Name"], ["skills", "Skills", (s) => Object.entries(s || {}).map(([k, v]) => `${k} ${v}`).join(", ")], ["campaigns", "Campaigns", (c) => (c || []).join(", ")]],
    fields: [
      ident("id", "Id"),
      text("name", "Name"),
      {
        name: "skills",
        label: "Skills and levels",
        kind: "custom",
        render: (value) =>
          rowsEditor({
            rows: Object.entries(value || {}).map(([skill, level]) => ({ skill, level })),
            columns: [
              { name: "skill", label: "Skill", list: () => cache.skills.map((s) => s.id) },
              { name: "level", label: "Level", type: "number", narrow: true, value: 1 },
            ],
            add: "Add a skill",
          }),
        read: (el) => Object.fromEntries(el.readRows().filter((r) => r.skill).map((r) => [r.skill, Number(r.level) || 0])),
      },
      {
        name: "campaigns",
        label: "Certified for campaigns",
        kind: "custom",
        render: (value) =>
          h(
            "div",
            { class: "rows-editor" },
            cache.campaigns.length
              ? cache.campaigns.map((c) =>
                  h("label", { class: "check" }, h("input", { type: "checkbox", value: c.id, checked: (value || []).includes(c.id) }), `${c.name || c.id} `, h("span", { class: "muted small" }, c.client_id)),
                )
              : h("span", { class: "muted" }, "Create a campaign first."),
          ),
        read: (el) => [...el.querySelectorAll("input:checked")].map((i) => i.value),
      },
    ],
    save: (v) => put(`/api/admin/agents/${seg(v.id)}`, { name: v.name, skills: v.skills, campaigns: v.campaigns }),
    // An agent who left: signed out, no account signing in as them; their history stays.
    remove: (item) => del(`/api/admin/agents/${seg(item.id)}`),
    removeLabel: "Retire",
    removeQuestion: (item) => `Retire agent ${item.name || item.id}? They take no more contacts; their history stays, and saving them again brings them back.`,
    removedText: "Retired.",
    search: (item) => [item.id, item.name, ...Object.keys(item.skills || {}), ...(item.campaigns || [])].join(" "),
    searchLabel: "Search agents by id, name, skill or campaign",
    extra: () => h("button", { type: "button", class: "small", id: "import-button", onclick: () => showImport() }, "Import CSV…"),
  },
  {
    key: "users",
    title: "Users",
    load: () => get("/api/admin/users"),
    columns: [["username", "Username"], ["display_name", "Name"], ["role", "Role", humanize], ["client_id", "Client"], ["agent_id", "Agent"]],
    idField: "username",
    fields: [
      ident("username", "Username"),
      text("display_name", "Display name"),
      choose("role", "Role", ["agent", "supervisor", "client_viewer", "admin"].map((v) => ({ value: v, label: humanize(v) }))),
      choose("client_id", "Client company (client viewers; a supervisor of one client)", () => [{ value: "", label: "—" }, ...clientOptions()]),
      choose("agent_id", "Agent (agent users)", () => [{ value: "", label: "—" }, ...cache.agents.map((a) => ({ value: a.id, label: a.name || a.id }))]),
      text("password", "Password", { type: "password", hint: "At least 10 characters; leave empty to keep it", autocomplete: "new-password" }),
    ],
    defaults: { role: "agent" },
    save: (v, original) => {
      const body = {
        display_name: v.display_name,
        role: v.role,
        client_id: v.client_id || null,
        agent_id: v.agent_id || null,
      };
      if (!original) return post("/api/admin/users", { username: v.username, password: v.password, ...body });
      if (v.password) body.password = v.password;
      return patch(`/api/admin/users/${original.id}`, body);
    },
    remove: (item) => del(`/api/admin/users/${item.id}`),
  },
  {
    key: "reasons",
    title: "Reason codes",
    single: true,
    load: async () => [{ id: "reasons", reasons: (await get("/api/reasons")).filter((r) => !r.system) }],
    fields: [
      {
        name: "reasons",
        label: "Not-ready reasons agents may pick (the center's own, such as connection lost, are built in)",
        kind: "custom",
        render: (value) =>
          rowsEditor({
            rows: value || [],
            columns: [
              { name: "id", label: "Id" },
              { name: "label", label: "Label" },
            ],
            add: "Add a reason",
          }),
        read: (el) => el.readRows().filter((r) => r.id),
      },
    ],
    save: (v) => put("/api/admin/reasons", { reasons: v.reasons.map((r) => ({ id: r.id, label: r.label || humanize(r.id) })) }),
  },
  {
    key: "forms",
    title: "Outcomes and forms",
    load: async () => Promise.all(cache.campaigns.map(async (c) => ({ ...(await get(`/api/admin/campaigns/${seg(c.id)}/forms`)), id: c.id }))),
    columns: [["id", "Campaign"], ["name", "Form"], ["dispositions", "Outcomes", (d) => String((d || []).length)], ["fields", "Fields", (f) => String((f || []).length)]],
    noNew: "Outcomes and forms belong to a campaign: create the campaign first, then pick it here.",
    fields: [
      { name: "id", label: "Campaign", kind: "readonly" },
      text("name", "Form name"),
      {
        name: "dispositions",
        label: "Outcomes (dispositions)",
        kind: "custom",
        render: (value) =>
          rowsEditor({
            rows: value || [],
            columns: [
              { name: "id", label: "Id" },
              { name: "label", label: "Label" },
              { name: "counts_as_save", label: "Save", type: "checkbox" },
              { name: "counts_as_sale", label: "Sale", type: "checkbox" },
            ],
            add: "Add an outcome",
          }),
        read: (el) => el.readRows().filter((r) => r.id),
      },
      {
        name: "fields",
        label: "Form fields",
        kind: "custom",
        render: (value) =>
          rowsEditor({
            rows: (value || []).map((f) => ({ ...f, choices: (f.choices || []).join(", ") })),
            columns: [
              { name: "name", label: "Name" },
              { name: "label", label: "Label" },
              { name: "kind", label: "Kind", options: ["text", "number", "boolean", "date", "choice"] },
              { name: "choices", label: "Choices (a, b)" },
              { name: "required", label: "Req.", type: "checkbox" },
            ],
            add: "Add a field",
          }),
        read: (el) =>
          el.readRows().filter((r) => r.name).map((r) => ({
            ...r,
            choices: r.kind === "choice" ? r.choices.split(",").map((c) => c.trim()).filter(Boolean) : [],
          })),
      },
    ],
    save: (v) => put(`/api/admin/campaigns/${seg(v.id)}/forms`, { name: v.name, dispositions: v.dispositions, fields: v.fields }),
  },
  {
    key: "scripts",
    title: "Scripts",
    load: async () => Promise.all(cache.campaigns.map(async (c) => ({ id: c.id, script: (await get(`/api/campaigns/${seg(c.id)}/forms`)).script || "" }))),
    columns: [["id", "Campaign"], ["script", "Script", (s) => (s ? `${s.slice(0, 60)}${s.length > 60 ? "…" : ""}` : "—")]],
    noNew: "Scripts belong to a campaign: pick the campaign in the list.",
    fields: [
      { name: "id", label: "Campaign", kind: "readonly" },
      text("script", "What the agent sees beside the form", { kind: "textarea", rows: 14 }),
    ],
    save: (v) => put(`/api/admin/campaigns/${seg(v.id)}/script`, { body: v.script }),
    saveMissing: "This server cannot store scripts yet; the script is shown as agents see it.",
    // Whether the server has the endpoint at all: an unknown path answers OPTIONS with
    // 404, a known one with 405 (no OPTIONS handler).
    available: () => request("OPTIONS", "/api/admin/campaigns/probe/script").then(() => true, (err) => err.status !== 404),
  },
  {
    // A campaign's call guide: steps with the caller's answers, each leading to a step.
    // The server checks the whole guide and names the step at fault.
    key: "guides",
    title: "Call guides",
    load: async () =>
      Promise.all(
        cache.campaigns.map(async (c) => {
          const g = await get(`/api/admin/campaigns/${seg(c.id)}/guide`).catch(() => null);
          return { id: c.id, version: g ? g.version : 0, steps: g ? g.steps : [] };
        }),
      ),
    columns: [["id", "Campaign"], ["version", "Version", (v) => (v ? String(v) : "plain script")], ["steps", "Steps", (s) => String((s || []).length)]],
    noNew: "Call guides belong to a campaign: pick the campaign in the list.",
    fields: [
      { name: "id", label: "Campaign", kind: "readonly" },
      {
        name: "steps",
        label: "Steps (the first is where every call starts; a step with no answers is an end)",
        kind: "custom",
        render: (value) =>
          rowsEditor({
            rows: (value || []).map((st) => ({ id: st.id, text: st.text, answers: st.answers.map((a) => `${a.label} -> ${a.next}`).join(" | ") })),
            columns: [
              { name: "id", label: "Step" },
              { name: "text", label: "What to say or do (Markdown)" },
              { name: "answers", label: "Answers: label -> step | …" },
            ],
            add: "Add a step",
          }),
        read: (el) =>
          el.readRows().filter((r) => r.id).map((r) => ({
            id: r.id.trim(),
            text: r.text,
            answers: r.answers
              .split("|")
              .map((a) => a.split("->").map((x) => x.trim()))
              .filter(([label]) => label)
              .map(([label, next]) => ({ label, next: next || "" })),
          })),
      },
    ],
    save: (v) => put(`/api/admin/campaigns/${seg(v.id)}/guide`, { steps: v.steps }),
  },
  {
    key: "numbers",
    title: "Phone numbers",
    idField: "number",
    load: () => get("/api/admin/numbers"),
    columns: [["number", "Number"], ["queue_id", "Goes to", (q) => (q ? queueLabel(q) : "The menu")], ["label", "Label"]],
    fields: [
      ident("number", "Number", "As dialled, e.g. +15550100; cannot change later"),
      choose("queue_id", "Callers go to", () => [{ value: "", label: "The menu (callers choose)" }, ...cache.queues.map((q) => ({ value: q.id, label: queueLabel(q.id) }))]),
      text("label", "Label", { hint: "e.g. Acme returns, main line" }),
    ],
    save: (v) => put(`/api/admin/numbers/${encodeURIComponent(v.number)}`, { queue_id: v.queue_id || null, label: v.label }),
    remove: (item) => del(`/api/admin/numbers/${encodeURIComponent(item.number)}`),
  },
  {
    key: "menus",
    title: "Menus",
    idField: "number",
    load: async () => (await get("/api/admin/menus")).map((m) => ({ ...m, flow: m })),
    columns: [["number", "Number"], ["client_id", "Client"], ["start", "Starts at"], ["nodes", "Nodes", (n) => String(n.length)]],
    fields: [
      ident("number", "Number", "As dialled, e.g. +15550100; cannot change later"),
      choose("client_id", "Client company", clientOptions),
      { name: "flow", label: "The menu (JSON: start, operator, closed, hours, nodes)", kind: "custom", render: menuEditor, read: (el) => el.querySelector("textarea").value },
    ],
    defaults: {
      flow: {
        start: "main",
        operator: null,
        nodes: [
          { id: "main", kind: "menu", prompt: "greeting", options: { 1: "first" } },
          { id: "first", kind: "queue", queue: "" },
        ],
      },
    },
    save: (v) => {
      let flow;
      try {
        flow = JSON.parse(v.flow);
      } catch (err) {
        throw new Error(`The menu is not valid JSON: ${err.message}`);
      }
      return put(`/api/admin/menus/${encodeURIComponent(v.number)}`, { ...flow, client_id: v.client_id });
    },
    remove: (item) => del(`/api/admin/menus/${encodeURIComponent(item.number)}`),
  },
  promptsSection(cache, clientOptions),
  hoursSection(cache),
  {
    key: "settings",
    title: "Center settings",
    single: true,
    load: async () => [{ id: "settings", ...(await get("/api/admin/settings")) }],
    fields: [
      number("connection_grace_s", "Seconds a call is held for an agent whose connection dropped", { hint: "Past it the call is dropped and a callback made per the campaign." }),
      number("direct_transfer_wait_s", "Seconds a transfer to a named agent waits for them", { hint: "Then the queue takes the contact." }),
      check("show_listen_in", "Agents see when a supervisor listens in (whisper and barge always show)"),
    ],
    save: (v) => put("/api/admin/settings", { connection_grace_s: v.connection_grace_s, direct_transfer_wait_s: v.direct_transfer_wait_s, show_listen_in: Boolean(v.show_listen_in) }),
  },
  {
    key: "audit",
    title: "Audit log",
    load: () => loadAudit(),
    columns: [["at", "When", dateTime], ["username", "Who"], ["action", "Action"], ["target", "Target"]],
    noNew: "Every change made here or through the API, newest first. Pick an entry to see the value before and after.",
    extra: () => auditFilters(),
    after: () => auditPager(),
    fields: [
      { name: "at", label: "When", kind: "readonly", show: dateTime },
      { name: "username", label: "Who", kind: "readonly" },
      { name: "action", label: "Action", kind: "readonly" },
      { name: "target", label: "Target", kind: "readonly" },
      { name: "before", label: "Before", kind: "json" },
      { name: "after", label: "After", kind: "json" },
    ],
    viewOnly: true,
  },
  {
    key: "tokens",
    title: "API tokens",
    load: () => get("/api/admin/tokens"),
    columns: [["name", "Name"], ["username", "User"], ["scope", "Scope"], ["created_at", "Created", dateTime]],
    fields: [
      text("name", "Name", { hint: "e.g. phone system adapter" }),
      choose("username", "Acts as user", () => cache.users.map((u) => ({ value: u.username, label: `${u.username} (${humanize(u.role)})` }))),
      choose("scope", "Scope", [{ value: "channel", label: "Channel ingress only (telephony adapters)" }, { value: "user", label: "Everything the user may do" }]),
    ],
    defaults: { scope: "channel" },
    viewOnly: true,
    save: async (v) => {
      const created = await post("/api/admin/tokens", { username: v.username, name: v.name, scope: v.scope });
      prompt("The token (shown only now — copy it into the adapter's settings):", created.token);
      return created;
    },
    remove: (item) => del(`/api/admin/tokens/${seg(item.id)}`),
  },
];

const state = { section: null, items: [], selected: null, search: "" };

function queueLabel(id) {
  const q = cache.queues.find((x) => x.id === id);
  return q && q.name ? `${q.name} (${id})` : id;
}

// The audit log: filters and pages ----------------------------------------------------------------

const AUDIT_PAGE = 50;
const audit = { action: "", target: "", username: "", pages: [] }; // pages: the before_id of each page

function loadAudit() {
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE) });
  for (const key of ["action", "target", "username"]) if (audit[key]) params.set(key, audit[key]);
  const before = audit.pages[audit.pages.length - 1];
  if (before) params.set("before_id", String(before));
  return get(`/api/admin/audit?${params}`);
}

function auditFilters() {
  const input = (key, label, placeholder) =>
    h("label", { class: "filter" }, h("span", { class: "small muted" }, label), h("input", { id: `audit-${key}`, value: audit[key], placeholder, autocomplete: "off" }));
  const form = h(
    "form",
    { class: "filters", id: "audit-filters" },
    input("action", "Action", "agent.put or agent."),
    input("target", "Target", "e.g. a001"),
    input("username", "Who", "username"),
    h("button", { type: "submit", class: "small" }, "Filter"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    for (const key of ["action", "target", "username"]) audit[key] = $(`#audit-${key}`).value.trim();
    audit.pages = [];
    open("audit");
  });
  return form;
}

function auditPager() {
  const newer = h("button", { type: "button", class: "small", id: "audit-newer", disabled: !audit.pages.length }, "Newer");
  const older = h("button", { type: "button", class: "small", id: "audit-older", disabled: state.items.length < AUDIT_PAGE }, "Older");
  newer.addEventListener("click", () => {
    audit.pages.pop();
    open("audit");
  });
  older.addEventListener("click", () => {
    audit.pages.push(state.items[state.items.length - 1].id);
    open("audit");
  });
  return h("div", { class: "pager" }, newer, h("span", { class: "small muted" }, `Page ${audit.pages.length + 1}`), older);
}

// Agents from a CSV file: check it (a dry run lists every bad row), then import ------------------------

function showImport() {
  state.selected = null;
  setText($("#editor-title"), "Import agents from CSV");
  const file = h("input", { type: "file", id: "import-file", accept: ".csv,text/csv" });
  const report = h("div", { id: "import-report" });
  const check = h("button", { type: "button", id: "import-check" }, "Check the file");
  const run = h("button", { type: "button", class: "primary", id: "import-run", disabled: true }, "Import");
  let text = null;
  const send = async (dryRun) => {
    const r = await fetch(`/api/admin/agents/import?dry_run=${dryRun}`, {
      method: "POST",
      body: text,
      headers: { "Content-Type": "text/csv", "X-CSRF-Token": sessionStorage.getItem("hl.csrf") || "" },
      credentials: "same-origin",
    });
    return { status: r.status, body: await r.json().catch(() => ({ message: `HTTP ${r.status}` })) };
  };
  const show = (body, applied) => {
    const problems = body.problems || [];
    fill(
      report,
      applied
        ? h("p", { class: "ok" }, `Imported: ${body.created.length} new, ${body.updated.length} changed.`)
        : problems.length
          ? h("p", { class: "error" }, `${new Set(problems.map((p) => p.line)).size} bad rows: fix them and check again. Nothing was changed.`)
          : h("p", {}, `Ready to import: ${body.created.length} new (${body.created.join(", ") || "none"}), ${body.updated.length} changed (${body.updated.join(", ") || "none"}).`),
      problems.length
        ? h(
            "table",
            { class: "import-problems" },
            h("thead", {}, h("tr", {}, h("th", {}, "Line"), h("th", {}, "Agent"), h("th", {}, "Problem"))),
            h("tbody", {}, problems.map((p) => h("tr", {}, h("td", { class: "num" }, String(p.line)), h("td", {}, p.agent_id || ""), h("td", {}, p.reason)))),
          )
        : null,
    );
  };
  check.addEventListener("click", async () => {
    run.disabled = true;
    const chosen = file.files[0];
    if (!chosen) {
      fill(report, h("p", { class: "error" }, "Choose a CSV file first."));
      return;
    }
    text = await chosen.arrayBuffer();
    const { status, body } = await send(true);
    if (status !== 200) {
      fill(report, h("p", { class: "error" }, body.message || `HTTP ${status}`));
      return;
    }
    show(body, false);
    run.disabled = Boolean(body.problems.length);
  });
  run.addEventListener("click", async () => {
    run.disabled = true;
    const { status, body } = await send(false);
    if (status !== 200) {
      if (body.problems) show(body, false);
      else fill(report, h("p", { class: "error" }, body.message || `HTTP ${status}`));
      return;
    }
    show(body, true);
    toast("Agents imported.", { kind: "ok" });
    await refreshCache();
    state.items = await get("/api/admin/agents");
    renderList();
  });
  file.addEventListener("change", () => {
    run.disabled = true;
    fill(report);
  });
  const form = $("#editor");
  form.onsubmit = (ev) => ev.preventDefault();
  fill(
    form,
    h("p", { class: "muted small" }, "Columns id,name,skills,campaigns — skills as returns:3;claims:2, campaigns as acme-returns;acme-sales. Checking changes nothing; the import saves every row or none."),
    h("div", { class: "field" }, h("label", { for: "import-file" }, "CSV file"), file),
    h("div", { class: "actions" }, check, run),
    report,
  );
}

async function start() {
  const user = await requireUser(["admin"]);
  setText($("#who"), `${user.display_name || user.username} · Administrator`);
  $("#signout").addEventListener("click", () => signOutSession());
  fill(
    $("#sections"),
    h("h3", {}, "Set up"),
    SECTIONS.map((s) => h("button", { type: "button", dataset: { section: s.key }, onclick: () => open(s.key) }, s.title)),
  );
  $("#new-button").addEventListener("click", () => edit(null));
  await refreshCache();
  open(location.hash.slice(1) || "clients");
}

async function refreshCache() {
  const [clients, campaigns, skills, agents, users, queues] = await Promise.all(
    ["clients", "campaigns", "skills", "agents", "users", "queues"].map((k) => get(`/api/admin/${k}`).catch(() => [])),
  );
  Object.assign(cache, { clients, campaigns, skills, agents, users, queues });
  await loadVoiceCache(cache);
}

let opening = 0;

async function open(key) {
  const section = SECTIONS.find((s) => s.key === key) || SECTIONS[0];
  const mine = ++opening; // a later click wins over a slower earlier load
  const editsBefore = edits; // New or a row clicked while this loads keeps its form
  if (state.section !== section) state.search = "";
  state.section = section;
  history.replaceState(null, "", `#${section.key}`);
  for (const b of document.querySelectorAll("#sections button")) {
    if (b.dataset.section === section.key) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  }
  setText($("#list-title"), section.title);
  $("#new-button").classList.toggle("hidden", Boolean(section.single || section.noNew));
  fill($("#list"), h("div", { class: "empty" }, "Loading…"));
  if (section.available && section.availableResult === undefined) section.availableResult = await section.available();
  let items = [];
  let failure = null;
  try {
    items = await section.load();
  } catch (err) {
    failure = err;
  }
  if (mine !== opening) return false;
  state.items = items;
  if (failure) {
    fill($("#list"), h("div", { class: "notice" }, `Cannot load ${section.title.toLowerCase()}: ${failure.message}`));
  }
  else renderList();
  if (edits !== editsBefore && !section.single) return true;
  if (section.single) edit(state.items[0]);
  else edit(null);
  return true;
}

function renderList() {
  const section = state.section;
  if (section.single) {
    fill($("#list"), h("p", { class: "muted" }, "One list for the whole firm: edit it on the right."));
    return;
  }
  const idField = section.idField || "id";
  const words = section.search ? state.search.toLowerCase().split(/\s+/).filter(Boolean) : [];
  const shown = words.length ? state.items.filter((item) => words.every((w) => section.search(item).toLowerCase().includes(w))) : state.items;
  let search = null;
  if (section.search) {
    search = h("input", { type: "search", id: "list-search", "aria-label": section.searchLabel, placeholder: section.searchLabel, value: state.search, autocomplete: "off" });
    search.addEventListener("input", () => {
      state.search = search.value;
      renderList();
      const again = $("#list-search");
      again.focus();
      again.setSelectionRange(again.value.length, again.value.length);
    });
  }
  fill(
    $("#list"),
    section.noNew ? h("p", { class: "muted small" }, section.noNew) : null,
    section.search || section.extra ? h("div", { class: "list-tools" }, search, section.extra ? section.extra() : null) : null,
    words.length && !shown.length ? h("div", { class: "empty" }, "Nobody matches that search.") : null,
    shown.length
      ? h(
          "table",
          {},
          h("thead", {}, h("tr", {}, section.columns.map(([, label]) => h("th", {}, label)))),
          h(
            "tbody",
            {},
            shown.map((item) =>
              h(
                "tr",
                {
                  tabindex: 0,
                  dataset: { id: String(item[idField]) },
                  class: state.selected && state.selected[idField] === item[idField] ? "selected" : null,
                  onclick: () => edit(item),
                  onkeydown: (ev) => {
                    if (ev.key === "Enter" || ev.key === " ") {
                      ev.preventDefault();
                      edit(item);
                    }
                  },
                },
                section.columns.map(([name, , show]) => h("td", {}, show ? show(item[name]) : item[name] ?? "")),
              ),
            ),
          ),
        )
      : words.length
        ? null
        : h("div", { class: "empty" }, section.noNew ? "Nothing here yet." : "None yet: create the first with New."),
    section.after ? section.after() : null,
  );
}

let edits = 0;

function edit(item) {
  edits += 1;
  const section = state.section;
  state.selected = item;
  for (const tr of document.querySelectorAll("#list tbody tr")) {
    tr.classList.toggle("selected", Boolean(item) && tr.dataset.id === String(item[section.idField || "id"]));
  }
  const isNew = !item;
  setText($("#editor-title"), isNew ? `New ${singular(section)}` : section.single ? section.title : `${singular(section)}: ${item[section.idField || "id"]}`);
  const form = $("#editor");
  if (isNew && (section.noNew || section.single)) {
    fill(form, h("p", { class: "muted" }, section.noNew || ""));
    return;
  }
  const values = { ...(section.defaults || {}), ...(item || {}) };
  const missing = section.available && section.availableResult === false;
  const controls = section.fields.map((f) => fieldControl(f, values[f.name], { isNew, readOnly: (section.viewOnly && !isNew) || missing }));
  const saveLabel = isNew ? "Create" : "Save";
  const actions = h("div", { class: "actions" });
  if (!(section.viewOnly && !isNew) && !missing) actions.append(h("button", { type: "submit", class: "primary" }, saveLabel));
  if (!isNew && section.remove) {
    actions.append(
      h("button", {
        type: "button",
        class: "danger",
        onclick: async () => {
          const question = section.removeQuestion ? section.removeQuestion(item) : `Delete ${singular(section)} ${item[section.idField || "id"]}?`;
          if (!confirm(question)) return;
          try {
            await section.remove(item);
            toast(section.removedText || "Deleted.", { kind: "ok" });
            await refreshCache();
            open(section.key);
          } catch (err) {
            // A refusal says why (a prompt a menu plays): beside the form and as a notice.
            error.textContent = err.message;
            toast(err.message, { kind: "error" });
          }
        },
      }, section.removeLabel || "Delete"),
    );
  }
  const error = h("div", { class: "error small", role: "alert", id: "editor-error" });
  fill(form, missing ? h("div", { class: "notice" }, section.saveMissing) : null, controls.map((c) => c.el), error, actions);
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const v = {};
    for (const c of controls) v[c.field.name] = c.read();
    if (isNew && section.fields[0].kind === "ident" && !v[section.fields[0].name]) {
      error.textContent = `${section.fields[0].label} is required.`;
      return;
    }
    try {
      const saved = await section.save(v, item);
      await refreshCache();
      const keep = v[section.idField || "id"];
      if (state.section === section && (await open(section.key))) {
        const again = state.items.find((x) => String(x[section.idField || "id"]) === String(keep));
        if (again && !section.single) edit(again);
      }
      toast(`${singular(section)} saved.`, { kind: "ok" });
      // A change the server took but warns about (a queue no agent can serve yet).
      for (const warning of (saved && saved.warnings) || []) toast(warning, { kind: "warn", timeout: 15000 });
    } catch (err) {
      error.textContent = err.status === 404 || err.status === 405 ? section.saveMissing || err.message : err.message;
    }
  };
}

function singular(section) {
  const t = { clients: "Client company", campaigns: "Campaign", queues: "Queue", skills: "Skill", agents: "Agent", users: "User", reasons: "Reason codes", forms: "Outcomes and form", scripts: "Script", guides: "Call guide", tokens: "API token", numbers: "Number", menus: "Menu", prompts: "Prompt", hours: "Opening hours", settings: "Center settings", audit: "Audit entry" };
  return t[section.key] || section.title;
}

let fieldCounter = 0;
function fieldControl(f, value, { isNew, readOnly }) {
  fieldCounter += 1;
  const id = `f${fieldCounter}-${f.name}`;
  const label = h("label", { for: id }, f.label);
  let input;
  let read;
  if (f.kind === "custom") {
    input = f.render(value);
    if (readOnly) for (const el of input.querySelectorAll("input, select, button")) el.disabled = true;
    return { field: f, el: h("div", { class: "field" }, h("label", {}, f.label), input), read: () => f.read(input) };
  }
  if (f.kind === "json") {
    // A value as stored by the audit log (JSON text): shown indented, never edited.
    let shown = value ?? "";
    try {
      shown = value ? JSON.stringify(JSON.parse(value), null, 2) : "(none)";
    } catch {
      shown = value;
    }
    input = h("pre", { id, class: "json" }, shown);
    return { field: f, el: h("div", { class: "field" }, h("label", { for: id }, f.label), input), read: () => value };
  }
  if (f.kind === "readonly") {
    input = h("input", { id, value: f.show ? f.show(value) : value ?? "", readonly: true });
    read = () => input.value;
  } else if (f.kind === "check") {
    input = h("input", { id, type: "checkbox", checked: Boolean(value) });
    const el = h("div", { class: "field" }, h("label", { class: "check", for: id }, input, f.label));
    if (readOnly) input.disabled = true;
    return { field: f, el, read: () => input.checked };
  } else if (f.kind === "select") {
    const options = typeof f.options === "function" ? f.options() : f.options;
    input = h("select", { id }, options.map((o) => h("option", { value: o.value, selected: String(value ?? "") === String(o.value) }, o.label)));
    read = () => input.value;
  } else if (f.kind === "textarea") {
    input = h("textarea", { id, rows: f.rows || 6 });
    input.value = value ?? "";
    read = () => input.value;
  } else if (f.kind === "number") {
    input = h("input", { id, type: "number", step: "any", value: value ?? "" });
    read = () => (input.value === "" ? (f.optional ? null : 0) : Number(input.value));
  } else {
    input = h("input", { id, type: f.type || "text", value: f.type === "password" ? "" : value ?? "", autocomplete: f.autocomplete || "off" });
    read = () => input.value.trim();
  }
  if (f.kind === "ident" && !isNew) input.readOnly = true;
  if (f.fixed && !isNew) input.disabled = true;
  if (readOnly) input.disabled = true;
  const hint = f.hint ? h("span", { class: "hint" }, f.hint) : null;
  return { field: f, el: h("div", { class: "field" }, label, input, hint), read };
}

// The menu as JSON beside its tree: each node under the one that leads to it, the key
// pressed or the way it is reached (fallback, next) in front; a node met again is named,
// not repeated. The server checks the flow and names the node at fault.
function menuEditor(value) {
  const stored = value && value.nodes ? value : null;
  const flow = stored || {};
  const shown = { start: flow.start, operator: flow.operator ?? null, closed: flow.closed ?? null, hours: flow.hours ?? null, nodes: flow.nodes || [] };
  const area = h("textarea", { rows: 16, spellcheck: "false", "aria-label": "Menu JSON" });
  area.value = JSON.stringify(shown, null, 2);
  const tree = h("div", { class: "menu-tree", id: "menu-tree", "aria-label": "Menu tree" });
  const draw = () => {
    let parsed;
    try {
      parsed = JSON.parse(area.value);
    } catch {
      fill(tree, h("p", { class: "muted small" }, "(not valid JSON yet)"));
      return;
    }
    const byId = new Map((parsed.nodes || []).map((n) => [n.id, n]));
    const seen = new Set();
    // The client chosen beside the flow decides whose uploads its prompt names mean.
    const client = (clientSelect() || {}).value || flow.client_id || "";
    const prompts = (node) =>
      [node.prompt, node.invalid_prompt].filter(Boolean).map((name) => [" ", promptLink(cache, client, name)]);
    const branch = (id, how) => {
      const node = byId.get(id);
      const label = node ? `${id} (${node.kind}${node.queue ? ` → ${node.queue}` : ""})` : `${id} (missing)`;
      if (!node || seen.has(id)) return h("li", { dataset: { node: id } }, `${how}: ${label}${node ? " ↺" : ""}`);
      seen.add(id);
      const missing = prompts(node).some(([, el]) => el.classList.contains("prompt-missing"));
      const kids = [
        ...Object.entries(node.options || {}).map(([k, t]) => branch(t, `press ${k}`)),
        ...(node.next ? [branch(node.next, "found")] : []),
        ...(node.fallback ? [branch(node.fallback, "no answer")] : []),
      ];
      return h("li", { dataset: { node: id }, class: missing ? "missing-prompt" : null }, `${how}: ${label}`, prompts(node), kids.length ? h("ul", {}, kids) : null);
    };
    const roots = [branch(parsed.start, "start")];
    if (parsed.closed) roots.push(branch(parsed.closed, "closed"));
    const lost = (parsed.nodes || []).filter((n) => !seen.has(n.id)).map((n) => h("li", { class: "error" }, `unreachable: ${n.id}`));
    fill(tree, h("ul", {}, roots, lost), parsed.operator ? h("p", { class: "muted small" }, `0 from any menu: ${parsed.operator}`) : null);
  };
  const clientSelect = () => (area.closest("form") || document).querySelector('select[id$="-client_id"]');
  area.addEventListener("input", draw);
  // The form is put together after this editor: its client's prompts are known then.
  queueMicrotask(() => {
    const select = clientSelect();
    if (select) select.addEventListener("change", draw);
    draw();
  });
  draw();
  return h("div", { class: "menu-editor" }, area, tree);
}

start();
