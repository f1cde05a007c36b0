// Totals per currency and two Chart.js charts for the chosen period. Amounts of different
// currencies are never added: every currency is its own dataset, and its own total.

import { getJson } from "./api.js";
import { h } from "./dom.js";
import { formatDate, formatMoney, formatMonth } from "./format.js";
import { toQuery } from "./filters.js";

const PALETTE = ["#0f766e", "#c2410c", "#4338ca", "#be185d", "#15803d", "#a16207", "#0369a1", "#6b21a8"];
const charts = {};

function colour(index) {
  return PALETTE[index % PALETTE.length];
}

/** One dataset per currency over `labels`; bars keep the exact decimal strings for tooltips.
 * Each currency also gets its own value axis: ¥1,200 and €12 share no scale. */
export function datasetsByCurrency(rows, labelOf, labels, valueAxis) {
  const currencies = [...new Set(rows.map((row) => row.currency))].sort();
  return currencies.map((currency, index) => {
    const amounts = labels.map(() => null);
    for (const row of rows) {
      if (row.currency === currency) amounts[labels.indexOf(labelOf(row))] = row.amount;
    }
    return {
      label: currency,
      currency,
      amounts,
      // Chart.js needs numbers to draw; the text stays exact in `amounts`.
      data: amounts.map((amount) => (amount === null ? null : Number(amount))),
      [`${valueAxis}AxisID`]: `${valueAxis}-${currency}`,
      backgroundColor: colour(index),
      borderColor: colour(index),
      borderRadius: 4,
      maxBarThickness: 56,
    };
  });
}

function compactMoney(currency) {
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency, notation: "compact" });
  return (value) => format.format(value);
}

/** The first two currencies get a visible axis (one each side); more keep a hidden scale. */
function valueScales(datasets, valueAxis) {
  const sides = valueAxis === "x" ? ["bottom", "top"] : ["left", "right"];
  const scales = {};
  datasets.forEach((dataset, index) => {
    scales[`${valueAxis}-${dataset.currency}`] = {
      axis: valueAxis,
      position: sides[index % 2],
      display: index < 2,
      beginAtZero: true,
      grid: { drawOnChartArea: index === 0 },
      ticks: { color: dataset.borderColor, callback: compactMoney(dataset.currency), maxTicksLimit: 6 },
    };
  });
  return scales;
}

function chartOptions(datasets, horizontal) {
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
      tooltip: {
        callbacks: {
          label: (item) => {
            const amount = item.dataset.amounts[item.dataIndex];
            return `${item.dataset.label}: ${formatMoney(amount, item.dataset.currency)}`;
          },
        },
      },
    },
    scales: { [indexAxis]: { grid: { display: false } }, ...valueScales(datasets, valueAxis) },
  };
}

function draw(id, labels, datasets, horizontal = false) {
  if (typeof window.Chart !== "function") return; // vendor file missing: totals still show
  const options = chartOptions(datasets, horizontal);
  if (charts[id]) {
    charts[id].data = { labels, datasets };
    charts[id].options = options;
    charts[id].update();
    return;
  }
  charts[id] = new window.Chart(document.getElementById(id), { type: "bar", data: { labels, datasets }, options });
}

function renderTotals(totals) {
  const list = document.getElementById("totals");
  list.replaceChildren(...totals.map((total) =>
    h("li", { class: "total", dataset: { currency: total.currency, amount: total.amount } },
      h("span", { class: "total-amount" }, formatMoney(total.amount, total.currency)),
      " ", // read aloud as two phrases; the flex layout ignores it
      h("span", { class: "total-count" }, `${total.count} ${total.count === 1 ? "expense" : "expenses"}`),
    )));
}

function periodLabel(filters) {
  if (filters.from && filters.to) return `from ${formatDate(filters.from)} to ${formatDate(filters.to)}`;
  if (filters.from) return `since ${formatDate(filters.from)}`;
  if (filters.to) return `until ${formatDate(filters.to)}`;
  return "all time";
}

export async function refreshAnalytics(filters) {
  const period = { from: filters.from, to: filters.to };
  Object.keys(period).forEach((key) => period[key] === undefined && delete period[key]);
  const summary = await getJson(`/api/analytics/summary${toQuery(period)}`);
  document.getElementById("period-label").textContent = `· ${periodLabel(period)}`;
  renderTotals(summary.totals);
  const empty = summary.totals.length === 0;
  document.getElementById("analytics-empty").hidden = !empty;
  document.querySelector("#analytics .charts").hidden = empty;

  const categories = [...new Set(summary.by_category.map((row) => row.category))];
  draw("chart-category", categories,
    datasetsByCurrency(summary.by_category, (row) => row.category, categories, "x"), true);
  const months = [...new Set(summary.by_month.map((row) => row.month))].sort();
  draw("chart-month", months.map(formatMonth),
    datasetsByCurrency(summary.by_month, (row) => row.month, months, "y"));
  return summary;
}
