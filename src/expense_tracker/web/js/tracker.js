// tracker.html: wires the dashboard together. Signed out (or the session ended)? To sign-in.

import { SessionEnded, getJson, scheduleRefresh, signOut } from "./api.js";
import { createAddForm } from "./add-expense.js";
import { refreshAnalytics } from "./analytics.js";
import { $, announce, h } from "./dom.js";
import { createList } from "./expense-list.js";
import { createFilters } from "./filters.js";
import { CURRENCY_CODES } from "./currencies.js";
import { createScan } from "./scan.js";
import { createTransfer } from "./transfer.js";
import { loadSession } from "./session.js";

function report(error) {
  if (!(error instanceof SessionEnded)) announce(error.message || "Something went wrong.", { error: true });
}

async function refreshCategories() {
  const { items } = await getJson("/api/categories");
  $("#category-options").replaceChildren(...items.map((c) => h("option", { value: c.name })));
}

async function start() {
  if (!loadSession()) {
    location.replace("/login.html");
    return;
  }
  scheduleRefresh();
  const me = await getJson("/api/me");
  $("#who-email").textContent = me.email;
  $("#currency-options").replaceChildren(...CURRENCY_CODES.map((code) => h("option", { value: code })));

  const sideData = () => Promise.all([refreshAnalytics(filters.current()), refreshCategories()]).catch(report);
  const list = createList({ onChanged: sideData });
  const filters = createFilters($("#filters"), (current) => {
    list.reload(current);
    refreshAnalytics(current).catch(report);
  });
  const everything = () => Promise.all([list.reload(filters.current()), sideData()]);
  createAddForm($("#expense-form"), { defaultCurrency: me.default_currency, onAdded: everything });
  createTransfer({ filters, onImported: everything });
  createScan($("#scan-root"), { defaultCurrency: me.default_currency, onAdded: everything });

  $("#sign-out").addEventListener("click", async () => {
    await signOut();
    location.assign("/login.html?signed-out=1");
  });
  await everything();
  $("main").removeAttribute("aria-busy");
  document.body.dataset.ready = "true"; // lets tests (and people with slow links) know it is loaded
}

start().catch(report);
