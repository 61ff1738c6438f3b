// Administration of what callers hear: the clients' prompts (played, uploaded as WAV or
// spoken from a text, replaced, deleted), each campaign's opening hours as a week form
// with holidays, and the pieces the menu editor's tree shares with them (a prompt's play
// link, a node said in words). The server checks everything; its messages are shown as
// they are.

import { del, get, post, put, seg } from "./api.js";
import { h } from "./dom.js";
import { dateTime } from "./format.js";
import { rowsEditor } from "./admin_rows.js";

const DAYS = [["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"], ["thu", "Thursday"], ["fri", "Friday"], ["sat", "Saturday"], ["sun", "Sunday"]];

// Prompts: playing ---------------------------------------------------------------------------

/** Where a prompt named in a client's menu is played from: their upload, else the built-in
 * one of that name; null when neither exists (the server refuses such a flow). */
export function promptUrl(cache, client, name) {
  const own = cache.prompts.find((p) => p.client_id === client && p.name === name);
  // The stored time in the address: a replaced prompt is never played from a cache.
  if (own) return `/api/admin/prompts/${seg(client)}/${seg(name)}/wav?v=${own.updated_at}`;
  if (cache.defaults.some((d) => d.name === name)) return `/api/admin/default-prompts/${seg(name)}/wav`;
  return null;
}

let player = null;

/** Plays a prompt in the page (one at a time); a second click on the same one stops it. */
export function play(url) {
  if (!player) {
    player = h("audio", { id: "prompt-player", preload: "none", class: "hidden" });
    document.body.append(player);
  }
  if (player.dataset.url === url && !player.paused) {
    player.pause();
    return;
  }
  player.dataset.url = url;
  player.src = url;
  player.play().catch(() => {}); // a refused play (no sound device) needs no message
}

/** A prompt's name as a link that plays it, or a mark that it does not exist. */
export function promptLink(cache, client, name) {
  const url = promptUrl(cache, client, name);
  if (!url) return h("span", { class: "error prompt-missing", dataset: { prompt: name } }, `no prompt “${name}”`);
  return h(
    "button",
    {
      type: "button",
      class: "link prompt-link",
      title: `Play ${name}`,
      dataset: { prompt: name },
      onclick: (ev) => {
        ev.stopPropagation();
        play(url);
      },
    },
    `▶ ${name}`,
  );
}

/** A node as words, with its prompts as play links: what the caller hears and can do. */
export function describeNode(cache, client, node) {
  const what = {
    menu: () => Object.entries(node.options || {}).map(([k, t]) => `${k} → ${t}`).join(", ") || "a menu",
    collect: () => `collects an ${node.lookup || "account"} number`,
    queue: () => `queues for ${node.queue || "?"}`,
    callback: () => "offers a callback",
    voicemail: () => "takes a voicemail",
    hangup: () => "says goodbye and hangs up",
  }[node.kind];
  const parts = [`${node.kind}: ${what ? what() : node.kind}`];
  for (const name of [node.prompt, node.invalid_prompt].filter(Boolean)) parts.push(" · ", promptLink(cache, client, name));
  return parts;
}

// Prompts: the section ------------------------------------------------------------------------

function playButton(cache, p) {
  return h("button", { type: "button", class: "small", "aria-label": `Play ${p.name}`, onclick: (ev) => { ev.stopPropagation(); play(promptUrl(cache, p.client_id, p.name)); } }, "▶ Play");
}

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function soundEditor(value) {
  const existing = value && value.name ? value : null;
  const file = h("input", { type: "file", id: "prompt-file", accept: ".wav,audio/wav,audio/x-wav", "aria-label": "WAV file" });
  const speak = h("textarea", { id: "prompt-text", rows: 3, maxlength: 200, "aria-label": "Text to speak", placeholder: "e.g. Thank you for calling Acme Retail." });
  const box = h(
    "div",
    { class: "rows-editor prompt-sound" },
    existing
      ? h("div", { class: "prompt-now" }, h("audio", { controls: true, preload: "none", src: existing.url, "aria-label": `${existing.name} as callers hear it` }), h("span", { class: "small muted" }, `${existing.seconds.toFixed(1)} s, changed ${dateTime(existing.updated_at)}`))
      : null,
    h("label", { for: "prompt-file" }, existing ? "Replace it with a WAV file…" : "A WAV file…"),
    file,
    h("span", { class: "hint" }, "8 kHz, mono, 16-bit PCM; 0.1 s to 2 minutes, at most 2 MB."),
    h("label", { for: "prompt-text" }, "…or a text the server speaks (espeak-ng)"),
    speak,
  );
  box.readSound = () => ({ file: file.files[0] || null, text: speak.value.trim() });
  return box;
}

export function promptsSection(cache, clientOptions) {
  return {
    key: "prompts",
    title: "Prompts",
    load: async () =>
      (await get("/api/admin/prompts")).map((p) => ({
        ...p,
        id: `${p.client_id}/${p.name}`,
        sound: { ...p, url: promptUrl({ ...cache, prompts: [p] }, p.client_id, p.name) },
      })),
    columns: [
      ["client_id", "Client"],
      ["name", "Name"],
      ["seconds", "Length", (s) => `${s.toFixed(1)} s`],
      ["updated_at", "Changed", dateTime],
      ["sound", "", (p) => playButton(cache, p)],
    ],
    after: () => defaultPrompts(cache),
    fields: [
      { name: "client_id", label: "Client company", kind: "select", options: clientOptions, fixed: true },
      { name: "name", label: "Name", kind: "ident", hint: "Letters, digits, _ and -: what a menu node or an announcement names; cannot change later" },
      { name: "sound", label: "What callers hear", kind: "custom", render: soundEditor, read: (el) => el.readSound() },
    ],
    save: async (v, original) => {
      const client = original ? original.client_id : v.client_id;
      const name = original ? original.name : v.name;
      if (!name) throw new Error("Name is required.");
      const { file, text } = v.sound;
      if (file && text) throw new Error("Choose a WAV file or type a text, not both.");
      const path = `/api/admin/prompts/${seg(client)}/${seg(name)}`;
      if (file) return put(path, { wav_base64: base64(await file.arrayBuffer()) });
      if (text) return post(`${path}/speak`, { text });
      throw new Error(original ? "Choose a WAV file or type a text to replace it." : "Choose a WAV file or type a text.");
    },
    remove: (item) => del(`/api/admin/prompts/${seg(item.client_id)}/${seg(item.name)}`),
    removeQuestion: (item) => `Delete prompt ${item.name} of ${item.client_id}? Menus and announcements that play it keep it from being deleted.`,
  };
}

function defaultPrompts(cache) {
  return h(
    "div",
    { class: "default-prompts" },
    h("h3", {}, "Built-in prompts"),
    h("p", { class: "muted small" }, "Played where a client has no prompt of the same name; upload one under that name to replace it for that client."),
    h(
      "table",
      { id: "default-prompts" },
      h("tbody", {}, cache.defaults.map((d) => h("tr", { class: "plain", dataset: { prompt: d.name } }, h("td", {}, d.name), h("td", { class: "small muted" }, d.text), h("td", {}, h("button", { type: "button", class: "small", "aria-label": `Play ${d.name}`, onclick: () => play(promptUrl(cache, "", d.name)) }, "▶ Play"))))),
    ),
  );
}

// Opening hours -----------------------------------------------------------------------------

// A time input cannot say 24:00: a line closing at midnight closes at 00:00 of the next day.
const toInput = (hhmm) => (hhmm === "24:00" ? "00:00" : hhmm);
const fromInput = (value, closes) => (closes && value === "00:00" ? "24:00" : value);

function weekEditor(value) {
  const spans = (value && value.spans) || [];
  const body = h("tbody");
  const rows = new Map();
  const addSpan = (day, span = { opens: "", closes: "" }) => {
    const label = DAYS.find(([d]) => d === day)[1];
    const opens = h("input", { type: "time", value: toInput(span.opens), "aria-label": `${label} opens`, dataset: { part: "opens" } });
    const closes = h("input", { type: "time", value: toInput(span.closes), "aria-label": `${label} closes`, dataset: { part: "closes" } });
    const item = h("span", { class: "span" }, opens, "–", closes);
    item.append(h("button", { type: "button", class: "small quiet", "aria-label": `Remove these ${label} hours`, onclick: () => { item.remove(); mark(day); } }, "×"));
    rows.get(day).spans.append(item);
    mark(day);
    return opens;
  };
  const mark = (day) => rows.get(day).closed.classList.toggle("hidden", rows.get(day).spans.children.length > 0);
  for (const [day, label] of DAYS) {
    const holder = h("div", { class: "spans" });
    const closed = h("span", { class: "muted small" }, "Closed");
    const add = h("button", { type: "button", class: "small", "aria-label": `Add ${label} hours`, onclick: () => addSpan(day, { opens: "08:00", closes: "18:00" }).focus() }, "+ Hours");
    body.append(h("tr", { class: "plain", dataset: { day } }, h("th", { scope: "row" }, label), h("td", {}, holder, closed), h("td", {}, add)));
    rows.set(day, { spans: holder, closed });
  }
  for (const s of spans) addSpan(s.day, s);
  for (const [day] of DAYS) mark(day);
  const box = h(
    "div",
    { class: "rows-editor week" },
    h("p", { class: "small muted" }, `Local times in the firm's time zone, ${value.zone || "as set under schedules"}, summer time included. Closing at 00:00 is midnight at the day's end.`),
    h("table", { class: "week-hours" }, body),
  );
  box.readSpans = () =>
    [...rows.entries()].flatMap(([day, { spans: holder }]) =>
      [...holder.querySelectorAll(".span")]
        .map((el) => ({ day, opens: el.querySelector('[data-part="opens"]').value, closes: fromInput(el.querySelector('[data-part="closes"]').value, true) }))
        .filter((s) => s.opens || s.closes),
    );
  return box;
}

/** What callers of each menu that uses these hours hear while they are closed. */
function closedBehaviour(cache, value) {
  const menus = (value && value.menus) || [];
  if (!menus.length) {
    return h("p", { class: "muted small", id: "hours-menus" }, "No menu uses these hours yet: a menu names them with \"hours\" and says where callers go with \"closed\" (Menus). The staffing plan plans no agents while closed all the same.");
  }
  return h(
    "ul",
    { class: "closed-menus", id: "hours-menus" },
    menus.map((m) => {
      const node = (m.nodes || []).find((n) => n.id === m.closed);
      return h(
        "li",
        { dataset: { number: m.number } },
        h("b", {}, m.number),
        `: while closed, callers start at “${m.closed}” — `,
        node ? describeNode(cache, m.client_id, node) : h("span", { class: "error" }, "no such node"),
      );
    }),
  );
}

export function hoursSection(cache) {
  return {
    key: "hours",
    title: "Opening hours",
    load: async () => {
      const [settings, menus] = await Promise.all([get("/api/schedules/settings").catch(() => ({})), get("/api/admin/menus").catch(() => [])]);
      return Promise.all(
        cache.campaigns.map(async (c) => {
          const found = await get(`/api/admin/hours/${seg(c.id)}`).catch((err) => {
            if (err.status === 404) return null;
            throw err;
          });
          const zone = found ? found.zone : settings.time_zone;
          return {
            id: c.id,
            client_id: c.client_id,
            set: Boolean(found),
            open_now: found ? found.open_now : null,
            week: { spans: found ? found.spans : [], zone },
            holidays: found ? found.holidays : [],
            menus: { menus: menus.filter((m) => m.hours === c.id) },
          };
        }),
      );
    },
    columns: [
      ["id", "Campaign"],
      ["client_id", "Client"],
      ["week", "Open", (w) => weekSummary(w.spans)],
      ["holidays", "Holidays", (d) => String(d.length)],
      ["open_now", "Now", (o) => (o === null ? "no hours: always open" : o ? "open" : "closed")],
    ],
    noNew: "Opening hours belong to a campaign: pick the campaign in the list.",
    fields: [
      { name: "id", label: "Campaign", kind: "readonly" },
      { name: "week", label: "The week", kind: "custom", render: weekEditor, read: (el) => el.readSpans() },
      {
        name: "holidays",
        label: "Holidays (closed all day)",
        kind: "custom",
        render: (value) => rowsEditor({ rows: (value || []).map((date) => ({ date })), columns: [{ name: "date", label: "Date", type: "date" }], add: "Add a holiday" }),
        read: (el) => el.readRows().map((r) => r.date).filter(Boolean),
      },
      { name: "menus", label: "Menus using these hours", kind: "custom", render: (value) => closedBehaviour(cache, value), read: () => null },
    ],
    save: (v) => put(`/api/admin/hours/${seg(v.id)}`, { spans: v.week, holidays: v.holidays }),
  };
}

function weekSummary(spans) {
  if (!spans.length) return "—";
  const days = new Map();
  for (const s of spans) days.set(s.day, [...(days.get(s.day) || []), `${s.opens}–${s.closes}`]);
  return DAYS.filter(([d]) => days.has(d)).map(([d]) => `${d[0].toUpperCase()}${d.slice(1)} ${days.get(d).join(", ")}`).join("; ");
}

export function loadVoiceCache(cache) {
  return Promise.all([get("/api/admin/prompts").catch(() => []), get("/api/admin/default-prompts").catch(() => [])]).then(([prompts, defaults]) => {
    cache.prompts = prompts;
    cache.defaults = defaults;
  });
}
