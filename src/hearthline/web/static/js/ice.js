// WebRTC offers and answers go whole (no trickle ICE: the server relays one SDP each
// way), so a page waits until its candidates are in the description before sending it.

// At most this long: a candidate that is later still (a dead interface) is left out.
const ICE_WAIT_MS = 2000;

export function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, ICE_WAIT_MS);
  });
}
