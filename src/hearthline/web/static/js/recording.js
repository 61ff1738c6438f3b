// The agent's pause and resume of a call's recording (a card number read out): a button
// beside Mute while the call's audio is in this page. The server says whether the call
// is recorded at all (409 when not, shown as a toast) and logs each pause and resume.

import { post, seg } from "./api.js";

export class RecordingControl {
  constructor({ button, flag, contact, onError }) {
    this.button = button;
    this.flag = flag;
    this.contact = contact; // () => the contact of the call in this page, or null
    this.onError = onError;
    this.paused = false;
    this.shownFor = null;
    button.addEventListener("click", () => this.toggle());
  }

  // Shown while a call is in this page; a new call starts recording (not paused).
  render() {
    const contact = this.contact();
    if (contact !== this.shownFor) {
      this.shownFor = contact;
      this.paused = false;
    }
    this.button.classList.toggle("hidden", !contact);
    this.button.disabled = !contact;
    this.button.textContent = this.paused ? "Resume recording" : "Pause recording";
    this.button.setAttribute("aria-pressed", String(this.paused));
    this.flag.classList.toggle("hidden", !(contact && this.paused));
  }

  async toggle() {
    const contact = this.contact();
    if (!contact) return;
    this.button.disabled = true;
    try {
      const done = await post(`/api/agent/contacts/${seg(contact)}/recording/${this.paused ? "resume" : "pause"}`);
      this.paused = done.paused;
    } catch (err) {
      this.onError(err.message || String(err));
    } finally {
      this.render();
    }
  }
}
