// The signed-in session: tokens live in sessionStorage so they survive a reload and the move
// from login.html to tracker.html, and vanish when the tab closes. The page CSP allows no
// inline or foreign scripts, which is what keeps them out of reach of injected code.

const KEY = "expense-tracker.session";

/** @returns {{access_token: string, refresh_token: string, expires_at: number, lifetime?: number} | null} */
export function loadSession() {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) ?? "null");
    return value && value.access_token && value.refresh_token ? value : null;
  } catch {
    return null;
  }
}

/** Store a login/refresh answer; `expires_at` is in ms on this machine's clock. */
export function saveSession(tokens) {
  const session = {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expires_at: Date.now() + tokens.expires_in * 1000,
    lifetime: tokens.expires_in * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

/** Forget the tokens, and with them the offline copy of the expenses (offline.js). */
export function clearSession() {
  for (const key of [KEY, "expense-tracker.snapshot", "expense-tracker.owner"]) sessionStorage.removeItem(key);
}
