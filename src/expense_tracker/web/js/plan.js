// plan.html: budgets, recurring expenses and alerts. Signed out? To sign-in.

import { SessionEnded, getJson, scheduleRefresh } from "./api.js";
import { createAlerts } from "./alerts.js";
import { createBudgets } from "./budgets.js";
import { CURRENCY_CODES } from "./currencies.js";
import { $, announce, h } from "./dom.js";
import { createRecurring } from "./recurring.js";
import { loadSession } from "./session.js";

function report(error) {
  if (!(error instanceof SessionEnded)) announce(error.message || "Something went wrong.", { error: true });
}

async function start() {
  if (!loadSession()) {
    location.replace("/login.html");
    return;
  }
  scheduleRefresh();
  const [me, categories] = await Promise.all([getJson("/api/me"), getJson("/api/categories")]);
  $("#who-email").textContent = me.email;
  $("#plan-currencies").replaceChildren(...CURRENCY_CODES.map((code) => h("option", { value: code })));
  $("#plan-categories").replaceChildren(...categories.items.map((c) => h("option", { value: c.name })));
  const defaultCurrency = me.home_currency ?? me.default_currency;

  const alerts = createAlerts();
  const refreshAlerts = () => alerts.reload().catch(report);
  refreshAlerts.report = report;
  const budgets = createBudgets({ defaultCurrency, onChanged: refreshAlerts });
  const recurring = createRecurring({
    defaultCurrency,
    onChanged: () => Promise.all([budgets.reload(), alerts.reload()]).catch(report),
  });
  await Promise.all([budgets.reload(), recurring.reload(), alerts.reload(), alerts.loadSettings()]);
  $("main").removeAttribute("aria-busy");
  document.body.dataset.ready = "true";
}

start().catch(report);
