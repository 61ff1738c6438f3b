// The sign-in page: a signed-in visitor goes straight to their page; others sign in.

import { $ } from "./dom.js";
import { HOME_BY_ROLE, currentUser, signIn } from "./session.js";

function destination(user) {
  const next = new URLSearchParams(location.search).get("next");
  const home = HOME_BY_ROLE[user.role] || "/";
  // Only our own pages, and only one the role may use (an agent asked for /admin: no).
  const allowed = user.role === "agent" ? ["/agent"] : ["/supervisor", "/admin"];
  if (user.role === "client_viewer") allowed.splice(1);
  return next && allowed.includes(next) ? next : home;
}

async function start() {
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
    if (!username || !password) {
      error.textContent = "Enter your username and password.";
      return;
    }
    button.disabled = true;
    try {
      const signedIn = await signIn(username, password);
      location.assign(destination(signedIn));
    } catch (err) {
      error.textContent = err.message || "Could not sign in.";
      button.disabled = false;
      $("#password").select();
    }
  });
}

start();
