// Consult transfers on the desk: the agent on a call asks a free colleague to talk first
// (the caller is held, hearing music), then hands the contact over or takes the caller
// back. The desk (GET /api/agent/desk, its "consult") says who is in which consult; the
// stream's events say when it changed.
//
// ConsultDesk: the asker's bar (Asking… / Hand over / Return) and the colleague's ring
// and panel (Accept / Decline, then Hang up the consult), with the caller's record.
// ConsultAudio: the two agents' voices, joined through the media engine as a whisper is
// (telephony/consult.py): each page publishes its microphone and hears the other's.

import { post, seg } from "./api.js";
import * as clock from "./clock.js";
import { $, h, setText, toast } from "./dom.js";
import { gathered } from "./ice.js";
import { startRinging, stopRinging } from "./ring.js";

const RESUBSCRIBE_MS = 3000;

export class ConsultDesk {
  constructor({ customer, queueName, refresh }) {
    this.customer = customer; // the customer panel's lookups (offerCustomer)
    this.queueName = queueName;
    this.refresh = refresh;
    this.consult = null; // the desk's consult, or null
    this.contact = null; // the desk's contact (the caller's record)
    this.ringing = null; // {contact, expires_at, total_s} while the colleague's desk rings
    this._wire();
  }

  _wire() {
    $("#consult-accept").addEventListener("click", () => this._do("accept"));
    $("#consult-decline").addEventListener("click", () => this._do("decline"));
    $("#consult-end").addEventListener("click", () => this._do("end"));
    $("#handover-button").addEventListener("click", () => this._do("hand-over"));
    $("#return-button").addEventListener("click", () => this._do("end"));
  }

  /** A ConsultRequested for this agent: ring at once, before the desk is read again. */
  rang(event) {
    this.ringing = { contact: event.contact, expires_at: event.expires_at, total_s: Math.max(1, event.expires_at - event.at) };
    startRinging();
  }

  render(desk) {
    const consult = desk ? desk.consult : null;
    this.consult = consult;
    this.contact = desk ? desk.contact : null;
    const consulted = consult && consult.role === "consulted";
    const asked = consult && consult.role === "asked";
    // The colleague's side: a layer over the desk, ringing, then the consult itself.
    $("#consult-layer").classList.toggle("hidden", !consulted);
    if (consulted) {
      const contact = this.contact;
      setText($("#consult-title"), consult.accepted ? `Consulting with ${consult.other_name}` : `${consult.other_name} asks you to consult`);
      setText($("#consult-who"), consult.other_name);
      setText($("#consult-caller"), contact ? contact.caller || "Unknown number" : "…");
      setText($("#consult-queue"), contact ? this.queueName(contact.queue) : "…");
      if (contact) this.customer.offerCustomer(contact, desk.campaign_id, $("#consult-customer"));
      setText(
        $("#consult-note"),
        consult.accepted
          ? "You and the agent hear each other; the caller hears music. They hand the call over to you, or take it back."
          : "The caller is on hold. Accept to talk with the agent first.",
      );
      for (const id of ["#consult-accept", "#consult-decline"]) $(id).classList.toggle("hidden", consult.accepted);
      $("#consult-end").classList.toggle("hidden", !consult.accepted);
      $("#consult-ring").classList.toggle("hidden", consult.accepted);
      if (consult.accepted) this._stopRing();
      else if (!this.ringing || this.ringing.contact !== consult.contact) {
        this.ringing = { contact: consult.contact, expires_at: null, total_s: 1 };
        startRinging();
      }
    } else {
      this._stopRing();
    }
    // The asker's side: a bar in the call's controls.
    $("#consult-bar").classList.toggle("hidden", !asked);
    if (asked) {
      setText(
        $("#consult-status"),
        consult.accepted
          ? `Consulting ${consult.other_name} · the caller hears music`
          : `Asking ${consult.other_name}… · the caller hears music`,
      );
      $("#handover-button").disabled = !consult.accepted;
    }
  }

  tick() {
    const r = this.ringing;
    if (!r || !r.expires_at) {
      setText($("#consult-left"), "–");
      return;
    }
    const left = clock.until(r.expires_at);
    setText($("#consult-left"), left === null ? "–" : Math.max(0, Math.ceil(left)));
  }

  _stopRing() {
    if (this.ringing) stopRinging();
    this.ringing = null;
  }

  /** An event of a consult this page's agent asked for: the colleague's answer. */
  told(event) {
    if (event.type === "ConsultDeclined") {
      toast(event.timed_out ? "No answer to the consult: the caller is still on hold." : "The consult was declined: the caller is still on hold.");
    } else if (event.type === "ConsultEnded" && event.side === "consulted") {
      toast("The colleague left the consult: the caller is back with you.");
    }
  }

  async _do(verb) {
    const consult = this.consult;
    if (!consult) return;
    if (verb === "accept" || verb === "decline") this._stopRing();
    try {
      await post(`/api/agent/contacts/${seg(consult.contact)}/consult/${verb}`);
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
    this.refresh();
  }
}

export class ConsultAudio {
  constructor({ phone, send }) {
    this.phone = phone; // the Softphone: the asker's call and microphone
    this.send = send;
    this.contact = null;
    this.publisher = null; // RTCPeerConnection sending this agent's microphone
    this.pc = null; // RTCPeerConnection hearing the other agent
    this.stream = null; // the other agent's audio, for checking by frequency
    this.ownMic = null; // a microphone opened for the consult (the colleague has no call)
    this.silenced = null; // the asker's call sender while it sends silence
    this.audio = null;
  }

  handle(message) {
    if (message.type === "voice-consult-published") {
      if (this.publisher && message.contact === this.contact) {
        this.publisher.setRemoteDescription({ type: "answer", sdp: message.sdp }).catch(() => {});
      }
    } else if (message.type === "voice-consult") {
      if (message.publish) this.publish(message.contact);
      if (message.sdp) this.hear(message.contact, message.sdp);
    } else if (message.type === "voice-consult-end" && message.contact === this.contact) {
      this.close();
    }
  }

  async publish(contact) {
    this.close();
    this.contact = contact;
    try {
      let mic = this.phone.contact === contact ? this.phone.mic : null;
      if (mic) this.silenceCall();
      if (!mic) {
        mic = this.ownMic = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      }
      await this.sendMic(contact, mic);
    } catch (err) {
      toast(`The consult's audio could not start: ${err.message || err}`, { kind: "error" });
    }
  }

  // Published again if it is not connected in time (the DTLS race listening in knows too):
  // the server then offers the other page the new one.
  async sendMic(contact, mic) {
    if (this.publisher) this.publisher.close();
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.publisher = pc;
    for (const track of mic.getAudioTracks()) pc.addTransceiver(track, { direction: "sendonly", streams: [mic] });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    if (this.publisher !== pc) return;
    this.send({ type: "voice-consult-publish", contact, sdp: pc.localDescription.sdp });
    setTimeout(() => {
      if (this.publisher === pc && this.contact === contact && pc.connectionState !== "connected") {
        this.sendMic(contact, mic).catch(() => {});
      }
    }, RESUBSCRIBE_MS);
  }

  async hear(contact, sdp) {
    if (this.contact !== contact) return;
    if (this.pc) this.pc.close();
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    this.stream = null; // the closed connection's, until this one's track arrives
    pc.ontrack = (ev) => {
      this.stream = ev.streams[0] || new MediaStream([ev.track]);
      if (!this.audio) {
        this.audio = h("audio", { id: "consult-audio" });
        this.audio.autoplay = true;
        document.body.append(this.audio);
      }
      this.audio.srcObject = this.stream;
    };
    await pc.setRemoteDescription({ type: "offer", sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    this.send({ type: "voice-consult-answer", contact, sdp: pc.localDescription.sdp });
    setTimeout(() => this.checkHearing(pc, contact), RESUBSCRIBE_MS);
  }

  // Not connected, or connected with no packet from the other agent (a subscription made
  // as their microphone was still connecting got nothing, now and then): a new offer.
  async checkHearing(pc, contact) {
    if (this.pc !== pc || this.contact !== contact) return;
    let packets = 0;
    if (pc.connectionState === "connected") {
      (await pc.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp") packets += r.packetsReceived || 0;
      });
    }
    if (this.pc === pc && packets === 0) this.send({ type: "voice-consult-lost", contact });
  }

  // The asker's call sends silence while they consult: the caller, held, must not hear
  // the two agents (the packets go on, so the leg does not look dropped). Nor does the
  // asker hear the held caller meanwhile: the call's speaker is muted on this page.
  silenceCall() {
    const phone = this.phone;
    const sender = phone.pc && phone.pc.getSenders().find((x) => x.track && x.track.kind === "audio");
    if (!sender || this.silenced) return;
    const ctx = new AudioContext();
    const track = ctx.createMediaStreamDestination().stream.getAudioTracks()[0];
    this.silenced = { ctx, track, sender, mic: sender.track };
    sender.replaceTrack(track).catch(() => {});
    if (phone.audio) phone.audio.muted = true;
  }

  unsilenceCall() {
    if (!this.silenced) return;
    const { ctx, track, sender, mic } = this.silenced;
    this.silenced = null;
    if (this.phone.pc) sender.replaceTrack(mic).catch(() => {});
    if (this.phone.audio) this.phone.audio.muted = false;
    track.stop();
    ctx.close();
  }

  close() {
    this.unsilenceCall();
    if (this.publisher) this.publisher.close();
    if (this.pc) this.pc.close();
    if (this.ownMic) for (const t of this.ownMic.getTracks()) t.stop();
    this.publisher = this.pc = this.stream = this.ownMic = null;
    this.contact = null;
    if (this.audio) this.audio.srcObject = null;
  }
}
