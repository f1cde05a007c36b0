// Recurring expenses on the Plan page: the list with each series' next date, an add form
// with the common rules offered by name, and delete (stops future occurrences only).

import { ApiError, SessionEnded, getJson, sendJson } from "./api.js";
import { $, announce, clearFieldErrors, h, showFieldErrors } from "./dom.js";
import { formatDate, formatMoney, isoDay } from "./format.js";

/** The RRULE for a named choice; the start date gives the day of the month or year. */
export function ruleFor(repeat, start, custom) {
  const day = Number(start.slice(8, 10));
  switch (repeat) {
    case "monthly":
      return day > 28 ? "FREQ=MONTHLY;BYMONTHDAY=-1" : `FREQ=MONTHLY;BYMONTHDAY=${day}`;
    case "fortnightly":
      return "FREQ=WEEKLY;INTERVAL=2";
    case "yearly":
      return "FREQ=YEARLY";
    case "last-business-day":
      return "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1";
    default:
      return custom.trim();
  }
}

function seriesItem(series, onDelete) {
  const headingId = `series-${series.id}`;
  const next = series.next ? `Next: ${formatDate(series.next)}` : "No further occurrences";
  return h(
    "li",
    { "aria-labelledby": headingId, dataset: { seriesId: series.id } },
    h(
      "div",
      { class: "plan-item-head" },
      h("h3", { id: headingId }, `${series.description || series.category} · ${formatMoney(series.amount, series.currency)}`),
      h("span", { class: "next-date" }, next),
    ),
    h("p", { class: "muted" }, `${series.category} · ${series.rule} · from ${formatDate(series.start)}`),
    h(
      "button",
      { type: "button", class: "link", onclick: () => onDelete(series), "aria-label": `Stop ${series.description || series.category}` },
      "Stop",
    ),
  );
}

export function createRecurring({ defaultCurrency, onChanged }) {
  const list = $("#recurring-list");
  const form = $("#recurring-form");
  const formError = form.querySelector(".form-error");
  const repeat = form.elements.namedItem("repeat");
  const defaults = () => {
    form.elements.namedItem("currency").value = defaultCurrency;
    form.elements.namedItem("start").value = isoDay();
  };
  defaults();
  repeat.addEventListener("change", () => {
    $("#recurring-rule-field").hidden = repeat.value !== "custom";
  });

  async function reload() {
    const { items } = await getJson("/api/recurring?limit=200");
    list.replaceChildren(...items.map((series) => seriesItem(series, remove)));
    $("#recurring-empty").hidden = items.length > 0;
  }

  async function remove(series) {
    await sendJson("DELETE", `/api/recurring/${encodeURIComponent(series.id)}`);
    announce(`Stopped ${series.description || series.category}; past expenses stay.`);
    await reload();
    $("#recurring-title").focus?.();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    formError.hidden = true;
    // Only text fields in this form: every value is a string.
    const v = /** @type {Record<string, string>} */ (Object.fromEntries(new FormData(form)));
    const body = {
      amount: v.amount.trim(),
      currency: v.currency.trim().toUpperCase() || undefined,
      category: v.category.trim(),
      description: v.description.trim(),
      rule: ruleFor(v.repeat, v.start, v.rule ?? ""),
      start: v.start,
      until: v.until || null,
    };
    try {
      const series = await sendJson("POST", "/api/recurring", body);
      form.reset();
      defaults();
      $("#recurring-rule-field").hidden = true;
      announce(`Added ${series.description || series.category}; next on ${series.next ? formatDate(series.next) : "no date"}.`);
      await reload();
      onChanged();
    } catch (error) {
      if (error instanceof SessionEnded) return;
      const fields = error instanceof ApiError && error.status === 422 ? error.fieldErrors : {};
      if (fields.rule) $("#recurring-rule-field").hidden = false;
      const leftover = showFieldErrors(form, fields);
      formError.textContent = leftover.join(" ") || (Object.keys(fields).length ? "" : error.message);
      formError.hidden = !formError.textContent;
    }
  });
  return { reload };
}
