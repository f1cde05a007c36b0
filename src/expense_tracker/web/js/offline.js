// Offline: the expenses last loaded stay readable (read-only) when the network is gone, and
// expenses added meanwhile wait in an outbox with their Idempotency-Key until it returns.
// The server honours the key, so a replay whose answer was lost never adds a second copy.

import { ApiError, SessionEnded, explain, request } from "./api.js";
import { $, announce } from "./dom.js";

// The snapshot lives as long as the tokens (sessionStorage); the outbox outlives a closed tab
// (localStorage), tagged with its owner so only the same person's next session sends it.
const SNAPSHOT = "expense-tracker.snapshot";
const OWNER = "expense-tracker.owner";
const OUTBOX = "expense-tracker.outbox";
const RETRY_MS = 5000;

/** A request that never reached the server (or whose answer never came back). */
export function isNetworkError(error) {
  return !(error instanceof ApiError) && !(error instanceof SessionEnded) && error?.name !== "AbortError";
}

function read(storage, key, fallback) {
  try {
    return JSON.parse(storage.getItem(key) ?? "null") ?? fallback;
  } catch {
    return fallback;
  }
}

function write(storage, key, value) {
  try {
    storage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false; // full or disabled storage: the app works on, without the offline copy
  }
}

/** Keep the first page the list showed, to show it again when offline. */
export function saveSnapshot(items) {
  write(sessionStorage, SNAPSHOT, { saved_at: Date.now(), items });
}

/** @returns {{saved_at: number, items: any[]} | null} */
export function loadSnapshot() {
  return read(sessionStorage, SNAPSHOT, null);
}

export function setOwner(id) {
  write(sessionStorage, OWNER, id);
  updateBanner();
}

const owner = () => read(sessionStorage, OWNER, null);
const outbox = () => read(localStorage, OUTBOX, []);
const mine = () => outbox().filter((entry) => entry.owner === owner());

/** Queue an add for later; false when it cannot be kept (then it is an ordinary failure). */
export function queueAdd(body, key) {
  if (!owner()) return false;
  const kept = write(localStorage, OUTBOX, [...outbox(), { owner: owner(), key, body, queued_at: Date.now() }]);
  setOffline(true);
  return kept;
}

function drop(key) {
  write(localStorage, OUTBOX, outbox().filter((entry) => entry.key !== key));
}

let offline = false;
let showingSnapshotOf = null;

/** Offline (or back): the banner says so, with what is shown and what waits to be sent. */
export function setOffline(value, snapshotTime = showingSnapshotOf) {
  offline = value;
  showingSnapshotOf = value ? snapshotTime : null;
  updateBanner();
}

function updateBanner() {
  const banner = $("#offline-banner");
  if (!banner) return;
  const waiting = mine().length;
  const parts = [];
  if (offline) {
    parts.push(navigator.onLine === false ? "You are offline." : "The server cannot be reached.");
    if (showingSnapshotOf) {
      const time = new Date(showingSnapshotOf).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      parts.push(`Showing the expenses as last loaded at ${time}, read-only.`);
    }
    parts.push("New expenses are kept on this device and sent when the connection returns.");
  }
  if (waiting) parts.push(waiting === 1 ? "1 expense is waiting to be sent." : `${waiting} expenses are waiting to be sent.`);
  banner.textContent = parts.join(" ");
  banner.hidden = !parts.length;
  document.body.classList.toggle("offline", offline);
}

let flushing = null;
let retry = null;

/** Send what waits in the outbox, oldest first; `onSent` runs once something went in. */
export function flushOutbox(onSent) {
  flushing ??= sendAll(onSent).finally(() => {
    flushing = null;
  });
  return flushing;
}

async function sendAll(onSent) {
  clearTimeout(retry);
  let sent = 0;
  for (const entry of mine()) {
    try {
      await request("/api/expenses", { method: "POST", json: entry.body, headers: { "Idempotency-Key": entry.key } });
      drop(entry.key);
      sent += 1;
    } catch (error) {
      if (error instanceof ApiError && error.status < 500 && error.status !== 429) {
        drop(entry.key); // refused for good: say so rather than retry forever
        announce(`A saved expense was refused: ${explain(error)}`, { error: true });
        continue;
      }
      if (!(error instanceof SessionEnded)) retry = setTimeout(() => flushOutbox(onSent), RETRY_MS);
      break;
    }
  }
  updateBanner();
  if (sent) {
    announce(sent === 1 ? "The expense saved offline was sent." : `${sent} expenses saved offline were sent.`);
    await onSent();
  }
}

/** Watch the connection: offline shows the banner; back online sends the outbox, then `onBack`. */
export function watchNetwork(onBack) {
  addEventListener("offline", () => setOffline(true));
  addEventListener("online", async () => {
    setOffline(false);
    await flushOutbox(() => undefined);
    await onBack();
  });
}
