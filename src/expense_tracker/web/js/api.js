// Talks to /api on the same origin (locally and behind CloudFront alike). Adds the access
// token, refreshes it shortly before it expires, and on a 401 refreshes once and retries.

import { clearSession, loadSession, saveSession } from "./session.js";
import { send } from "./transport.js";

/** An answer that was not 2xx, carrying the problem+json body. */
export class ApiError extends Error {
  constructor(status, problem = {}, retryAfter = null) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** `errors[]` of a validation problem, as {field: message}. */
  get fieldErrors() {
    const out = {};
    for (const { field, message } of this.problem.errors ?? []) {
      out[field] = out[field] ? `${out[field]}; ${message}` : message;
    }
    return out;
  }
}

/** Thrown when there is no usable session left; the page is already on its way to sign-in. */
export class SessionEnded extends Error {}

/** "amount: must be positive" -> "Amount must be positive." */
function fieldSentence({ field, message }) {
  const name = field === "body" || !field ? "" : `${field.replaceAll("_", " ")} `;
  const text = `${name}${message}`.trim();
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? "" : "."}`;
}

/** What to tell a person about a failure: never a raw "Failed to fetch" or status line. */
export function explain(error) {
  if (error instanceof SessionEnded) return error.message;
  if (!(error instanceof ApiError)) {
    return navigator.onLine === false
      ? "You are offline. Check your connection and try again."
      : "The server cannot be reached. Check your connection and try again.";
  }
  if (error.status === 429) {
    return `Too many requests. Please wait ${error.retryAfter ?? 60} seconds and try again.`;
  }
  if (error.status >= 500) return "The server had a problem. Please try again in a moment.";
  if (error.status === 413) return "That is too large to send.";
  const errors = error.problem.errors ?? [];
  if (errors.length) return errors.map(fieldSentence).join(" ");
  return error.message || "Something went wrong. Please try again.";
}

export async function problemOf(response) {
  let body = {};
  if ((response.headers.get("content-type") ?? "").includes("json")) {
    body = await response.json().catch(() => ({}));
  }
  const retry = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
  return new ApiError(response.status, body, Number.isFinite(retry) ? retry : null);
}

/** Unauthenticated JSON call (sign-up, sign-in, confirm). */
export async function publicCall(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await problemOf(response);
  return response.status === 204 ? null : response.json();
}

export async function signIn(email, password) {
  saveSession(await publicCall("/api/auth/login", { email, password }));
  scheduleRefresh();
}

let refreshing = null;
let timer = null;
/** No usable session: forget it and go to the sign-in page, which says why. */
function endSession() {
  clearTimeout(timer);
  clearSession();
  const next = location.pathname === "/tracker.html" && location.search
    ? `&next=${encodeURIComponent(location.pathname + location.search)}` : "";
  location.assign(`/login.html?expired=1${next}`);
  return new SessionEnded("Your session has ended; please sign in again");
}

// Refresh tokens are single-use, so concurrent callers must share one refresh.
function refresh() {
  refreshing ??= (async () => {
    const session = loadSession();
    if (!session) throw endSession();
    let response;
    try {
      response = await fetch("/api/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: session.refresh_token }),
      });
    } catch (error) {
      scheduleRefresh(5000); // offline for now: try again soon, keep the session
      throw error;
    }
    if (response.status === 400 || response.status === 401) throw endSession();
    if (!response.ok) throw await problemOf(response);
    const fresh = saveSession(await response.json());
    scheduleRefresh();
    return fresh;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Refresh a little before expiry: a minute early, or a fifth of a short lifetime. */
export function scheduleRefresh(delay = null) {
  clearTimeout(timer);
  const session = loadSession();
  if (!session) return;
  const margin = Math.min(60_000, (session.lifetime ?? 60_000) / 5);
  const wait = delay ?? Math.max(0, session.expires_at - margin - Date.now());
  timer = setTimeout(() => refresh().catch(() => {}), wait);
}

async function currentSession() {
  const session = loadSession();
  if (!session) throw endSession();
  // A timer can fire late (a sleeping laptop); never send a token we know is stale.
  const nearly = Math.min(5000, (session.lifetime ?? 60_000) / 10);
  return session.expires_at - Date.now() < nearly ? refresh() : session;
}

/**
 * Call the API with the access token. `json` is sent as a JSON body; `onProgress` switches
 * to XMLHttpRequest for upload progress. Resolves to the Response; throws ApiError when not 2xx.
 */
/**
 * @param {string} path
 * @param {{method?: string, json?: unknown, body?: any, headers?: Record<string, string>,
 *   onProgress?: (done: number) => void, keepalive?: boolean, signal?: AbortSignal}} [options]
 * @returns {Promise<Response>}
 */
export async function request(path, { method = "GET", json, body, headers = {}, ...rest } = {}) {
  const init = { method, headers: { ...headers }, body, ...rest };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  const attempt = (session) =>
    send(path, { ...init, headers: { ...init.headers, Authorization: `Bearer ${session.access_token}` } });
  let response = await attempt(await currentSession());
  if (response.status === 401) {
    response = await attempt(await refresh());
    if (response.status === 401) throw endSession();
  }
  if (!response.ok) throw await problemOf(response);
  return response;
}

export async function getJson(path) {
  return (await request(path)).json();
}

/** @param {string} method @param {string} path @param {unknown} json @param {Record<string, string>} [headers] */
export async function sendJson(method, path, json, headers = {}) {
  const response = await request(path, { method, json, headers });
  return response.status === 204 ? null : response.json();
}

/** Revoke the refresh token, then forget the session whatever the answer. */
export async function signOut() {
  const session = loadSession();
  clearTimeout(timer);
  try {
    if (session) await request("/api/auth/logout", { method: "POST", json: { refresh_token: session.refresh_token } });
  } catch {
    // Signing out locally still matters when the server cannot be reached.
  } finally {
    clearSession();
  }
}
