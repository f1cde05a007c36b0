// The service worker: keeps the app's own files (pages, styles, scripts, icons) so the app
// opens without a network. API answers are never stored: they hold one person's data and
// tokens, and /api requests are left to the network untouched.
//
// Files are fetched from the network first (a new release shows at once) and stored as they
// come; the stored copy answers only when the network cannot.

const CACHE = "expense-tracker-shell-v1";
const SHELL = [
  "/login.html",
  "/tracker.html",
  "/css/app.css",
  "/favicon.svg",
  "/manifest.webmanifest",
  "/icons/icon.svg",
  "/icons/icon-maskable.svg",
  "/vendor/chart.umd.min.js",
  "/js/theme.js",
  "/js/theme-switch.js",
  "/js/tracker.js",
  "/js/login.js",
  "/js/api.js",
  "/js/session.js",
  "/js/transport.js",
  "/js/dom.js",
  "/js/format.js",
  "/js/currencies.js",
  "/js/filters.js",
  "/js/analytics.js",
  "/js/add-expense.js",
  "/js/expense-form.js",
  "/js/expense-list.js",
  "/js/receipts.js",
  "/js/transfer.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      // No clients.claim(): a page comes under the worker from its next load, not midway.
      .then(() => undefined),
  );
});

function isShell(request) {
  const url = new URL(request.url);
  return request.method === "GET" && url.origin === self.location.origin
    && !url.pathname.startsWith("/api/") && !url.pathname.startsWith("/.well-known/")
    && url.pathname !== "/sw.js";
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") cache.put(request, response.clone());
    return response;
  } catch (error) {
    // Offline: the stored copy; a dashboard link with filters is the same page.
    const stored = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
    if (stored) return stored;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  if (isShell(event.request)) event.respondWith(networkFirst(event.request));
});
