// The service worker: keeps the app's own files (pages, styles, scripts, icons) so the app
// opens without a network. API answers are never stored: they hold one person's data and
// tokens, and /api requests are left to the network untouched.
//
// Files are fetched from the network first (a new release shows at once) and stored as they
// come; the stored copy answers only when the network cannot.

const CACHE = "expense-tracker-shell-v5";
// Every page and module (a module the first load never asked for, such as plan.js, still
// opens offline); tests/browser/test_dashboard_app.py checks the list against the folder.
const SHELL = [
  "/account.html",
  "/login.html",
  "/tracker.html",
  "/plan.html",
  "/css/account.css",
  "/css/app.css",
  "/css/plan.css",
  "/favicon.svg",
  "/manifest.webmanifest",
  "/icons/icon.svg",
  "/icons/icon-maskable.svg",
  "/js/account.js",
  "/js/add-expense.js",
  "/js/alerts.js",
  "/js/analytics.js",
  "/js/api.js",
  "/js/bar-chart.js",
  "/js/budgets.js",
  "/js/currencies.js",
  "/js/dom.js",
  "/js/expense-actions.js",
  "/js/expense-form.js",
  "/js/expense-list.js",
  "/js/expense-row.js",
  "/js/exports.js",
  "/js/filters.js",
  "/js/format.js",
  "/js/import-dialog.js",
  "/js/login.js",
  "/js/offline.js",
  "/js/plan.js",
  "/js/receipt-viewer.js",
  "/js/receipts.js",
  "/js/recurring.js",
  "/js/scan.js",
  "/js/session.js",
  "/js/settings.js",
  "/js/statement-preview.js",
  "/js/theme-switch.js",
  "/js/theme.js",
  "/js/tracker.js",
  "/js/transfer.js",
  "/js/transport.js",
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
