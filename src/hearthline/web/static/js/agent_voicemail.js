// A callback's voicemail on the agent's desk: the message the caller left, to hear before
// calling them back, while the callback rings and in the contact panel once it is taken.
// One panel for both places: the message is asked for once per contact and its player
// moves from the ringing offer to the contact panel, so a message heard while it rings
// plays on after the agent accepts. The server lists it only to the agent it is offered
// to or who has it; each playback from the start is audited there. preload="none":
// opening the desk is not a playback.

import { recordingsOf } from "./recording_player.js";
import { fill, h } from "./dom.js";
import { duration } from "./format.js";

export class VoicemailPanel {
  constructor() {
    this.contact = null;
    this.list = [];
    this.where = null; // the place it shows in now
    this.body = h("div", { class: "voicemail-body" });
  }

  /** Shows in ``where`` the voicemail of ``contact`` when it is a callback with one. */
  async show(contact, where) {
    if (where !== this.where) {
      if (this.where) this.where.classList.add("hidden");
      this.where = where;
      where.append(this.body); // moved, player and all
      where.classList.toggle("hidden", !this.list.length);
    }
    const id = contact && contact.channel === "callback" ? contact.id : null;
    if (id === this.contact) return;
    this.contact = id;
    this.list = [];
    fill(this.body);
    where.classList.add("hidden");
    if (!id) return;
    const found = (await recordingsOf(id)).filter((r) => r.kind === "voicemail");
    if (this.contact !== id) return; // another contact's by now
    this.list = found;
    this._render();
  }

  /** Stops the message if it is still in ``where`` (an offer declined or missed). */
  pauseIn(where) {
    if (this.where === where) for (const audio of this.body.querySelectorAll("audio")) audio.pause();
  }

  _render() {
    this.where.classList.toggle("hidden", !this.list.length);
    fill(this.body, ...this.list.flatMap((r) => [
      h("p", { class: "small voicemail-label" }, `Voicemail · ${duration(r.seconds)} · hear it before you call back`),
      h("audio", { controls: true, preload: "none", src: r.url, class: "voicemail-player", dataset: { id: r.id } }),
    ]));
  }
}
