// Budgets on the Plan page: each with a progress bar (role=progressbar, spent of the limit)
// and the projection to the period's end, written out in words as well.

import { ApiError, SessionEnded, getJson, sendJson } from "./api.js";
import { $, announce, clearFieldErrors, h, showFieldErrors } from "./dom.js";
import { formatMoney } from "./format.js";

const STATUS_TEXT = { ok: "On track", at_risk: "At risk", over: "Over budget" };

function percent(part, whole) {
  const limit = Number(whole);
  return limit > 0 ? Math.max(0, (Number(part) / limit) * 100) : 0;
}

// Through the CSSOM: the page's CSP (style-src 'self') refuses style="" attributes.
function styled(node, properties) {
  Object.assign(node.style, properties);
  return node;
}

function budgetItem(item, onDelete) {
  const name = item.category ?? "Everything";
  const money = (value) => formatMoney(value, item.currency);
  const spentShare = percent(item.spent, item.limit);
  const projectedShare = Math.min(100, percent(item.projected, item.limit));
  const headingId = `budget-${item.budget_id}`;
  const status = STATUS_TEXT[item.status] ?? item.status;
  const missing = item.missing.map((m) => `${m.count} in ${m.currency} not converted (no rate)`);
  return h(
    "li",
    { "aria-labelledby": headingId, dataset: { budgetId: item.budget_id } },
    h(
      "div",
      { class: "plan-item-head" },
      h("h3", { id: headingId }, `${name} · ${item.period === "year" ? "yearly" : "monthly"}`),
      h("span", { class: "status-badge", dataset: { status: item.status } }, status),
    ),
    h(
      "div",
      {
        class: "budget-bar",
        role: "progressbar",
        "aria-labelledby": headingId,
        "aria-valuemin": "0",
        "aria-valuemax": item.limit,
        "aria-valuenow": Math.min(Number(item.spent), Number(item.limit)),
        "aria-valuetext": `${money(item.spent)} of ${money(item.limit)} spent; ${status}`,
        dataset: { status: item.status },
      },
      styled(h("div", { class: "budget-fill" }), { width: `${Math.min(100, spentShare).toFixed(1)}%` }),
      styled(h("div", { class: "budget-projection", title: "Projection" }), {
        left: `calc(${projectedShare.toFixed(1)}% - 3px)`,
      }),
    ),
    h(
      "p",
      { class: "budget-numbers" },
      `${money(item.spent)} of ${money(item.limit)} spent, ${money(item.remaining)} left. `,
      `Projected by the end of the ${item.period}: ${money(item.projected)}.`,
    ),
    missing.length ? h("p", { class: "muted" }, missing.join("; ")) : null,
    h(
      "button",
      { type: "button", class: "link", onclick: () => onDelete(item), "aria-label": `Delete the ${name} budget` },
      "Delete",
    ),
  );
}

export function createBudgets({ defaultCurrency, onChanged }) {
  const month = $("#budget-month");
  const list = $("#budget-list");
  const form = $("#budget-form");
  const formError = form.querySelector(".form-error");
  const now = new Date();
  month.value = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
  form.elements.namedItem("currency").value = defaultCurrency;

  async function reload() {
    const { items } = await getJson(`/api/budgets/status?month=${encodeURIComponent(month.value)}`);
    list.replaceChildren(...items.map((item) => budgetItem(item, remove)));
    $("#budgets-empty").hidden = items.length > 0;
  }

  async function remove(item) {
    await sendJson("DELETE", `/api/budgets/${encodeURIComponent(item.budget_id)}`);
    announce(`Deleted the ${item.category ?? "overall"} budget.`);
    await reload();
    $("#budgets").focus();
  }

  month.addEventListener("change", () => {
    if (month.value) reload().catch(onChanged.report);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    formError.hidden = true;
    // Only text fields in this form: every value is a string.
    const values = /** @type {Record<string, string>} */ (Object.fromEntries(new FormData(form)));
    const body = {
      category: values.category.trim() || null,
      amount: values.amount.trim(),
      currency: values.currency.trim().toUpperCase() || undefined,
      period: values.period,
    };
    try {
      await sendJson("POST", "/api/budgets", body);
      form.reset();
      form.elements.namedItem("currency").value = defaultCurrency;
      announce(`Added a budget of ${body.amount} for ${body.category ?? "everything"}.`);
      await reload();
      onChanged();
    } catch (error) {
      if (error instanceof SessionEnded) return;
      const fields = error instanceof ApiError && error.status === 422 ? error.fieldErrors : {};
      const leftover = showFieldErrors(form, fields);
      formError.textContent = leftover.join(" ") || (Object.keys(fields).length ? "" : error.message);
      formError.hidden = !formError.textContent;
    }
  });
  return { reload };
}
