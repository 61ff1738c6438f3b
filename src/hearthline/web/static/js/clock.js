// The server's clock as seen from this browser. Every time the pages show -- a state
// timer, an offer's or a wrap-up's countdown, when an alert started, which day "today"
// is -- is counted on the server's clock, which may differ from the laptop's by an offset
// (a clock set wrong) and by its rate (a demonstration runs the center's clock sped up:
// its timers, its wallboard and these pages then all count simulated seconds).
//
// The server says what its clock reads and how fast it runs (GET /api/health: `now`,
// `clock_rate`), read on load and every half minute. Each event that arrives live is one
// more observation: server time `s` seen at local time `l`, with s <= server(l) because
// delivery takes time. With the rate known, server(l) = a + rate * l, and `a` is the
// upper envelope of the observations (the one that travelled fastest), so a clock that
// jumps forward (the demo skipping a night) is followed at its first event. Should the
// server not say its rate, it is fitted from observations far enough apart (snapped to
// 1 unless clearly different, so network jitter never bends a normal clock).

const WINDOW_MS = 120_000;
const MIN_SPREAD_MS = 5_000;
const SYNC_EVERY_MS = 30_000;
let observations = []; // {l: local ms, s: server seconds}
let rate = 1;
let toldRate = null; // the rate the server said, once it has
let offset = null; // a, in seconds, for local time in seconds

export function observe(serverTime, local = Date.now()) {
  if (!Number.isFinite(serverTime)) return;
  observations.push({ l: local, s: serverTime });
  observations = observations.filter((o) => local - o.l <= WINDOW_MS);
  fit();
}

function fit() {
  if (toldRate !== null) {
    rate = toldRate;
  } else {
    const first = observations[0];
    const last = observations[observations.length - 1];
    if (last.l - first.l >= MIN_SPREAD_MS) {
      const estimate = (last.s - first.s) / ((last.l - first.l) / 1000);
      rate = Number.isFinite(estimate) && estimate > 0 && Math.abs(estimate - 1) > 0.25 ? estimate : 1;
    }
  }
  offset = Math.max(...observations.map((o) => o.s - (rate * o.l) / 1000));
}

/** Asks the server what its clock reads and how fast it runs. */
export async function sync() {
  let health;
  try {
    const r = await fetch("/api/health", { cache: "no-store", credentials: "same-origin" });
    if (!r.ok) return;
    health = await r.json();
  } catch {
    return; // offline: the events still teach the offset
  }
  const got = Date.now();
  if (Number.isFinite(health.clock_rate) && health.clock_rate > 0) {
    toldRate = health.clock_rate;
  }
  // Read somewhere between sending and receiving, so at the latest when it arrived: an
  // observation must never be ahead of the server's clock, or the envelope keeps it.
  // (Taken as the middle, a slow round trip on a loaded machine could put the clock up
  // to half of it ahead, to step back once that observation was forgotten.)
  observe(health.now, got);
}

/** Whether anything came from the server yet (else the times are the laptop's). */
export function known() {
  return offset !== null;
}

/** Forgets what it learnt (the stream resumed with old, replayed events). */
export function reset() {
  observations = [];
  rate = toldRate === null ? 1 : toldRate;
  offset = null;
  sync();
}

export function serverNow() {
  const local = Date.now() / 1000;
  return offset === null ? local : offset + rate * local;
}

/** Seconds (server seconds) since a server time, never negative. */
export function since(serverTime) {
  if (!Number.isFinite(serverTime)) return null;
  return Math.max(0, serverNow() - serverTime);
}

/** Seconds (server seconds) until a server time, never negative. */
export function until(serverTime) {
  if (!Number.isFinite(serverTime)) return null;
  return Math.max(0, serverTime - serverNow());
}

/** How fast the server's clock runs against this browser's (1: real time). */
export function serverRate() {
  return rate;
}

/** The server's local calendar day (for "today" figures): a Date at its midnight. */
export function serverMidnight() {
  const d = new Date(serverNow() * 1000);
  d.setHours(0, 0, 0, 0);
  return d;
}

sync();
setInterval(sync, SYNC_EVERY_MS);
window.addEventListener("online", () => sync());
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) sync();
});
