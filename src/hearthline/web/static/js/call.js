// "Call the center": this tab is a caller on one of the clients' lines. The page's WebRTC
// offer goes to the server over /api/call-page/ws, which parks it on the media engine as
// a phone caller is parked (greeting, menu, queue); an agent who accepts talks to it.
// No SIP here. Keys go over the same socket to the number's menu.

import { $ } from "./dom.js";
import { gathered } from "./ice.js";


class Caller {
  constructor() {
    this.ws = null;
    this.pc = null;
    this.mic = null;
    this.audio = document.createElement("audio");
    this.audio.autoplay = true;
    this.audio.id = "caller-audio";
    document.body.append(this.audio);
  }

  status(text) {
    $("#call-status").textContent = text;
  }

  error(text) {
    $("#call-error").textContent = text;
  }

  onCall(on) {
    $("#call-button").hidden = on;
    $("#hangup-button").hidden = !on;
    $("#keypad").hidden = !on;
    $("#number").disabled = on;
  }

  async call(number) {
    this.error("");
    this.onCall(true);
    this.status("Calling…");
    try {
      this.mic = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      const pc = new RTCPeerConnection({ iceServers: [] });
      this.pc = pc;
      const transceiver = pc.addTransceiver(this.mic.getAudioTracks()[0], { direction: "sendrecv", streams: [this.mic] });
      // A phone line's codec (PCMU) only: the caller keeps the codec the media engine
      // answered with when it parked them, whoever the agent is.
      const pcmu = RTCRtpReceiver.getCapabilities("audio").codecs.filter((c) => c.mimeType === "audio/PCMU");
      if (pcmu.length) transceiver.setCodecPreferences(pcmu);
      pc.ontrack = (ev) => {
        this.audio.srcObject = ev.streams[0] || new MediaStream([ev.track]);
      };
      pc.onconnectionstatechange = () => {
        if (pc !== this.pc) return;
        if (pc.connectionState === "connected") this.status("Connected: you are in line, listen…");
        if (pc.connectionState === "failed") this.status("The call's audio failed");
      };
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      this.ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/call-page/ws`);
      this.ws.onmessage = (ev) => this.handle(JSON.parse(ev.data));
      this.ws.onclose = (ev) => {
        if (ev.code >= 4000) this.error(ev.reason);
        if (this.pc) this.end("Call ended");
      };
      this.ws.onopen = () => this.send({ type: "call", number, sdp: pc.localDescription.sdp });
    } catch (err) {
      this.error(`The call could not start: ${err.message || err}`);
      this.end();
    }
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  async handle(message) {
    if (message.type === "answer") {
      if (!this.pc) return; // hung up while it rang
      await this.pc.setRemoteDescription({ type: "answer", sdp: message.sdp });
      this.status("Ringing the center…");
    } else if (message.type === "refused") {
      this.error(message.message);
      this.end();
    } else if (message.type === "ended") {
      this.end(message.by === "center" ? "The center hung up" : "Call ended");
    } else if (message.type === "error") {
      this.error(message.message);
    }
  }

  hangUp() {
    this.send({ type: "hangup" });
    this.end("Call ended");
  }

  end(status) {
    if (this.pc) this.pc.close();
    if (this.mic) for (const t of this.mic.getTracks()) t.stop();
    this.pc = null;
    this.mic = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close();
    this.audio.srcObject = null;
    this.onCall(false);
    if (status) this.status(status);
  }
}


async function start() {
  const caller = new Caller();
  window.hearthlineCaller = caller; // tests read its connection and audio
  const response = await fetch("/api/call-page", { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    caller.error(body.message || `The call page is not available (${response.status}).`);
    return;
  }
  const select = $("#number");
  for (const n of body.numbers) {
    const option = document.createElement("option");
    option.value = n.number;
    option.textContent = `${n.client} · ${n.label || "line"} · ${n.number}`;
    select.append(option);
  }
  if (!body.numbers.length) caller.error("The center has no numbers yet (Administration → Numbers).");
  else if (!body.live) caller.error("Voice is starting or off on the server; try again shortly.");
  select.disabled = false;
  $("#call-button").disabled = !body.numbers.length;
  $("#call-button").addEventListener("click", () => caller.call(select.value));
  $("#hangup-button").addEventListener("click", () => caller.hangUp());
  for (const key of document.querySelectorAll("#keypad button")) {
    key.addEventListener("click", () => caller.send({ type: "key", key: key.textContent }));
  }
}

start();
