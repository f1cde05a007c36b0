// The summary for exactly the chosen period and filters: the headline total in the home
// currency, the per-currency totals beside it, and two Chart.js charts on one value axis in
// the home currency (bars stacked by original currency; the tooltip tells the original).
// Amounts of different currencies are only ever added after the API converted them.

import { getJson } from "./api.js";
import { h } from "./dom.js";
import { formatDate, formatMonth } from "./format.js";
import { toQuery } from "./filters.js";
import { minorDigits } from "./currencies.js";

const PALETTE = ["#0f766e", "#c2410c", "#4338ca", "#be185d", "#15803d", "#a16207", "#0369a1", "#6b21a8"];
const charts = {};
let locale; // the user's BCP 47 locale (settings); undefined: the browser's

export function setLocale(tag) {
  locale = tag || undefined;
}

function colour(index) {
  return PALETTE[index % PALETTE.length];
}

/** Exactly the ISO 4217 digits, in the user's locale (Intl formats the string exactly). */
export function money(amount, currency, options = {}) {
  const digits = minorDigits(currency) ?? undefined;
  try {
    return new Intl.NumberFormat(locale, {
      style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits, ...options,
    }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** One dataset per original currency over `labels`, plotted at its home-currency value;
 * `amounts` keeps each bar's original decimal string and `homeAmounts` the converted one. */
export function datasetsByCurrency(rows, labelOf, labels) {
  const currencies = [...new Set(rows.map((row) => row.currency))].sort();
  return currencies.map((currency, index) => {
    const amounts = labels.map(() => null);
    const homeAmounts = labels.map(() => null);
    for (const row of rows) {
      if (row.currency !== currency) continue;
      const at = labels.indexOf(labelOf(row));
      amounts[at] = row.amount;
      homeAmounts[at] = row.home_amount;
    }
    return {
      label: currency,
      currency,
      amounts,
      homeAmounts,
      // Chart.js needs numbers to draw; the text stays exact in the two arrays above.
      data: homeAmounts.map((amount) => (amount === null ? null : Number(amount))),
      backgroundColor: colour(index),
      borderColor: colour(index),
      borderRadius: 4,
      maxBarThickness: 56,
    };
  });
}

function tooltipLabel(home) {
  return (item) => {
    const original = item.dataset.amounts[item.dataIndex];
    const converted = item.dataset.homeAmounts[item.dataIndex];
    const text = money(original, item.dataset.currency);
    return item.dataset.currency === home ? text : `${text} ≈ ${money(converted, home)}`;
  };
}

function chartOptions(home, horizontal) {
  const reduced = matchMedia("(prefers-reduced-motion: reduce)").matches;
  const valueAxis = horizontal ? "x" : "y";
  const indexAxis = horizontal ? "y" : "x";
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: reduced ? false : { duration: 300 },
    indexAxis,
    plugins: {
      legend: { position: "bottom", labels: { boxWidth: 12 } },
      tooltip: { callbacks: { label: tooltipLabel(home) } },
    },
    scales: {
      [indexAxis]: { stacked: true, grid: { display: false } },
      [valueAxis]: {
        stacked: true,
        beginAtZero: true,
        title: { display: true, text: home },
        ticks: { maxTicksLimit: 6, callback: (value) => money(value, home, { notation: "compact", minimumFractionDigits: 0 }) },
      },
    },
  };
}

function draw(id, labels, datasets, home, horizontal = false) {
  if (typeof window.Chart !== "function") return; // vendor file missing: totals still show
  const options = chartOptions(home, horizontal);
  const canvas = document.getElementById(id);
  canvas.setAttribute("aria-label", `${canvas.dataset.name ?? "Spending"}, in ${home}`);
  if (charts[id]) {
    charts[id].data = { labels, datasets };
    charts[id].options = options;
    charts[id].update();
    return;
  }
  charts[id] = new window.Chart(canvas, { type: "bar", data: { labels, datasets }, options });
}

function renderHome(home) {
  const total = document.getElementById("home-total");
  if (!total) return;
  total.dataset.currency = home.currency;
  total.dataset.amount = home.amount;
  total.textContent = money(home.amount, home.currency);
  const missing = document.getElementById("home-missing");
  missing.hidden = home.missing.length === 0;
  missing.textContent = home.missing.length === 0 ? "" : `Not included (no ECB rate for their date): ${
    home.missing.map((m) => `${m.count} ${m.count === 1 ? "expense" : "expenses"} in ${m.currency}`).join(", ")}.`;
}

function renderTotals(totals) {
  const list = document.getElementById("totals");
  list.replaceChildren(...totals.map((total) =>
    h("li", { class: "total", dataset: { currency: total.currency, amount: total.amount } },
      h("span", { class: "total-amount" }, money(total.amount, total.currency)),
      " ", // read aloud as two phrases; the flex layout ignores it
      h("span", { class: "total-count" }, `${total.count} ${total.count === 1 ? "expense" : "expenses"}`),
    )));
}

/** "from Nov 1, 2026 to Nov 30, 2026 · category “Food” · matching “taxi”" */
export function viewLabel(filters) {
  const parts = [];
  if (filters.from && filters.to) parts.push(`from ${formatDate(filters.from)} to ${formatDate(filters.to)}`);
  else if (filters.from) parts.push(`since ${formatDate(filters.from)}`);
  else if (filters.to) parts.push(`until ${formatDate(filters.to)}`);
  else parts.push("all time");
  if (filters.category) parts.push(`category “${filters.category}”`);
  if (filters.q) parts.push(`matching “${filters.q}”`);
  return parts.join(" · ");
}

export async function refreshAnalytics(filters) {
  const chosen = {};
  for (const name of ["from", "to", "category", "q"]) if (filters[name]) chosen[name] = filters[name];
  const summary = await getJson(`/api/analytics/summary${toQuery(chosen)}`);
  document.getElementById("period-label").textContent = `· ${viewLabel(chosen)}`;
  renderHome(summary.home);
  renderTotals(summary.totals);
  const empty = summary.totals.length === 0;
  document.getElementById("analytics-empty").hidden = !empty;
  document.querySelector("#analytics .charts").hidden = empty;

  const home = summary.home.currency;
  const categories = [...new Set(summary.by_category.map((row) => row.category))];
  draw("chart-category", categories, datasetsByCurrency(summary.by_category, (row) => row.category, categories), home, true);
  const months = [...new Set(summary.by_month.map((row) => row.month))].sort();
  draw("chart-month", months.map(formatMonth), datasetsByCurrency(summary.by_month, (row) => row.month, months), home);
  return summary;
}
