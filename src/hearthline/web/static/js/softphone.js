// The softphone: the agent's leg of a real call, in the browser (WebRTC). No SIP here: the
// server sends the media engine's offer over the stream once the agent accepts a call,
// and this page answers over the same socket. Hanging up is the desk's normal Hang up.
// Mute is the agent's own: the microphone's track is disabled (the caller hears silence)
// and nothing is sent to the server.
//
//   server -> {"type":"voice-offer","contact":ID,"sdp":...}
//   page   -> {"type":"voice-answer","contact":ID,"sdp":...}
//   page   -> {"type":"voice-lost","contact":ID}   (the call's media failed: ICE)
//   server -> {"type":"voice-end","contact":ID} | {"type":"voice-error","message":...}

import { Coach } from "./listen.js";

const ICE_WAIT_MS = 2000;

export class Softphone {
  constructor({ send, onStatus, onError, onChange = () => {} }) {
    this.send = send;
    this.onStatus = onStatus;
    this.onError = onError;
    this.onChange = onChange; // a call began or ended, or the microphone was (un)muted
    this.pc = null;
    this.contact = null;
    this.mic = null;
    this.muted = false;
    this.audio = null; // made on the first call: a page that takes none plays no media
    this.coach = new Coach(this); // a supervisor listening, whispering or barging in (listen.js)
  }

  speaker() {
    if (!this.audio) {
      this.audio = document.createElement("audio");
      this.audio.autoplay = true;
      this.audio.id = "softphone-audio";
      document.body.append(this.audio);
    }
    return this.audio;
  }

  get live() {
    return this.pc !== null;
  }

  // A disabled track sends silence; enabling it again needs no new offer or device.
  setMuted(muted) {
    if (!this.pc) return;
    this.muted = muted;
    if (this.mic) for (const t of this.mic.getAudioTracks()) t.enabled = !muted;
    this.coach.setMuted(muted);
    this.onChange();
  }

  toggleMute() {
    this.setMuted(!this.muted);
  }

  handle(message) {
    if (message.type.startsWith("voice-coach")) this.coach.handle(message);
    else if (message.type === "voice-offer") this.answer(message.contact, message.sdp);
    else if (message.type === "voice-end" && message.contact === this.contact) this.close("Call ended");
    else if (message.type === "voice-error") this.onError(message.message);
  }

  async answer(contact, sdp) {
    this.close();
    this.contact = contact;
    this.onStatus("Connecting the call…");
    try {
      this.mic = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      const pc = new RTCPeerConnection({ iceServers: [] });
      this.pc = pc;
      for (const track of this.mic.getAudioTracks()) pc.addTrack(track, this.mic);
      this.onChange();
      pc.ontrack = (ev) => {
        this.speaker().srcObject = ev.streams[0] || new MediaStream([ev.track]);
      };
      pc.onconnectionstatechange = () => {
        if (pc !== this.pc) return;
        if (pc.connectionState === "connected") this.onStatus("On the call: talking", true);
        if (pc.connectionState === "failed") {
          // A lost connection to the server: the caller waits again for the next agent
          // if this one does not come back in time.
          this.onStatus("Call audio lost");
          this.send({ type: "voice-lost", contact });
        }
      };
      await pc.setRemoteDescription({ type: "offer", sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      this.send({ type: "voice-answer", contact, sdp: pc.localDescription.sdp });
    } catch (err) {
      this.onError(`The call audio could not start: ${err.message || err}`);
      this.close();
    }
  }

  close(status) {
    this.coach.close();
    if (this.pc) this.pc.close();
    if (this.mic) for (const t of this.mic.getTracks()) t.stop();
    const had = this.pc !== null;
    this.pc = null;
    this.mic = null;
    this.contact = null;
    this.muted = false; // the next call starts with the microphone on
    if (this.audio) this.audio.srcObject = null;
    if (status) this.onStatus(status);
    if (had) this.onChange();
  }
}

// The answer goes whole (no trickle ICE): wait until the candidates are in it.
function gathered(pc) {
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
