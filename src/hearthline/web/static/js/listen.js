// Listening in, whisper and barge (docs/voice.md, "Listening in"), both ends:
//
// Listener (the supervisor console): one PeerConnection per party of the call (the caller,
// the agent) answering rtpengine's subscription offers over HTTP; for whisper and barge a
// further one sending the microphone (published). A connection that is not up after
// RESUBSCRIBE_MS is subscribed again: rtpengine's DTLS towards a new subscriber sometimes
// does not come up (measured: 5 of 8 early runs).
//
// Coach (the agent's softphone): sends the microphone for the supervisor to hear (published:
// rtpengine 10.5 passed the agent's own leg to a subscriber as a constant); shows who is
// listening (if the firm shows it), whispering or barging in; plays the supervisor's audio;
// in a barge, mixes the microphone and the supervisor into what the call sends (rtpengine
// 10.5 has no mixer), with WebAudio and replaceTrack.
//
//   server -> agent  {"type":"voice-coach","session":..,"contact":..,"mode":..,"supervisor":..,"publish":SESSION,"shown":..}
//   agent -> server  {"type":"voice-coach-publish","session":..,"sdp":..}
//   server -> agent  {"type":"voice-coach-published","session":..,"sdp":..}
//   server -> agent  {"type":"voice-coach","session":..,"contact":..,"mode":..,"supervisor":..,"sdp":..}
//   agent -> server  {"type":"voice-coach-answer","contact":..,"sdp":..}
//   agent -> server  {"type":"voice-coach-lost","contact":..}
//   server -> agent  {"type":"voice-coach-end","session":..,"contact":..}
//   server -> agent  {"type":"voice-coach","session":..,"contact":..,"mode":..,"supervisor":..,"shown":..,"switched":FROM}

import { del, post, put, seg } from "./api.js";
import { gathered } from "./ice.js";

const RESUBSCRIBE_MS = 3000;
const MODES = { listen: "Listening to", whisper: "Whispering to", barge: "In the call with" };

export const LISTEN_OPTIONS = [
  { value: "listen:listen", label: "Listen in" },
  { value: "listen:whisper", label: "Whisper to the agent" },
  { value: "listen:barge", label: "Barge in" },
  { value: "listen:stop", label: "Stop listening" },
];

export class Listener {
  constructor({ onError }) {
    this.onError = onError;
    this.session = null;
    this.parties = new Map(); // party -> RTCPeerConnection
    this.mic = null;
    this.sender = null; // the published microphone's connection
    // One element per party: an element plays only the first audio track of a stream, and
    // Chrome gives WebAudio a remote track's samples only while an element plays it.
    this.audios = new Map(); // party -> <audio>
    this.panel = null;
  }

  // A grid action ("listen:<mode>"): true when it was one of ours.
  async action(value, agentId, agentLabel) {
    if (!value.startsWith("listen:")) return false;
    const mode = value.slice(7);
    if (mode === "stop") await this.stop();
    else await this.start(agentId, mode, agentLabel);
    return true;
  }

  async start(agentId, mode, agentLabel = agentId) {
    if (this.session && this.session.agent === agentId) {
      await this.switch(mode, agentLabel);
      return;
    }
    await this.stop();
    const out = await post(`/api/supervisor/agents/${seg(agentId)}/listen`, { mode });
    this.session = out;
    this.showPanel(`${MODES[mode]} ${agentLabel}`);
    try {
      for (const offer of out.offers) await this.subscribe(offer.party, offer.sdp);
      if (mode !== "listen") await this.publish();
    } catch (err) {
      this.onError(`Listening could not start: ${err.message || err}`);
      await this.stop();
    }
  }

  // Another mode on the same call: the session and its subscriptions stay; the microphone
  // is published for a whisper or barge (once) and dropped for a listen.
  async switch(mode, agentLabel) {
    const session = this.session;
    if (session.mode === mode) return;
    let out;
    try {
      out = await put(`/api/supervisor/listening/${session.session}/mode`, { mode });
    } catch (err) {
      this.onError(`Could not switch to ${mode}: ${err.message || err}`);
      return;
    }
    if (this.session !== session) return;
    session.mode = out.mode;
    session.shown_to_agent = out.shown_to_agent;
    this.showPanel(`${MODES[mode]} ${agentLabel}`);
    try {
      if (mode === "listen") this.unpublish();
      else if (!this.sender) await this.publish();
    } catch (err) {
      this.onError(`Speaking: ${err.message || err}`);
    }
  }

  unpublish() {
    if (this.sender) this.sender.close();
    this.sender = null;
    if (this.mic) for (const t of this.mic.getTracks()) t.stop();
    this.mic = null;
  }

  async subscribe(party, sdp) {
    const session = this.session;
    const old = this.parties.get(party);
    if (old) old.close();
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.parties.set(party, pc);
    pc.ontrack = (ev) => this.play(party, ev.track);
    await pc.setRemoteDescription({ type: "offer", sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await post(`/api/supervisor/listening/${session.session}/answer`, { party, sdp: pc.localDescription.sdp });
    setTimeout(() => this.recheck(session, party, pc), RESUBSCRIBE_MS);
  }

  async recheck(session, party, pc) {
    if (this.session !== session || this.parties.get(party) !== pc) return;
    if (pc.connectionState === "connected") return;
    try {
      const offer = await post(`/api/supervisor/listening/${session.session}/resubscribe`, { party });
      if (this.session === session) await this.subscribe(party, offer.sdp);
    } catch (err) {
      this.onError(`Listening to the ${party}: ${err.message || err}`);
    }
  }

  async publish() {
    const session = this.session;
    if (!this.mic) this.mic = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    if (this.sender) this.sender.close();
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.sender = pc;
    for (const track of this.mic.getAudioTracks()) pc.addTransceiver(track, { direction: "sendonly", streams: [this.mic] });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answer = await post(`/api/supervisor/listening/${session.session}/publish`, { sdp: pc.localDescription.sdp });
    if (this.session !== session) return;
    await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    // The same race as the subscriptions': published again (the agent's page gets a new offer).
    setTimeout(() => {
      if (this.session !== session || this.sender !== pc || pc.connectionState === "connected") return;
      this.publish().catch((err) => this.onError(`Speaking: ${err.message || err}`));
    }, RESUBSCRIBE_MS);
  }

  play(party, track) {
    let audio = this.audios.get(party);
    if (!audio) {
      audio = document.createElement("audio");
      audio.autoplay = true;
      audio.id = `listen-audio-${party}`;
      document.body.append(audio);
      this.audios.set(party, audio);
    }
    audio.srcObject = new MediaStream([track]);
  }

  async stop() {
    const session = this.session;
    this.session = null;
    for (const pc of this.parties.values()) pc.close();
    this.parties.clear();
    this.unpublish();
    for (const audio of this.audios.values()) audio.srcObject = null;
    if (this.panel) this.panel.hidden = true;
    if (session) {
      try {
        await del(`/api/supervisor/listening/${session.session}`);
      } catch {
        /* the call ended meanwhile: the server ended the session with it */
      }
    }
  }

  // The call ended (the contact left the agent): the server ended the session already.
  contactGone(contact) {
    if (this.session && this.session.contact === contact) {
      this.session = null;
      this.stop();
    }
  }

  showPanel(text) {
    if (!this.panel) {
      const stop = document.createElement("button");
      stop.type = "button";
      stop.className = "small";
      stop.id = "listen-stop";
      stop.textContent = "Stop";
      stop.onclick = () => this.stop();
      const label = document.createElement("span");
      label.id = "listen-text";
      this.panel = document.createElement("div");
      this.panel.id = "listen-panel";
      this.panel.className = "listen-panel";
      this.panel.setAttribute("role", "status");
      this.panel.append(label, " ", stop);
      document.body.append(this.panel);
    }
    this.panel.querySelector("#listen-text").textContent = text;
    this.panel.hidden = false;
  }
}

export class Coach {
  constructor(phone) {
    this.phone = phone; // the Softphone: its call's connection and microphone
    this.pc = null;
    this.mode = null;
    this.stream = null;
    this.audio = null;
    this.mixing = null; // { ctx, track } while a barge mixes into the call
    this.flag = null;
    this.publishers = new Map(); // session -> RTCPeerConnection sending the microphone
    this.sessions = new Map(); // session -> { mode, supervisor, shown }
    this.speaking = null; // the session whose supervisor this page hears
  }

  handle(message) {
    if (message.type === "voice-coach-published") {
      const pc = this.publishers.get(message.session);
      if (pc) pc.setRemoteDescription({ type: "answer", sdp: message.sdp }).catch(() => {});
      return;
    }
    if (message.contact !== this.phone.contact) return;
    if (message.type === "voice-coach") {
      this.sessions.set(message.session, { mode: message.mode, supervisor: message.supervisor, shown: message.shown !== false });
      this.renderFlag();
      if (message.switched) this.switched(message.session, message.mode);
      if (message.publish) this.publishMic(message.publish);
      if (message.sdp) {
        this.mode = message.mode;
        this.speaking = message.session;
        this.answer(message.contact, message.sdp);
      }
    } else if (message.type === "voice-coach-end") {
      // Only that supervisor's session ends: another may still be listening.
      this.sessions.delete(message.session);
      const pc = this.publishers.get(message.session);
      if (pc) pc.close();
      this.publishers.delete(message.session);
      if (this.speaking === message.session) {
        this.closeMedia();
        this.speaking = null;
        this.mode = null;
      }
      this.renderFlag();
    }
  }

  // The supervisor switched mode in the same session: to a listen, the page stops hearing
  // them; between whisper and barge, it keeps hearing them and mixes them into the call in
  // a barge only. A listen to a whisper brings its offer in a message of its own.
  switched(session, mode) {
    if (this.speaking !== session) return;
    if (mode === "listen") {
      this.closeMedia();
      this.speaking = null;
      this.mode = null;
      return;
    }
    this.mode = mode;
    if (mode === "barge") this.mix();
    else this.unmix();
  }

  renderFlag() {
    const shown = [...this.sessions.values()].filter((s) => s.shown);
    const last = shown[shown.length - 1];
    if (!last) {
      if (this.flag) this.flag.hidden = true;
      return;
    }
    const doing = { listen: "is listening", whisper: "is whispering to you", barge: "is in the call" }[last.mode] || "";
    this.showFlag(`${last.supervisor} ${doing}`);
  }

  // The supervisor hears the agent from this connection: the call's own microphone track
  // (muted with it), not the barge's mix.
  async publishMic(session) {
    const mic = this.phone.mic;
    if (!mic) return;
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.publishers.set(session, pc);
    for (const track of mic.getAudioTracks()) pc.addTransceiver(track, { direction: "sendonly", streams: [mic] });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    this.phone.send({ type: "voice-coach-publish", session, sdp: pc.localDescription.sdp });
  }

  async answer(contact, sdp) {
    this.closeMedia();
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    pc.ontrack = (ev) => {
      this.stream = ev.streams[0] || new MediaStream([ev.track]);
      // The agent hears the supervisor (Chrome also needs a playing element for WebAudio
      // to get a remote track's samples).
      if (!this.audio) {
        this.audio = document.createElement("audio");
        this.audio.autoplay = true;
        this.audio.id = "coach-audio";
        document.body.append(this.audio);
      }
      this.audio.srcObject = this.stream;
      if (this.mode === "barge") this.mix();
    };
    await pc.setRemoteDescription({ type: "offer", sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    this.phone.send({ type: "voice-coach-answer", contact, sdp: pc.localDescription.sdp });
    setTimeout(() => {
      if (this.pc === pc && pc.connectionState !== "connected") this.phone.send({ type: "voice-coach-lost", contact });
    }, RESUBSCRIBE_MS);
  }

  // Barge: what the call sends becomes the microphone plus the supervisor.
  mix() {
    const phone = this.phone;
    const sender = phone.pc && phone.sender;
    if (!sender || !phone.mic || !this.stream) return;
    this.unmix();
    const ctx = new AudioContext();
    const out = ctx.createMediaStreamDestination();
    ctx.createMediaStreamSource(phone.mic).connect(out);
    ctx.createMediaStreamSource(this.stream).connect(out);
    const track = out.stream.getAudioTracks()[0];
    track.enabled = !phone.muted;
    this.mixing = { ctx, track, sender, mic: phone.mic.getAudioTracks()[0] };
    sender.replaceTrack(track);
  }

  unmix() {
    if (!this.mixing) return;
    const { ctx, track, sender, mic } = this.mixing;
    this.mixing = null;
    if (this.phone.pc) sender.replaceTrack(mic).catch(() => {});
    track.stop();
    ctx.close();
  }

  setMuted(muted) {
    if (this.mixing) this.mixing.track.enabled = !muted;
  }

  closeMedia() {
    this.unmix();
    if (this.pc) this.pc.close();
    this.pc = null;
    this.stream = null;
    if (this.audio) this.audio.srcObject = null;
  }

  close() {
    this.closeMedia();
    for (const pc of this.publishers.values()) pc.close();
    this.publishers.clear();
    this.sessions.clear();
    this.speaking = null;
    this.mode = null;
    if (this.flag) this.flag.hidden = true;
  }

  showFlag(text) {
    if (!this.flag) {
      this.flag = document.createElement("div");
      this.flag.id = "coach-flag";
      this.flag.className = "coach-flag";
      this.flag.setAttribute("role", "status");
      (document.getElementById("softphone") || document.body).append(this.flag);
    }
    this.flag.textContent = text;
    this.flag.hidden = false;
  }
}

