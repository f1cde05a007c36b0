// Totals per currency and two Chart.js charts for the chosen period. Amounts of different
// currencies are never added: every currency is its own dataset, and its own total.
// Each chart has a table of the same numbers (its text alternative, keyboard reachable), and
// choosing a bar or a table row filters the dashboard by it. Chart.js itself is loaded only
// when the charts come near the screen, so it never holds up the first paint.

import { SessionEnded, explain, getJson } from "./api.js";
import { h } from "./dom.js";
import { formatDate, formatMoney, formatMonth } from "./format.js";
import { toQuery } from "./filters.js";
import { currentTheme } from "./theme-switch.js";

const PALETTE = {
  light: ["#0f766e", "#c2410c", "#4338ca", "#be185d", "#15803d", "#a16207", "#0369a1", "#6b21a8"],
  dark: ["#2dd4bf", "#fb923c", "#a5b4fc", "#f9a8d4", "#86efac", "#fde047", "#7dd3fc", "#d8b4fe"],
};
const CHART_JS = "/vendor/chart.umd.min.js";
const charts = {};
let latest = null; // the last summary shown, drawn again when Chart.js arrives or the theme changes
let generation = 0;
/** @type {(filters: Record<string, string>) => void} */
let drillDown = () => {};

/** What choosing a bar does: `filters.set(...)` from tracker.js. */
/** @param {(filters: Record<string, string>) => void} callback */
export function onDrillDown(callback) {
  drillDown = callback;
}

function colour(index) {
  const palette = PALETTE[currentTheme()];
  return palette[index % palette.length];
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

function chartOptions(datasets, horizontal, onPick) {
  const reduced = matchMedia("(prefers-reduced-motion: reduce)").matches;
  const valueAxis = horizontal ? "x" : "y";
  const indexAxis = horizontal ? "y" : "x";
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: reduced ? false : { duration: 300 },
    indexAxis,
    onClick: (_event, elements) => {
      if (elements.length) onPick(elements[0].index);
    },
    onHover: (event, elements) => {
      event.native.target.style.cursor = elements.length ? "pointer" : "default";
    },
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

let chartJs = null;
/** Chart.js as a classic script (its UMD build), fetched once; CSP allows 'self'. */
function loadChartJs() {
  chartJs ??= new Promise((resolve, reject) => {
    if (typeof window.Chart === "function") {
      resolve(window.Chart);
      return;
    }
    const script = h("script", { src: CHART_JS, async: true });
    script.addEventListener("load", () => resolve(window.Chart));
    script.addEventListener("error", () => reject(new Error("Chart.js could not be loaded")));
    document.head.append(script);
  });
  return chartJs;
}

function whenChartsNear(callback) {
  const box = document.querySelector("#analytics .charts");
  if (!("IntersectionObserver" in window)) {
    callback();
    return;
  }
  const watch = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) {
      watch.disconnect();
      callback();
    }
  }, { rootMargin: "0px 0px 300px 0px" });
  watch.observe(box);
}

let chartsWanted = false;
function wantCharts() {
  if (chartsWanted) return;
  chartsWanted = true;
  whenChartsNear(() => loadChartJs().then(() => latest && drawAll(latest)).catch(() => {
    // No charts without Chart.js; the totals and tables still tell the numbers.
  }));
}

function draw(id, labels, datasets, horizontal, onPick) {
  const Chart = window.Chart;
  if (typeof Chart !== "function") return;
  const styles = getComputedStyle(document.documentElement);
  Chart.defaults.color = styles.getPropertyValue("--muted").trim() || Chart.defaults.color;
  Chart.defaults.borderColor = styles.getPropertyValue("--line").trim() || Chart.defaults.borderColor;
  const options = chartOptions(datasets, horizontal, onPick);
  if (charts[id]) {
    charts[id].data = { labels, datasets };
    charts[id].options = options;
    charts[id].update();
    return;
  }
  charts[id] = new Chart(document.getElementById(id), { type: "bar", data: { labels, datasets }, options });
}

/** The chart's numbers as a table: a row per bar label, a column per currency. */
/** @param {HTMLElement} slot @param {string} caption @param {string[]} labels @param {string[]} shownLabels
 * @param {any[]} datasets @param {(index: number) => void} onPick */
function renderTable(slot, caption, labels, shownLabels, datasets, onPick) {
  const head = h("tr", {}, h("th", { scope: "col" }, caption), ...datasets.map((d) => h("th", { scope: "col" }, d.currency)));
  const rows = labels.map((label, index) => h("tr", {},
    h("th", { scope: "row" }, h("button", { type: "button", class: "link drill",
      "aria-label": `Show the expenses of ${shownLabels[index]}`, onclick: () => onPick(index) }, shownLabels[index])),
    ...datasets.map((d) => h("td", { class: "num" }, d.amounts[index] === null ? "–" : formatMoney(d.amounts[index], d.currency))),
  ));
  slot.replaceChildren(h("table", {}, h("caption", { class: "visually-hidden" }, `Spending ${caption.toLowerCase()}`),
    h("thead", {}, head), h("tbody", {}, ...rows)));
}

function monthRange(month) {
  const [year, number] = month.split("-").map(Number);
  const last = new Date(Date.UTC(year, number, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}

function drawAll(summary) {
  const categories = [...new Set(summary.by_category.map((row) => row.category))];
  const byCategory = datasetsByCurrency(summary.by_category, (row) => row.category, categories, "x");
  const pickCategory = (index) => drillDown({ category: categories[index] });
  draw("chart-category", categories, byCategory, true, pickCategory);
  renderTable(document.getElementById("table-category"), "By category", categories, categories, byCategory, pickCategory);

  const months = [...new Set(summary.by_month.map((row) => row.month))].sort();
  const byMonth = datasetsByCurrency(summary.by_month, (row) => row.month, months, "y");
  const pickMonth = (index) => drillDown(monthRange(months[index]));
  draw("chart-month", months.map(formatMonth), byMonth, false, pickMonth);
  renderTable(document.getElementById("table-month"), "By month", months, months.map(formatMonth), byMonth, pickMonth);
}

/** Colours follow the theme: draw again when it changes. */
export function redrawCharts() {
  if (latest) drawAll(latest);
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

function showState({ loading = false, error = null } = {}) {
  document.getElementById("analytics-status").hidden = !loading;
  document.getElementById("analytics-error").hidden = !error;
  document.getElementById("analytics-error-text").textContent =
    error ? `The totals could not be loaded. ${explain(error)}` : "";
  document.getElementById("analytics").setAttribute("aria-busy", String(loading));
}

/** Fetch and show the period's totals and charts; a failure shows in the panel with a retry. */
export async function refreshAnalytics(filters) {
  const mine = ++generation;
  const period = { from: filters.from, to: filters.to };
  Object.keys(period).forEach((key) => period[key] === undefined && delete period[key]);
  showState({ loading: true });
  let summary;
  try {
    summary = await getJson(`/api/analytics/summary${toQuery(period)}`);
  } catch (error) {
    if (mine === generation && !(error instanceof SessionEnded)) showState({ error });
    return null;
  }
  if (mine !== generation) return summary; // a newer period was asked for meanwhile
  showState();
  document.getElementById("period-label").textContent = `· ${periodLabel(period)}`;
  renderTotals(summary.totals);
  const empty = summary.totals.length === 0;
  document.getElementById("analytics-empty").hidden = !empty;
  /** @type {HTMLElement} */ (document.querySelector("#analytics .charts")).hidden = empty;
  latest = summary;
  drawAll(summary);
  if (!empty) wantCharts();
  return summary;
}
