// The softphone: the agent's leg of a real call, in the browser (WebRTC). No SIP here: the
// server sends the media engine's offer over the stream once the agent accepts a call,
// and this page answers over the same socket. Hanging up is the desk's normal Hang up.
// Mute is the agent's own: the microphone's track is disabled (the caller hears silence)
// and nothing is sent to the server.
//
//   server -> {"type":"voice-offer","contact":ID,"sdp":...}
//   page   -> {"type":"voice-answer","contact":ID,"sdp":...}
//   page   -> {"type":"voice-restart","contact":ID}  (ICE disconnected: asks a fresh offer)
//   server -> {"type":"voice-offer","contact":ID,"sdp":...,"restart":true}  (answered in place)
//   page   -> {"type":"voice-lost","contact":ID}   (the call's media failed: ICE)
//   server -> {"type":"voice-end","contact":ID} | {"type":"voice-error","message":...}
//
// A connection that falters ("disconnected") is restarted (new ICE credentials on the
// same connection), its microphone held back (_feed), again every RESTART_EVERY_MS
// while it is down; not connected again
// within LOST_AFTER_MS, or failed, it is reported lost and the server's grace period
// applies, while the restarts go on until it is back or the call is taken away: after
// an outage longer than Chromium's ICE waits (it failed about 10 s after
// "disconnected"), only a restart brings the same call back.

import { Coach } from "./listen.js";
import { gathered } from "./ice.js";

const RESTART_EVERY_MS = 5000;
const LOST_AFTER_MS = 8000;

export class Softphone {
  constructor({ send, onStatus, onError, onChange = () => {} }) {
    this.send = send;
    this.onStatus = onStatus;
    this.onError = onError;
    this.onChange = onChange; // a call began or ended, or the microphone was (un)muted
    this.pc = null;
    this.contact = null;
    this.mic = null;
    this.sender = null; // the connection's sender of the microphone
    this.muted = false;
    this.audio = null; // made on the first call: a page that takes none plays no media
    this.restartTimer = null; // the next restart while the connection is down
    this.lostTimer = null; // runs from the first restart: past it, the call is lost
    this.lostSent = false;
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
    else if (message.type === "voice-offer" && message.restart) this.reanswer(message.contact, message.sdp);
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
      const [track] = this.mic.getAudioTracks();
      this.sender = pc.addTrack(track, this.mic);
      this.onChange();
      pc.ontrack = (ev) => {
        this.speaker().srcObject = ev.streams[0] || new MediaStream([ev.track]);
      };
      pc.onconnectionstatechange = () => {
        if (pc !== this.pc) return;
        if (pc.connectionState === "connected") {
          this._feed(true);
          this._settled();
          this.onStatus("On the call: talking", true);
        }
        if (pc.connectionState === "disconnected") {
          this._feed(false);
          this.restart();
        }
        if (pc.connectionState === "failed") {
          this._feed(false);
          this.lost();
          this.restart();
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

  // While the connection is down Chromium keeps the microphone's packets and sends them
  // all at once when it is back (about 600 in a few milliseconds after a 20 s outage);
  // rtpengine 10.5 stops reading a socket for good once it has found more than 50
  // packets waiting five times, and the caller then never hears the agent again. So the
  // connection is fed nothing while it is down, and the microphone again once it is up.
  _feed(on) {
    // A supervisor barging in has the sender carry the microphone mixed with them.
    const mixed = this.coach.mixing && this.coach.mixing.track;
    const track = mixed || (this.mic && this.mic.getAudioTracks()[0]);
    if (!this.sender || !track) return;
    this.sender.replaceTrack(on ? track : null).catch(() => {});
  }

  /** Asks the server for a fresh offer to restart ICE, and again while it is down; a
   * loss if not connected again in time. */
  restart() {
    if (!this.pc || this.restartTimer) return;
    const contact = this.contact;
    const down = () => this.pc && this.contact === contact && this.pc.connectionState !== "connected";
    if (!this.lostSent) this.onStatus("Call audio interrupted: reconnecting…");
    this.send({ type: "voice-restart", contact });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (down()) this.restart();
    }, RESTART_EVERY_MS);
    if (!this.lostTimer) {
      this.lostTimer = setTimeout(() => {
        this.lostTimer = null;
        if (down()) this.lost();
      }, LOST_AFTER_MS);
    }
  }

  /** The server's fresh offer, answered on the same connection (ICE starts again). */
  async reanswer(contact, sdp) {
    const pc = this.pc;
    if (!pc || contact !== this.contact) return;
    try {
      await pc.setRemoteDescription({ type: "offer", sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      if (pc !== this.pc) return;
      this.send({ type: "voice-answer", contact, sdp: pc.localDescription.sdp });
      // A connection that never went down stays "connected" through the restart, so no
      // state change will say it is back.
      if (pc.connectionState === "connected") {
        this._settled();
        this.onStatus("On the call: talking", true);
      }
    } catch (err) {
      this.onError(`The call audio could not reconnect: ${err.message || err}`);
    }
  }

  // A lost connection to the server: the caller waits again for the next agent if this
  // one does not come back within the server's grace period.
  lost() {
    if (!this.pc || this.lostSent) return;
    this.lostSent = true;
    this.onStatus("Call audio lost: reconnecting…");
    this.send({ type: "voice-lost", contact: this.contact });
  }

  // Connected again (or the call is over): no more restarts, and a later loss is a new one.
  _settled() {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.lostTimer) clearTimeout(this.lostTimer);
    this.restartTimer = this.lostTimer = null;
    this.lostSent = false;
  }

  close(status) {
    this._settled();
    this.coach.close();
    if (this.pc) this.pc.close();
    if (this.mic) for (const t of this.mic.getTracks()) t.stop();
    const had = this.pc !== null;
    this.pc = null;
    this.sender = null;
    this.mic = null;
    this.contact = null;
    this.muted = false; // the next call starts with the microphone on
    if (this.audio) this.audio.srcObject = null;
    if (status) this.onStatus(status);
    if (had) this.onChange();
  }
}

