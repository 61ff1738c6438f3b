// A callback dialled out (docs/voice.md, "Callbacks dialled out"): the server dials the
// customer when the agent accepts it and says how it goes over the stream; after busy,
// no answer or a failure the agent dials again here, or hangs up and gives the contact
// its outcome in the wrap-up as for any contact.
//
//   server -> {"type":"voice-dial","contact":ID,"state":"dialling"|"ringing"|"answered"|
//              "busy"|"no-answer"|"failed"|"not-dialled"|"cancelled","number":..,"code":..,"text":..}

import { post, seg } from "./api.js";

const AGAIN = new Set(["busy", "no-answer", "failed"]);

export class Dialling {
  constructor({ button, onStatus, onError }) {
    this.button = button;
    this.onStatus = onStatus;
    this.onError = onError;
    this.contact = null;
    button.addEventListener("click", () => this.again());
  }

  handle(message) {
    const number = message.number || "the customer";
    const said = {
      dialling: `Dialling ${number}…`,
      ringing: `Ringing ${number}…`,
      answered: `${number} answered: connecting…`,
      busy: `${number} is busy`,
      "no-answer": `No answer from ${number}`,
      failed: `The call to ${number} failed${message.code ? ` (${message.code})` : ""}`,
      "not-dialled": `Not dialled: ${message.text || "no number to dial"}`,
      cancelled: "Call cancelled",
    }[message.state];
    if (said) this.onStatus(said);
    this.contact = AGAIN.has(message.state) ? message.contact : null;
    this.button.classList.toggle("hidden", this.contact === null);
  }

  async again() {
    if (!this.contact) return;
    const contact = this.contact;
    this.button.classList.add("hidden");
    try {
      await post(`/api/agent/contacts/${seg(contact)}/dial`);
    } catch (err) {
      this.onError(err.message || String(err));
    }
  }

  clear() {
    this.contact = null;
    this.button.classList.add("hidden");
  }
}
