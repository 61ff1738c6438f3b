// Who is signed in, where their role belongs, and signing out.

import { forgetDrafts, sendUnsent } from "./drafts.js";
import { ApiError, get, post, seg, setCsrf } from "./api.js";
import { h } from "./dom.js";
import { forgetProcedures } from "./procedures.js";

export const HOME_BY_ROLE = {
  agent: "/agent",
  supervisor: "/supervisor",
  client_viewer: "/supervisor",
  admin: "/supervisor",
};

const USER_KEY = "hl.user";
// The agent desktop's last desk read, kept for a reload while offline.
export const DESK_KEY = "hl.desk";
// The supervisor console's layout choices: kept on sign-out (see endSession).
const CONSOLE_KEY = "hl.console";
// Set as a page signs out, for the sign-in page it goes to (see endSession).
const LEAVING_KEY = "hl.leaving";

/** The signed-in user ({id, username, display_name, role, client_id, agent_id}) or null. */
export async function currentUser() {
  try {
    const session = await get("/api/auth/me");
    setCsrf(session.csrf_token);
    localStorage.setItem(USER_KEY, JSON.stringify(session.user));
    return session.user;
  } catch (err) {
    if (err instanceof ApiError && err.network) {
      // Offline: the last user this browser saw lets the agent keep their draft open.
      const cached = cachedUser();
      if (cached) return { ...cached, offline: true };
    }
    if (err instanceof ApiError && err.status === 401) localStorage.removeItem(USER_KEY);
    return null;
  }
}

export function cachedUser() {
  try {
    return JSON.parse(localStorage.getItem(USER_KEY) || "null");
  } catch {
    return null;
  }
}

export async function signIn(username, password, code) {
  const body = code === undefined ? { username, password } : { username, password, code };
  const session = await post("/api/auth/login", body);
  setCsrf(session.csrf_token);
  localStorage.setItem(USER_KEY, JSON.stringify(session.user));
  return session.user;
}

/**
 * Signing out from any page: first the notes the server has not got are sent; any still
 * unsent are discarded only if the user says so (false: they chose to stay).
 */
export async function signOutSession() {
  if (!(await settleDrafts())) return false;
  await endSession();
  return true;
}

/**
 * Sends this browser's unsent note drafts; if some still cannot be sent (the server is
 * unreachable, or refuses them), asks whether to discard them.
 * @returns true to go on signing out, false to stay with everything kept
 */
export async function settleDrafts() {
  const user = cachedUser();
  const agent = user && user.agent_id;
  const send = (contact, record) =>
    post(`/api/agent/contacts/${seg(contact)}/notes`, {
      revision: record.revision,
      text: record.text,
      fields: record.fields || {},
    });
  const left = await sendUnsent(agent, send);
  return left.length === 0 || askDiscard(left);
}

/** "Sign out and discard N unsent notes?", naming their contacts; Cancel keeps them. */
function askDiscard(left) {
  const n = left.length;
  const title = `Sign out and discard ${n} unsent note${n === 1 ? "" : "s"}?`;
  const cancel = h("button", { type: "button", id: "signout-cancel", class: "primary" }, "Cancel");
  const discard = h("button", { type: "button", id: "signout-discard" }, "Discard and sign out");
  const dialog = h(
    "dialog",
    { id: "signout-dialog", "aria-labelledby": "signout-title" },
    h("h2", { id: "signout-title" }, title),
    h("p", {}, "The server has not got these notes, and signing out removes them from this browser:"),
    h(
      "ul",
      { id: "signout-unsent" },
      left.map((d) => h("li", {}, d.contact !== null ? `Contact ${d.contact}` : `Another user's note (${d.label})`)),
    ),
    h("div", { class: "actions" }, cancel, discard),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener("click", () => done(false));
    discard.addEventListener("click", () => done(true));
    dialog.addEventListener("cancel", (ev) => {
      ev.preventDefault(); // Escape is Cancel
      done(false);
    });
    dialog.showModal();
    cancel.focus();
  });
}

/** Ends the session and leaves nothing of the user in this browser's storage. */
export async function endSession() {
  // A request still in flight on this page (the desk, a procedures sync) may write again
  // before the page unloads, and the stream closing as the session ends may send the page
  // to sign-in before this is done: the sign-in page forgets once more (finishSignOut).
  sessionStorage.setItem(LEAVING_KEY, "1");
  try {
    await post("/api/auth/logout");
  } catch {
    // Unreachable or already signed out: this browser forgets the user all the same.
  } finally {
    setCsrf("");
    await forgetEverything();
    sessionStorage.setItem(LEAVING_KEY, "1");
    location.assign("/");
  }
}

/** On the sign-in page, after a sign-out: forgets what the last page wrote as it left. */
export async function finishSignOut() {
  if (sessionStorage.getItem(LEAVING_KEY) !== null) await forgetEverything();
}

/**
 * The drafts (sent or discarded by then), the desk (contact, customer, script), the call
 * guide's walks and unsent paths, the user, the CSRF token and the offline procedures.
 * The supervisor console's layout (hl.console) is the browser's, not anyone's work.
 */
async function forgetEverything() {
  forgetDrafts();
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith("hl.") && key !== CONSOLE_KEY) localStorage.removeItem(key);
  }
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith("hl.")) sessionStorage.removeItem(key);
  }
  await forgetProcedures();
}

/**
 * The page's user, if their role may use it; otherwise off to sign-in (or their own page).
 * @param {string[]} roles roles this page serves
 */
export async function requireUser(roles) {
  const user = await currentUser();
  if (!user) {
    location.replace(`/?next=${encodeURIComponent(location.pathname)}`);
    return new Promise(() => {}); // never resolves: the page is going away
  }
  if (!roles.includes(user.role)) {
    location.replace(HOME_BY_ROLE[user.role] || "/");
    return new Promise(() => {});
  }
  return user;
}

/** Registers the service worker that keeps the pages openable while offline. */
export function keepPagesOffline() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
}
