// The server's clock as seen from this browser. Event times ("at", "since",
// "expires_at") are on the server's clock, which may differ from the laptop's by an
// offset (a clock set wrong) and even by its rate (a demonstration runs the center's
// clock sped up). Each event that arrives live is one observation: server time `s` seen
// at local time `l`, with s <= server(l) because delivery takes time. We fit
// server(l) = a + rate * l: the rate from observations far enough apart (snapped to 1
// unless clearly different, so network jitter never bends a normal clock), and `a` as
// the upper envelope, the observation that travelled fastest.

const WINDOW_MS = 120_000;
const MIN_SPREAD_MS = 5_000;
let observations = []; // {l: local ms, s: server seconds}
let rate = 1;
let offset = null; // a, in seconds, for local time in seconds

export function observe(serverTime) {
  if (!Number.isFinite(serverTime)) return;
  const l = Date.now();
  observations.push({ l, s: serverTime });
  observations = observations.filter((o) => l - o.l <= WINDOW_MS);
  fit();
}

function fit() {
  const first = observations[0];
  const last = observations[observations.length - 1];
  if (last.l - first.l >= MIN_SPREAD_MS) {
    const estimate = (last.s - first.s) / ((last.l - first.l) / 1000);
    rate = Number.isFinite(estimate) && estimate > 0 && Math.abs(estimate - 1) > 0.25 ? estimate : 1;
  }
  offset = Math.max(...observations.map((o) => o.s - (rate * o.l) / 1000));
}

/** Forgets what it learnt (the stream resumed with old, replayed events). */
export function reset() {
  observations = [];
  rate = 1;
  offset = null;
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
