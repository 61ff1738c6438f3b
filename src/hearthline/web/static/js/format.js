// Numbers and times as people read them on a wallboard.

/** 75 -> "1:15", 3725 -> "1:02:05"; negative or missing -> "–". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return "–";
  }
  const s = Math.floor(seconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = String(s % 60).padStart(2, "0");
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, "0")}:${secs}`;
  return `${minutes}:${secs}`;
}

/** 0.8123 -> "81%"; null -> "–". */
export function percent(ratio) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  return `${Math.round(ratio * 100)}%`;
}

export function count(n) {
  return n === null || n === undefined ? "–" : String(n);
}

/** Epoch seconds -> local "14:05". */
export function clockTime(epochSeconds) {
  if (!epochSeconds) return "";
  return new Date(epochSeconds * 1000).toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
}

/** Epoch seconds -> local "12 Mar 14:05". */
export function dateTime(epochSeconds) {
  if (!epochSeconds) return "";
  const d = new Date(epochSeconds * 1000);
  const day = d.toLocaleDateString([], { day: "numeric", month: "short" });
  return `${day} ${clockTime(epochSeconds)}`;
}

const STATE_LABELS = {
  offline: "Signed out",
  "not-ready": "Not ready",
  available: "Ready",
  reserved: "Ringing",
  "on-contact": "On contact",
  "wrap-up": "Wrap-up",
  consulting: "Consulting",
};

export function stateLabel(state) {
  return STATE_LABELS[state] || state || "Unknown";
}

/** "wrap-up" -> "state-wrap-up": the class carrying the state's colour everywhere. */
export function stateClass(state, { lost = false } = {}) {
  return lost ? "state-lost" : `state-${state || "offline"}`;
}

export function humanize(id) {
  if (!id) return "";
  const text = String(id).replace(/[-_]+/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
