// A contact's recordings on the quality page: an <audio> player per recording (the
// caller on the left, the agent on the right), and the contact's timeline as places to
// seek to: an event during the recording moves the player to its moment. Each playback
// from the start is audited by the server; a contact whose client is not yours has none.

import { get } from "./api.js";
import { h } from "./dom.js";
import { duration } from "./format.js";

export async function recordingsOf(contact) {
  try {
    return await get(`/api/recordings?contact=${encodeURIComponent(contact)}`);
  } catch {
    return []; // not allowed to listen (an agent), or no recordings: no player
  }
}

/** The players, and a function that seeks to a time of the log (seconds since the epoch). */
export function players(recordings) {
  if (!recordings.length) return { nodes: [h("p", { class: "muted", id: "no-recording" }, "No recording.")], seek: null };
  const audios = recordings.map((r) =>
    h("audio", { controls: true, preload: "metadata", src: r.url, class: "recording", dataset: { id: r.id } }));
  const nodes = recordings.flatMap((r, i) => [
    h("p", { class: "muted small" }, r.kind === "voicemail"
      ? `Voicemail ${duration(r.seconds)} · the caller's message`
      : `Recorded ${duration(r.seconds)} · caller left, agent right`),
    audios[i],
  ]);
  const seek = (at) => {
    const i = recordings.findIndex((r) => at >= r.started_at && at <= r.started_at + r.seconds);
    if (i < 0) return false;
    audios[i].currentTime = at - recordings[i].started_at;
    return true;
  };
  return { nodes, seek };
}
