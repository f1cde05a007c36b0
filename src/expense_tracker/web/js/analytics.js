// The summary for exactly the chosen period and filters: the headline total in the home
// currency, the per-currency totals beside it, and two Chart.js charts on one value axis in
// the home currency (bars stacked by original currency; the tooltip tells the original).
// Amounts of different currencies are only ever added after the API converted them.
// Each chart has a table of the same numbers (its text alternative, keyboard reachable), and
// choosing a bar or a table row filters the dashboard by it. Chart.js itself is loaded only
// when the charts come near the screen, so it never holds up the first paint.

import { SessionEnded, explain, getJson } from "./api.js";
import { h } from "./dom.js";
import { formatDate, formatMoney as money, formatMonth } from "./format.js";
import { toQuery } from "./filters.js";
import { currentTheme } from "./theme-switch.js";

const PALETTE = {
  light: ["#0f766e", "#c2410c", "#4338ca", "#be185d", "#15803d", "#a16207", "#0369a1", "#6b21a8"],
  dark: ["#2dd4bf", "#fb923c", "#a5b4fc", "#f9a8d4", "#86efac", "#fde047", "#7dd3fc", "#d8b4fe"],
};
const CHART_JS = "/vendor/chart.umd.min.js";
const charts = {};
let latest = null; // the last summary shown, drawn again when Chart.js arrives or the theme changes
let latestFilters = {};
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
      homeAmounts[at] = row.home_amount ?? null;
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

/** "$20.79 ≈ €20.00": the original amount, and what it counts as in the home currency. */
function originalAndHome(amount, currency, homeAmount, home) {
  const text = money(amount, currency);
  if (currency === home) return text;
  return homeAmount === null ? `${text} (no rate)` : `${text} ≈ ${money(homeAmount, home)}`;
}

function tooltipLabel(home) {
  return (item) => {
    const { dataset, dataIndex } = item;
    const text = originalAndHome(dataset.amounts[dataIndex], dataset.currency, dataset.homeAmounts[dataIndex], home);
    return `${dataset.currency}: ${text}`;
  };
}

function chartOptions(home, horizontal, onPick) {
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
      tooltip: { callbacks: { label: tooltipLabel(home) } },
    },
    // One value axis, in the home currency: the bars of every currency stack on it.
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

function draw(id, labels, datasets, home, horizontal, onPick) {
  const canvas = document.getElementById(id);
  canvas.setAttribute("aria-label", `${canvas.dataset.name ?? "Spending"}, in ${home}`);
  const Chart = window.Chart;
  if (typeof Chart !== "function") return;
  const styles = getComputedStyle(document.documentElement);
  Chart.defaults.color = styles.getPropertyValue("--muted").trim() || Chart.defaults.color;
  Chart.defaults.borderColor = styles.getPropertyValue("--line").trim() || Chart.defaults.borderColor;
  const options = chartOptions(home, horizontal, onPick);
  if (charts[id]) {
    charts[id].data = { labels, datasets };
    charts[id].options = options;
    charts[id].update();
    return;
  }
  charts[id] = new Chart(canvas, { type: "bar", data: { labels, datasets }, options });
}

/** The chart's numbers as a table: a row per bar label, a column per original currency, each
 * cell the original amount and (another currency) what it counts as in the home currency. */
/** @param {HTMLElement} slot @param {string} caption @param {string[]} labels @param {string[]} shownLabels
 * @param {any[]} datasets @param {string} home @param {(index: number) => void} onPick */
function renderTable(slot, caption, labels, shownLabels, datasets, home, onPick) {
  const head = h("tr", {}, h("th", { scope: "col" }, caption), ...datasets.map((d) => h("th", { scope: "col" }, d.currency)));
  const rows = labels.map((label, index) => h("tr", {},
    h("th", { scope: "row" }, h("button", { type: "button", class: "link drill",
      "aria-label": `Show the expenses of ${shownLabels[index]}`, onclick: () => onPick(index) }, shownLabels[index])),
    ...datasets.map((d) => h("td", { class: "num" },
      d.amounts[index] === null ? "–" : originalAndHome(d.amounts[index], d.currency, d.homeAmounts[index], home))),
  ));
  slot.replaceChildren(h("table", {}, h("caption", { class: "visually-hidden" }, `Spending ${caption.toLowerCase()}, in ${home}`),
    h("thead", {}, head), h("tbody", {}, ...rows)));
}

function monthRange(month) {
  const [year, number] = month.split("-").map(Number);
  const last = new Date(Date.UTC(year, number, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}

function drawAll(summary) {
  const home = summary.home.currency;
  const categories = [...new Set(summary.by_category.map((row) => row.category))];
  const byCategory = datasetsByCurrency(summary.by_category, (row) => row.category, categories);
  const pickCategory = (index) => drillDown({ category: categories[index] });
  draw("chart-category", categories, byCategory, home, true, pickCategory);
  renderTable(document.getElementById("table-category"), "By category", categories, categories, byCategory, home, pickCategory);

  const months = [...new Set(summary.by_month.map((row) => row.month))].sort();
  const byMonth = datasetsByCurrency(summary.by_month, (row) => row.month, months);
  const pickMonth = (index) => drillDown(monthRange(months[index]));
  draw("chart-month", months.map(formatMonth), byMonth, home, false, pickMonth);
  renderTable(document.getElementById("table-month"), "By month", months, months.map(formatMonth), byMonth, home, pickMonth);
}

/** Colours follow the theme, numbers the locale: draw the last summary again when either changes. */
export function redrawCharts() {
  if (latest) render(latest, latestFilters);
}

function renderHome(home) {
  const total = document.getElementById("home-total");
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

function render(summary, chosen) {
  document.getElementById("period-label").textContent = `· ${viewLabel(chosen)}`;
  renderHome(summary.home);
  renderTotals(summary.totals);
  const empty = summary.totals.length === 0;
  document.getElementById("analytics-empty").hidden = !empty;
  /** @type {HTMLElement} */ (document.querySelector("#analytics .charts")).hidden = empty;
  drawAll(summary);
}

function showState({ loading = false, error = null } = {}) {
  document.getElementById("analytics-status").hidden = !loading;
  document.getElementById("analytics-error").hidden = !error;
  document.getElementById("analytics-error-text").textContent =
    error ? `The totals could not be loaded. ${explain(error)}` : "";
  document.getElementById("analytics").setAttribute("aria-busy", String(loading));
}

/** Fetch and show the totals and charts of the period and filters the list shows; a failure
 * shows in the panel with a retry. */
export async function refreshAnalytics(filters) {
  const mine = ++generation;
  /** @type {Record<string, string>} */
  const chosen = {};
  for (const name of ["from", "to", "category", "q"]) if (filters[name]) chosen[name] = filters[name];
  showState({ loading: true });
  let summary;
  try {
    summary = await getJson(`/api/analytics/summary${toQuery(chosen)}`);
  } catch (error) {
    if (mine === generation && !(error instanceof SessionEnded)) showState({ error });
    return null;
  }
  if (mine !== generation) return summary; // a newer period was asked for meanwhile
  showState();
  latest = summary;
  latestFilters = chosen;
  render(summary, chosen);
  if (summary.totals.length) wantCharts();
  return summary;
}
