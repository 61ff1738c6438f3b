// The sign-in page: a signed-in visitor goes straight to their page; others sign in.

import { post } from "./api.js";
import { $ } from "./dom.js";
import { HOME_BY_ROLE, currentUser, finishSignOut, signIn } from "./session.js";

function destination(user) {
  const next = new URLSearchParams(location.search).get("next");
  const home = HOME_BY_ROLE[user.role] || "/";
  // Only our own pages, and only one the role may use (an agent asked for /admin: no).
  const allowed = user.role === "agent" ? ["/agent", "/reports"] : ["/supervisor", "/reports", "/admin"];
  if (user.role === "client_viewer") allowed.splice(2);
  return next && allowed.includes(next) ? next : home;
}

// Where the server has the call page on for this visitor, a link to it.
async function showCallLink() {
  const response = await fetch("/api/call-page", { headers: { Accept: "application/json" } }).catch(() => null);
  if (response && response.ok) $("#call-link").hidden = false;
}

async function start() {
  showCallLink();
  await finishSignOut();
  const user = await currentUser();
  if (user && !user.offline) {
    location.replace(destination(user));
    return;
  }
  const form = $("#signin");
  const error = $("#signin-error");
  const button = $("#signin-button");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const username = $("#username").value.trim();
    const password = $("#password").value;
    const asked = !$("#code-field").hidden;
    const code = $("#code").value.trim();
    if (!username || !password) {
      error.textContent = "Enter your username and password.";
      return;
    }
    if (asked && !code) {
      error.textContent = "Enter the code from your authenticator app.";
      return;
    }
    button.disabled = true;
    try {
      const signedIn = await signIn(username, password, asked ? code : undefined);
      if (signedIn.must_enrol) await enrol(signedIn, password);
      else location.assign(destination(signedIn));
    } catch (err) {
      button.disabled = false;
      if (err.code === "two-factor-required") {
        // The password was right; this account also needs its second factor.
        $("#code-field").hidden = false;
        $("#code").focus();
        return;
      }
      error.textContent = err.message || "Could not sign in.";
      if (asked && err.code === "wrong-code") $("#code").select();
      else $("#password").select();
    }
  });
  button.disabled = false;
}

/** The firm requires a second factor this user has not set up: set it up now. */
async function enrol(user, password) {
  $("#signin").style.display = "none";
  $("#enrol").hidden = false;
  const error = $("#enrol-error");
  const started = await post("/api/auth/two-factor", { password });
  $("#enrol-secret").textContent = started.secret.replace(/(.{4})(?!$)/g, "$1 ");
  $("#enrol-code").focus();
  $("#enrol-button").addEventListener("click", async () => {
    error.textContent = "";
    try {
      const done = await post("/api/auth/two-factor/confirm", { code: $("#enrol-code").value.trim() });
      const list = $("#recovery-codes");
      for (const code of done.recovery_codes) {
        const item = document.createElement("li");
        item.textContent = code;
        list.append(item);
      }
      $("#enrol-button").style.display = "none";
      $("#recovery").hidden = false;
      $("#enrol-done").addEventListener("click", () => location.assign(destination(user)));
    } catch (err) {
      error.textContent = err.message || "Could not turn it on.";
      $("#enrol-code").select();
    }
  });
}

start();
