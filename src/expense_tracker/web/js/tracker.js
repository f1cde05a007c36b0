// tracker.html: wires the dashboard together. Signed out (or the session ended)? To sign-in,
// which brings the person back to this very view (filters included) afterwards.

import { SessionEnded, explain, getJson, scheduleRefresh, signOut } from "./api.js";
import { createAddForm } from "./add-expense.js";
import { onDrillDown, redrawCharts, refreshAnalytics } from "./analytics.js";
import { $, announce, h, nextTask } from "./dom.js";
import { createList } from "./expense-list.js";
import { createFilters } from "./filters.js";
import { amountToInput, formatMoney, PREPARE_STEPS, formatMonth, setLocale } from "./format.js";
import { flushOutbox, setOwner, watchNetwork } from "./offline.js";
import { CURRENCY_CODES } from "./currencies.js";
import { createScan } from "./scan.js";
import { createTransfer } from "./transfer.js";
import { createSettings } from "./settings.js";
import { loadSession } from "./session.js";
import { bindThemeSwitch } from "./theme-switch.js";

function report(error) {
  if (!(error instanceof SessionEnded)) announce(explain(error), { error: true });
}

async function refreshCategories() {
  const { items } = await getJson("/api/categories");
  $("#category-options").replaceChildren(...items.map((c) => h("option", { value: c.name })));
}

/** The page works offline once loaded (sw.js keeps its files; API answers are never kept).
 * Registered once the dashboard is shown and the page idle: installing fetches and stores
 * every file of the app, which would otherwise compete with the first load for the network
 * and the CPU. */
function installServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const register = () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {
      // Not installable here (a private window, an old browser): the page works the same.
    });
  };
  if ("requestIdleCallback" in window) requestIdleCallback(register, { timeout: 2000 });
  else setTimeout(register, 200);
}

async function start() {
  if (!loadSession()) {
    // A view with filters (a shared or bookmarked link) comes back after signing in.
    const next = location.search ? `?next=${encodeURIComponent(`${location.pathname}${location.search}`)}` : "";
    location.replace(`/login.html${next}`);
    return;
  }
  scheduleRefresh();
  bindThemeSwitch($("#theme-toggle"), redrawCharts);

  const analytics = (current) => refreshAnalytics(current).catch(report);
  const sideData = () => Promise.all([analytics(filters.current()), refreshCategories().catch(report)]);
  const list = createList({ onChanged: sideData });
  const filters = createFilters($("#filters"), (current) => {
    list.reload(current);
    analytics(current);
  });
  const everything = () => Promise.all([list.reload(filters.current()), sideData()]);
  // The requests go out first; the panels below the fold are built while they travel, each in
  // a task of its own (one long task would block a throttled phone's main thread).
  // Offline or failing, the page still comes up: the list and totals say what went wrong.
  const loaded = Promise.all([getJson("/api/me").catch((error) => report(error)), everything()]);
  $("#analytics-retry").addEventListener("click", () => analytics(filters.current()));
  onDrillDown((values) => {
    filters.set(values);
    $("#expenses").focus(); // the chosen bar's expenses are what comes next
  });
  let defaultCurrency = "USD"; // until /api/me answers
  for (const step of PREPARE_STEPS) {
    await nextTask();
    step();
  }
  await nextTask();
  // Its place is held in app.css, so nothing moves when it arrives after the first paint.
  const addForm = createAddForm($("#expense-form"), { onAdded: () => everything() });
  await nextTask();
  $("#currency-options").replaceChildren(...CURRENCY_CODES.map((code) => new Option("", code)));
  await nextTask();
  createScan($("#scan-root"), { defaultCurrency: () => defaultCurrency, onAdded: everything });
  createTransfer({ filters, onImported: everything });
  let importDialog = null; // its module loads on the first click, not with the page
  $("#open-import").addEventListener("click", async () => {
    const { createImportDialog } = await import("./import-dialog.js");
    importDialog ??= createImportDialog({ opener: $("#open-import"), onImported: everything });
    importDialog.open();
  });
  watchNetwork(everything);
  $("#sign-out").addEventListener("click", async () => {
    await signOut();
    location.assign("/login.html?signed-out=1");
  });
  const [me] = await loaded;
  if (me) {
    setOwner(me.user_id);
    flushOutbox(everything); // adds saved offline in an earlier visit
    $("#who-email").textContent = me.email;
    addForm.setDefaultCurrency(me.default_currency);
    defaultCurrency = me.default_currency;
    const before = localeSample();
    useLocale(me.locale);
    // The totals came in parallel, written in the browser's locale: drawn again only if the
    // person's locale writes them differently (a redraw costs a throttled phone ~100 ms).
    if (localeSample() !== before) redrawCharts();
    await nextTask();
    createSettings($("#settings-form"), me, (saved) => {
      useLocale(saved.locale);
      addForm.setDefaultCurrency(saved.default_currency);
      defaultCurrency = saved.default_currency;
      return everything(); // totals in the new home currency, amounts in the new locale
    });
  }
  $("main").removeAttribute("aria-busy");
  document.body.dataset.ready = "true"; // lets tests (and people with slow links) know it is loaded
  installServiceWorker();
}

/** How the current locale writes an amount, a compact axis tick and a month. */
function localeSample() {
  return `${formatMoney("-1234.56", "EUR")} ${formatMoney("12500", "EUR", { notation: "compact" })} ${formatMonth("2026-11")}`;
}

/** Amounts are written, and typed, the locale's way from now on ("0,00" in de-DE).
 * @param {string | null | undefined} tag */
function useLocale(tag) {
  setLocale(tag);
  const inputs = /** @type {NodeListOf<HTMLInputElement>} */ (
    document.querySelectorAll("input[name=amount]")
  );
  for (const input of inputs) {
    input.placeholder = amountToInput("0.00");
  }
}

start().catch(report);
