// A callback's voicemail on the agent's desk: the message the caller left, to hear before
// calling them back, while the callback rings and in the contact panel once it is taken.
// The server lists it only to the agent it is offered to or who has it; each playback
// from the start is audited there. preload="none": opening the desk is not a playback.

import { recordingsOf } from "./recording_player.js";
import { fill, h } from "./dom.js";
import { duration } from "./format.js";

export class VoicemailPanel {
  constructor(where) {
    this.where = where;
    this.contact = null;
    this.found = Promise.resolve([]);
  }

  /** Shows the voicemail of ``contact`` when it is a callback with one; else nothing. */
  async show(contact) {
    const id = contact && contact.channel === "callback" ? contact.id : null;
    if (id !== this.contact) {
      this.contact = id;
      this.found = id
        ? recordingsOf(id).then((list) => list.filter((r) => r.kind === "voicemail"))
        : Promise.resolve([]);
      fill(this.where);
      this.where.classList.add("hidden");
      const list = await this.found;
      if (this.contact === id) this._render(list); // not another contact's by now
    }
  }

  _render(list) {
    this.where.classList.toggle("hidden", !list.length);
    fill(this.where, ...list.flatMap((r) => [
      h("p", { class: "small voicemail-label" }, `Voicemail · ${duration(r.seconds)} · hear it before you call back`),
      h("audio", { controls: true, preload: "none", src: r.url, class: "voicemail-player", dataset: { id: r.id } }),
    ]));
  }
}
