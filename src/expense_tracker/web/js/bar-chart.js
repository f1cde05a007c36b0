// Stacked bar charts drawn as SVG by the page itself: no chart library to download, parse and
// run before the dashboard settles (Chart.js cost ~750 ms of CPU on a throttled phone).
// One value axis, a band per label, a bar per series stacked in it, a legend below. Colours of
// text and lines come from app.css (so the theme applies); the bars' from the caller.
// Bars answer a click (the drill-down); keyboard users have the table beside each chart.

import { nextFrame } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const CHAR_PX = 6.6; // a 12 px font's average glyph width, to size margins without measuring
const LEGEND_PX = 22;
const TICK_PX = 16;
const MAX_BAR_PX = 56;

/**
 * @typedef {{label: string, colour: string, values: (number | null)[], titles: (string | null)[],
 *   data?: Record<string, string | null>[]}} Series
 * @typedef {{labels: string[], series: Series[], horizontal: boolean, axisTitle: string,
 *   tick: (value: number) => string, onPick: (index: number) => void}} ChartSpec
 */

/** @param {string} tag @param {Record<string, string | number>} attrs @param {...(Node | string)} children */
function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

/** 0 and a round top (1, 2, 2.5 or 5 × 10^n) split into at most `most` steps. */
export function niceTicks(max, most = 5) {
  if (!(max > 0)) return [0, 1];
  const rough = max / most;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough) ?? rough;
  const ticks = [];
  for (let value = 0; value < max + step; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

/** @param {string} text @param {number} px */
function clip(text, px) {
  const fits = Math.max(3, Math.floor(px / CHAR_PX));
  return text.length <= fits ? text : `${text.slice(0, fits - 1)}…`;
}

/** @param {Series[]} series @param {number} count */
function stackedTotals(series, count) {
  return Array.from({ length: count }, (_, index) =>
    series.reduce((sum, one) => sum + Math.max(0, one.values[index] ?? 0), 0));
}

/** @param {Series[]} series @param {number} width @param {number} top */
function legend(series, width, top) {
  const group = s("g", { class: "legend" });
  const itemPx = series.map((one) => 20 + one.label.length * CHAR_PX + 12);
  let x = Math.max(0, (width - itemPx.reduce((a, b) => a + b, 0)) / 2);
  series.forEach((one, index) => {
    group.append(s("g", { class: "legend-item", "data-series": one.label },
      s("rect", { x, y: top + 4, width: 12, height: 12, rx: 2, fill: one.colour }),
      s("text", { x: x + 16, y: top + 14 }, one.label)));
    x += itemPx[index];
  });
  return group;
}

/** The geometry of one chart: where the plot sits inside the SVG. */
function frame(spec, width, height, ticks) {
  const tickText = Math.max(...ticks.map((t) => spec.tick(t).length)) * CHAR_PX;
  if (spec.horizontal) {
    const labelPx = Math.min(width * 0.35, Math.max(...spec.labels.map((l) => l.length), 3) * CHAR_PX + 8);
    return { left: labelPx, right: width - tickText / 2 - 4, top: 4, bottom: height - LEGEND_PX - 2 * TICK_PX };
  }
  return { left: tickText + TICK_PX + 8, right: width - 4, top: 8, bottom: height - LEGEND_PX - TICK_PX };
}

/** The value axis (grid lines, tick labels, its title) along x (horizontal bars) or y. */
function valueAxis(spec, box, ticks, at) {
  const group = s("g", { class: "value-axis", "data-title": spec.axisTitle });
  for (const tick of ticks) {
    const p = at(tick);
    group.append(spec.horizontal
      ? s("line", { class: "grid", x1: p, x2: p, y1: box.top, y2: box.bottom })
      : s("line", { class: "grid", x1: box.left, x2: box.right, y1: p, y2: p }));
    group.append(spec.horizontal
      ? s("text", { x: p, y: box.bottom + 13, "text-anchor": "middle" }, spec.tick(tick))
      : s("text", { x: box.left - 6, y: p + 4, "text-anchor": "end" }, spec.tick(tick)));
  }
  const middle = spec.horizontal ? (box.left + box.right) / 2 : (box.top + box.bottom) / 2;
  group.append(spec.horizontal
    ? s("text", { class: "axis-title", x: middle, y: box.bottom + 2 * TICK_PX - 2, "text-anchor": "middle" }, spec.axisTitle)
    : s("text", { class: "axis-title", x: 12, y: middle, "text-anchor": "middle", transform: `rotate(-90 12 ${middle})` }, spec.axisTitle));
  return group;
}

/** The bars of one label, one per series, stacked from `zero` along the value axis. */
function stack(spec, index, start, thickness, at, zero) {
  const rects = [];
  let base = zero;
  for (const one of spec.series) {
    const value = one.values[index];
    if (value === null || value === undefined) continue;
    const size = Math.abs(at(Math.max(0, value)) - zero);
    const rect = spec.horizontal
      ? s("rect", { class: "bar", x: base, y: start, width: size, height: thickness, fill: one.colour })
      : s("rect", { class: "bar", x: start, y: base - size, width: thickness, height: size, fill: one.colour });
    for (const [name, text] of Object.entries(one.data?.[index] ?? {})) if (text !== null) rect.dataset[name] = text;
    rect.dataset.series = one.label;
    if (one.titles[index]) rect.append(s("title", {}, `${spec.labels[index]}: ${one.titles[index]}`));
    rects.push(rect);
    base = spec.horizontal ? base + size : base - size;
  }
  return rects;
}

/** One band per label: its stacked bars (each with a tooltip title) and the label itself;
 * month labels are thinned out where they would overlap. */
function bands(spec, box, at, zero) {
  const along = spec.horizontal ? box.bottom - box.top : box.right - box.left;
  const band = along / Math.max(spec.labels.length, 1);
  const thickness = Math.min(MAX_BAR_PX, band * 0.7);
  const everyNth = spec.horizontal ? 1 : Math.ceil((spec.labels.length * 60) / Math.max(along, 1));
  const group = s("g", { class: "bars" });
  spec.labels.forEach((label, index) => {
    const start = (spec.horizontal ? box.top : box.left) + band * index + (band - thickness) / 2;
    const item = s("g", { class: "band", "data-label": label, "data-index": index }, ...stack(spec, index, start, thickness, at, zero));
    if (index % everyNth === 0) {
      const middle = start + thickness / 2;
      item.append(spec.horizontal
        ? s("text", { x: box.left - 6, y: middle + 4, "text-anchor": "end" }, clip(label, box.left - 8))
        : s("text", { x: middle, y: box.bottom + 13, "text-anchor": "middle" }, clip(label, band * everyNth)));
    }
    group.append(item);
  });
  return group;
}

/** @param {SVGSVGElement} svg @param {ChartSpec} spec @param {number} width @param {number} height */
function render(svg, spec, width, height) {
  const ticks = niceTicks(Math.max(0, ...stackedTotals(spec.series, spec.labels.length)));
  const top = ticks[ticks.length - 1];
  const box = frame(spec, width, height, ticks);
  const at = spec.horizontal
    ? (/** @type {number} */ v) => box.left + (v / top) * (box.right - box.left)
    : (/** @type {number} */ v) => box.bottom - (v / top) * (box.bottom - box.top);
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.replaceChildren(valueAxis(spec, box, ticks, at), bands(spec, box, at, at(0)), legend(spec.series, width, height - LEGEND_PX));
  svg.onclick = (event) => {
    const target = /** @type {Element} */ (event.target);
    const band = target.closest(".band");
    if (band && target.classList.contains("bar")) spec.onPick(Number(band.getAttribute("data-index")));
  };
}

/** @type {WeakMap<SVGSVGElement, {spec: ChartSpec, width: number, height: number}>} */
const charts = new WeakMap();
/** Drawings waiting for a frame: one chart per frame, so no frame lays out two charts' nodes. */
let drawings = Promise.resolve();

/** Draw `spec` into `svg` at the size of the box it sits in; a click on a bar picks its label.
 * The size comes from a ResizeObserver (after layout), never read here: reading it would
 * force a layout of the whole page, which a throttled phone pays for. */
export function drawBarChart(/** @type {SVGSVGElement} */ svg, /** @type {ChartSpec} */ spec) {
  const known = charts.get(svg);
  if (known) {
    known.spec = spec;
    if (known.width > 0) render(svg, spec, known.width, known.height);
    return;
  }
  charts.set(svg, { spec, width: 0, height: 0 });
  // Called once at once with the first size, then on each change (a rotated phone, a shown panel).
  // The drawing waits for a task of its own after the next frame: inside the observer it would
  // lengthen the frame's style-layout-paint task, the longest of a throttled phone's load, and
  // two charts drawn in one task would be laid out in one frame.
  new ResizeObserver((entries) => {
    const size = entries[entries.length - 1].contentRect;
    const chart = charts.get(svg);
    if (Math.abs(size.width - chart.width) < 1 && Math.abs(size.height - chart.height) < 1) return;
    Object.assign(chart, { width: size.width, height: size.height });
    const drawn = drawings.then(nextFrame).then(() => {
      const { width, height } = chart; // a later size wins: drawn once, at that size
      if (width === size.width && height === size.height && width > 0) {
        render(svg, chart.spec, Math.max(width, 160), Math.max(height, 120));
      }
    });
    drawings = drawn.catch(() => {}); // a failed drawing (reported as unhandled) stops no other
  }).observe(svg.parentElement);
}
