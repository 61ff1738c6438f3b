// A contact's recordings on the quality page: an <audio> player per recording and its
// waveform (the caller's row above the agent's), with the contact's timeline as marks on
// it: a click on a mark or on the waveform seeks, and a line follows the play position.
// Holds and the agent's pauses are shaded over their (silent, flat) stretch. The waveform
// is the server's peaks (GET /api/recordings/{id}/peaks), a few kilobytes, rather than
// the whole file decoded here. Each playback from the start is audited by the server; a
// contact whose client is not yours has none.

import { get } from "./api.js";
import { h } from "./dom.js";
import { clockTime, duration } from "./format.js";

const BUCKETS = 1200; // more than the waveform is wide: each pixel takes the loudest of its
const HEIGHT = 112; // the canvas: two rows of 52 px and a gap
const ROW = 52;
const COLOURS = { caller: "#2563eb", agent: "#c2410c" };
// The stretches the file is silent on purpose: from the first event to the second.
const STRETCHES = [
  ["ContactHeld", "ContactResumed", "hold"],
  ["RecordingPaused", "RecordingResumed", "paused"],
];

export async function recordingsOf(contact) {
  try {
    return await get(`/api/recordings?contact=${encodeURIComponent(contact)}`);
  } catch {
    return []; // not allowed to listen (an agent), or no recordings: no player
  }
}

/**
 * The players, and a function that seeks to a time of the log (seconds since the epoch).
 * @param events the contact's timeline ({type, at, ...}), drawn as marks
 * @param label an event's words (the timeline's)
 */
export function players(recordings, events = [], label = (e) => e.type) {
  if (!recordings.length) return { nodes: [h("p", { class: "muted", id: "no-recording" }, "No recording.")], seek: null };
  const made = recordings.map((r) => player(r, events, label));
  const seek = (at) => {
    const i = recordings.findIndex((r) => at >= r.started_at && at <= r.started_at + r.seconds);
    if (i < 0) return false;
    made[i].go(at - recordings[i].started_at);
    return true;
  };
  return { nodes: made.flatMap((m) => m.nodes), seek };
}

function player(r, events, label) {
  const audio = h("audio", { controls: true, preload: "metadata", src: r.url, class: "recording", dataset: { id: r.id } });
  const canvas = h("canvas", { class: "wave-canvas", height: HEIGHT, "aria-label": r.kind === "voicemail" ? "Waveform of the caller's message; click to seek" : "Waveform: caller above, agent below; click to seek" });
  const head = h("div", { class: "wave-head", "aria-hidden": "true" });
  // The play position: on every time update, and smoothly while it plays.
  const follow = () => {
    head.style.left = `${Math.max(0, Math.min(100, (audio.currentTime / (r.seconds || 1)) * 100))}%`;
    head.closest(".wave").dataset.position = audio.currentTime.toFixed(2);
  };
  // A seek shows at once: the player's own "seeked" comes once it has read that far.
  const go = (seconds) => {
    audio.currentTime = seconds;
    follow();
  };
  // A voicemail is the caller alone (mono): one row, in the middle.
  const rows = r.kind === "voicemail" ? [["caller", (HEIGHT - ROW) / 2]] : [["caller", 0], ["agent", ROW + 8]];
  const box = h("div", { class: "wave", dataset: { id: r.id, rows: String(rows.length) } },
    canvas,
    ...rows.map(([side, top]) => styled(h("span", { class: "wave-row-label" }, side === "caller" ? "Caller" : "Agent"), { top: `${top + 2}px` })),
    ...stretches(r, events),
    ...events.filter((e) => inside(r, e.at)).map((e) => mark(r, e, label, go)),
    head);
  let peaks = null;
  const draw = () => {
    if (peaks) paint(canvas, peaks, rows);
  };
  canvas.addEventListener("click", (event) => {
    const rect = canvas.getBoundingClientRect();
    go(((event.clientX - rect.left) / rect.width) * r.seconds);
  });
  audio.addEventListener("timeupdate", follow);
  audio.addEventListener("seeked", follow);
  audio.addEventListener("play", () => {
    const step = () => {
      follow();
      if (!audio.paused) requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  follow();
  new ResizeObserver(draw).observe(box);
  get(`/api/recordings/${r.id}/peaks?buckets=${BUCKETS}`).then(
    (found) => {
      peaks = found;
      box.dataset.drawn = "true";
      draw();
    },
    () => box.classList.add("wave-missing"), // the player still plays
  );
  return {
    go,
    nodes: [
      h("p", { class: "muted small" }, r.kind === "voicemail"
        ? `Voicemail ${duration(r.seconds)} · the caller's message`
        : `Recorded ${duration(r.seconds)} · caller left, agent right`),
      audio,
      box,
    ],
  };
}

function inside(r, at) {
  return at >= r.started_at && at <= r.started_at + r.seconds;
}

function mark(r, e, label, go) {
  const offset = e.at - r.started_at;
  const words = `${label(e)} · ${clockTime(e.at)}`;
  return styled(h("button", {
    type: "button",
    class: `wave-mark wave-mark-${e.type}`,
    title: words,
    "aria-label": `Play from ${words}`,
    dataset: { at: offset.toFixed(3), type: e.type },
    onclick: () => go(offset),
  }), { left: `${(offset / r.seconds) * 100}%` });
}

// Through the style object: the pages' Content-Security-Policy refuses style attributes.
function styled(el, properties) {
  Object.assign(el.style, properties);
  return el;
}

function stretches(r, events) {
  const out = [];
  for (const [from, to, name] of STRETCHES) {
    let start = null;
    for (const e of events) {
      if (e.type === from && start === null) start = e.at;
      else if (e.type === to && start !== null) {
        out.push(shade(r, start, e.at, name));
        start = null;
      }
    }
    if (start !== null) out.push(shade(r, start, r.started_at + r.seconds, name));
  }
  return out.filter(Boolean);
}

function shade(r, from, to, name) {
  const a = Math.max(0, from - r.started_at);
  const b = Math.min(r.seconds, to - r.started_at);
  if (b <= a) return null;
  const el = h("div", { class: `wave-stretch wave-${name}`, title: `${name} ${duration(b - a)}` }, name);
  return styled(el, { left: `${(a / r.seconds) * 100}%`, width: `${((b - a) / r.seconds) * 100}%` });
}

/** Each channel of ``rows`` ([side, top]) in its row, scaled to the call's loudest sample. */
function paint(canvas, peaks, rows) {
  const width = Math.max(1, Math.round(canvas.clientWidth * (window.devicePixelRatio || 1)));
  if (canvas.width !== width) canvas.width = width;
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, HEIGHT);
  // A quiet call is shown large enough to read; silence stays a flat line.
  const loudest = Math.max(peaks.scale / 20, ...peaks.caller, ...peaks.agent);
  const n = peaks.caller.length;
  rows.forEach(([side, top]) => {
    const values = peaks[side];
    const middle = top + ROW / 2;
    g.fillStyle = COLOURS[side];
    g.fillRect(0, middle, width, 1); // the line silence leaves
    for (let x = 0; x < width; x += 1) {
      const first = Math.floor((x * n) / width);
      const last = Math.max(first + 1, Math.floor(((x + 1) * n) / width));
      let peak = 0;
      for (let i = first; i < last && i < n; i += 1) peak = Math.max(peak, values[i]);
      const half = Math.round((peak / loudest) * (ROW / 2));
      if (half > 0) g.fillRect(x, middle - half, 1, 2 * half);
    }
  });
}
