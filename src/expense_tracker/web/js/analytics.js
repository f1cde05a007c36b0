// The summary for exactly the chosen period and filters: the headline total in the home
// currency, the per-currency totals beside it, and two bar charts (bar-chart.js, SVG) on one
// value axis in the home currency (bars stacked by original currency; the tooltip tells the
// original).
// Amounts of different currencies are only ever added after the API converted them.
// Each chart has a table of the same numbers (its text alternative, keyboard reachable), and
// choosing a bar or a table row filters the dashboard by it.

import { SessionEnded, explain, getJson } from "./api.js";
import { h, nextTask } from "./dom.js";
import { formatDate, formatMoney as money, formatMonth } from "./format.js";
import { toQuery } from "./filters.js";
import { currentTheme } from "./theme-switch.js";
import { drawBarChart } from "./bar-chart.js";

const PALETTE = {
  light: ["#0f766e", "#c2410c", "#4338ca", "#be185d", "#15803d", "#a16207", "#0369a1", "#6b21a8"],
  dark: ["#2dd4bf", "#fb923c", "#a5b4fc", "#f9a8d4", "#86efac", "#fde047", "#7dd3fc", "#d8b4fe"],
};
let latest = null; // the last summary shown, drawn again when the theme or locale changes
let latestFilters = {};
let generation = 0;
let drawing = 0; // the latest drawAll() call
const TABLE_ROWS_PER_TASK = 40;
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
  return currencies.map((currency) => {
    const amounts = labels.map(() => null);
    const homeAmounts = labels.map(() => null);
    for (const row of rows) {
      if (row.currency !== currency) continue;
      const at = labels.indexOf(labelOf(row));
      amounts[at] = row.amount;
      homeAmounts[at] = row.home_amount ?? null;
    }
    // Bars need numbers to be drawn; the text stays exact in the two arrays above.
    const data = homeAmounts.map((amount) => (amount === null ? null : Number(amount)));
    return { label: currency, currency, amounts, homeAmounts, data };
  });
}

/** "$20.79 ≈ €20.00": the original amount, and what it counts as in the home currency. */
function originalAndHome(amount, currency, homeAmount, home) {
  const text = money(amount, currency);
  if (currency === home) return text;
  return homeAmount === null ? `${text} (no rate)` : `${text} ≈ ${money(homeAmount, home)}`;
}

/** A chart's series: one per original currency, stacked on the one home-currency axis. Each
 * bar carries its original amount and home value (data-amount, data-home) and a tooltip. */
function draw(id, labels, datasets, home, horizontal, onPick) {
  const svg = /** @type {SVGSVGElement} */ (/** @type {unknown} */ (document.getElementById(id)));
  svg.setAttribute("aria-label", `${svg.dataset.name ?? "Spending"}, in ${home}`);
  const series = datasets.map((d, index) => ({
    label: d.currency,
    colour: colour(index),
    values: d.data,
    titles: d.amounts.map((amount, at) => (amount === null ? null
      : `${d.currency} ${originalAndHome(amount, d.currency, d.homeAmounts[at], home)}`)),
    data: d.amounts.map((amount, at) => ({ amount, home: d.homeAmounts[at] })),
  }));
  const tick = (value) => money(value, home, { notation: "compact", minimumFractionDigits: 0 });
  drawBarChart(svg, { labels, series, horizontal, axisTitle: home, tick, onPick });
}

/** The chart's numbers as a table: a row per bar label, a column per original currency, each
 * cell the original amount and (another currency) what it counts as in the home currency. */
/** @param {HTMLElement} slot @param {string} caption @param {string[]} labels @param {string[]} shownLabels
 * @param {any[]} datasets @param {string} home @param {(index: number) => void} onPick
 * @param {() => boolean} stale true once a newer drawing started: this one stops */
async function renderTable(slot, caption, labels, shownLabels, datasets, home, onPick, stale) {
  const head = h("tr", {}, h("th", { scope: "col" }, caption), ...datasets.map((d) => h("th", { scope: "col" }, d.currency)));
  const row = (index) => h("tr", {},
    h("th", { scope: "row" }, h("button", { type: "button", class: "link drill",
      "aria-label": `Show the expenses of ${shownLabels[index]}`, onclick: () => onPick(index) }, shownLabels[index])),
    ...datasets.map((d) => h("td", { class: "num" },
      d.amounts[index] === null ? "–" : originalAndHome(d.amounts[index], d.currency, d.homeAmounts[index], home))),
  );
  // Ten years are 120 months: built a batch per task, shown once whole.
  const body = h("tbody", {});
  for (let start = 0; start < labels.length; start += TABLE_ROWS_PER_TASK) {
    if (start > 0) await nextTask();
    if (stale()) return;
    body.append(...labels.slice(start, start + TABLE_ROWS_PER_TASK).map((_, at) => row(start + at)));
  }
  slot.replaceChildren(h("table", {}, h("caption", { class: "visually-hidden" }, `Spending ${caption.toLowerCase()}, in ${home}`),
    h("thead", {}, head), body));
}

function monthRange(month) {
  const [year, number] = month.split("-").map(Number);
  const last = new Date(Date.UTC(year, number, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}

/** The two charts and their tables, each in a task of its own (the month chart of a few
 * years is hundreds of SVG nodes); a newer summary or redraw stops an older drawing. */
async function drawAll(summary) {
  const mine = ++drawing;
  const stale = () => mine !== drawing;
  const home = summary.home.currency;
  const categories = [...new Set(summary.by_category.map((row) => row.category))];
  const byCategory = datasetsByCurrency(summary.by_category, (row) => row.category, categories);
  const pickCategory = (index) => drillDown({ category: categories[index] });
  const months = [...new Set(summary.by_month.map((row) => row.month))].sort();
  const byMonth = datasetsByCurrency(summary.by_month, (row) => row.month, months);
  const pickMonth = (index) => drillDown(monthRange(months[index]));
  const steps = [
    () => draw("chart-category", categories, byCategory, home, true, pickCategory),
    () => draw("chart-month", months.map(formatMonth), byMonth, home, false, pickMonth),
    () => renderTable(document.getElementById("table-category"), "By category", categories, categories, byCategory, home, pickCategory, stale),
    () => renderTable(document.getElementById("table-month"), "By month", months, months.map(formatMonth), byMonth, home, pickMonth, stale),
  ];
  for (const step of steps) {
    await nextTask();
    if (stale()) return;
    await step();
  }
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
  return drawAll(summary);
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
  await render(summary, chosen);
  return summary;
}
