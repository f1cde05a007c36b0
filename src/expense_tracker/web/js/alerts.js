// Alerts on the Plan page: budget warnings and possible duplicates, each with Dismiss, and
// the e-mail setting (unsubscribe).

import { getJson, sendJson } from "./api.js";
import { $, announce, h } from "./dom.js";

const KIND_TEXT = {
  budget_at_risk: "Budget at risk",
  budget_over: "Budget over",
  possible_duplicate: "Possible duplicate",
};

function alertItem(alert, onDismiss) {
  const headingId = `alert-${alert.id}`;
  return h(
    "li",
    { "aria-labelledby": headingId, dataset: { alertId: alert.id, kind: alert.kind } },
    h("div", { class: "plan-item-head" },
      h("h3", { id: headingId }, KIND_TEXT[alert.kind] ?? alert.kind)),
    h("p", {}, alert.message),
    h("button", { type: "button", onclick: () => onDismiss(alert), "aria-label": `Dismiss: ${alert.message}` }, "Dismiss"),
  );
}

export function createAlerts() {
  const list = $("#alert-list");
  const emails = $("#alert-emails");

  async function reload() {
    const { items } = await getJson("/api/alerts?limit=200");
    list.replaceChildren(...items.map((alert) => alertItem(alert, dismiss)));
    $("#alerts-empty").hidden = items.length > 0;
    $("#alert-count").textContent = items.length ? `(${items.length})` : "";
  }

  async function dismiss(alert) {
    const position = [...list.children].findIndex((li) => li.dataset.alertId === alert.id);
    await sendJson("POST", `/api/alerts/${encodeURIComponent(alert.id)}/dismiss`);
    announce("Alert dismissed.");
    await reload();
    // Keep the keyboard where it was: the next alert's button, else the section's box.
    const next = list.children[Math.min(position, list.children.length - 1)];
    (next?.querySelector("button") ?? emails).focus();
  }

  emails.addEventListener("change", async () => {
    const { emails: on } = await sendJson("PATCH", "/api/alerts/settings", { emails: emails.checked });
    announce(on ? "New alerts will be e-mailed." : "No more alert e-mails.");
  });

  async function loadSettings() {
    emails.checked = (await getJson("/api/alerts/settings")).emails;
  }
  return { reload, loadSettings };
}
