// Who is signed in, where their role belongs, and signing out.

import { forgetSaved } from "./drafts.js";
import { ApiError, get, post, setCsrf } from "./api.js";

export const HOME_BY_ROLE = {
  agent: "/agent",
  supervisor: "/supervisor",
  client_viewer: "/supervisor",
  admin: "/supervisor",
};

const USER_KEY = "hl.user";
// The agent desktop's last desk read, kept for a reload while offline.
export const DESK_KEY = "hl.desk";

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

export async function signIn(username, password) {
  const session = await post("/api/auth/login", { username, password });
  setCsrf(session.csrf_token);
  localStorage.setItem(USER_KEY, JSON.stringify(session.user));
  return session.user;
}

export async function signOutSession() {
  try {
    await post("/api/auth/logout");
  } finally {
    setCsrf("");
    localStorage.removeItem(USER_KEY);
    // What the pages kept of this user's work: the desk (contact, customer, script) and
    // the notes the server already has. Notes it lacks stay until it gets them.
    localStorage.removeItem(DESK_KEY);
    forgetSaved();
    location.assign("/");
  }
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
