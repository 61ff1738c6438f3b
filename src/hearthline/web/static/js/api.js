// The HTTP API as the pages use it: JSON in and out, the session cookie sent by the
// browser, and the session's CSRF token sent back in X-CSRF-Token on every unsafe call.
// Errors arrive as {"error": code, "message": text}; they become ApiError with that text.

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
let csrfToken = sessionStorage.getItem("hl.csrf") || "";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** No answer at all: offline, or the server is down. */
  get network() {
    return this.status === 0;
  }
}

export function setCsrf(token) {
  csrfToken = token || "";
  if (csrfToken) sessionStorage.setItem("hl.csrf", csrfToken);
  else sessionStorage.removeItem("hl.csrf");
}

export async function request(method, path, body = undefined, { timeoutMs = 15000, contentType = null } = {}) {
  const headers = { Accept: "application/json" };
  // A body with its own content type (a CSV file, say) goes as it is; anything else as JSON.
  if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
  if (!SAFE.has(method) && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : contentType ? body : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      signal: controller.signal,
    });
  } catch (err) {
    throw new ApiError(0, "network", "No connection to the server");
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const message = (data && data.message) || `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, (data && data.error) || "http", message);
  }
  return data;
}

export const get = (path) => request("GET", path);
export const post = (path, body = {}) => request("POST", path, body);
export const put = (path, body = {}) => request("PUT", path, body);
export const patch = (path, body = {}) => request("PATCH", path, body);
export const del = (path) => request("DELETE", path);

/** A path segment made safe for a URL. */
export const seg = (id) => encodeURIComponent(String(id));
