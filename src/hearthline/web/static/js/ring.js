// The ring of an incoming offer, made with WebAudio (no sound file to load or cache).
// Browsers only let a page make sound after the user has interacted with it; signing in
// and pressing Ready count, and unlock() is called from those clicks.

let context = null;
let timer = null;

export function unlock() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  if (!context) context = new Ctx();
  if (context.state === "suspended") context.resume().catch(() => {});
}

function burst(at) {
  // Two close tones, like a desk phone: 440 Hz + 480 Hz, the North American ring pair.
  const gain = context.createGain();
  gain.gain.setValueAtTime(0, at);
  gain.gain.linearRampToValueAtTime(0.12, at + 0.03);
  gain.gain.setValueAtTime(0.12, at + 0.8);
  gain.gain.linearRampToValueAtTime(0, at + 0.9);
  gain.connect(context.destination);
  for (const freq of [440, 480]) {
    const osc = context.createOscillator();
    osc.type = "sine";
    osc.frequency.value = freq;
    osc.connect(gain);
    osc.start(at);
    osc.stop(at + 0.95);
  }
}

export function startRinging() {
  stopRinging();
  if (!context) unlock();
  if (!context) return;
  const ring = () => {
    if (context.state === "running") burst(context.currentTime + 0.02);
  };
  ring();
  timer = setInterval(ring, 2500);
}

export function stopRinging() {
  clearInterval(timer);
  timer = null;
}

export function isRinging() {
  return timer !== null;
}
