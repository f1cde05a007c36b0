// The period and filters bar. It drives the list, the analytics and the export, and keeps
// itself in the address bar so a reload (or a bookmark) shows the same view.

import { isoDay } from "./format.js";

const NAMES = ["from", "to", "category", "q"];

/**
 * @param {HTMLFormElement} form
 * @param {(filters: Record<string, string>) => void} onChange
 */
export function createFilters(form, onChange) {
  let debounce = null;
  /** @param {string} name @returns {HTMLInputElement} */
  const input = (name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
  const presets = [.../** @type {NodeListOf<HTMLButtonElement>} */ (form.querySelectorAll("[data-preset]"))];

  /** @returns {Record<string, string>} */
  const current = () => {
    /** @type {Record<string, string>} */
    const out = {};
    for (const name of NAMES) {
      const value = input(name).value.trim();
      if (value) out[name] = value;
    }
    return out;
  };

  // A preset shows as pressed while the period is exactly its range.
  const showPreset = () => {
    const from = input("from").value;
    const to = input("to").value;
    for (const button of presets) {
      const [start, end] = presetRange(button.dataset.preset, new Date());
      button.setAttribute("aria-pressed", String(start === from && end === to));
    }
  };

  const changed = () => {
    clearTimeout(debounce);
    showPreset();
    const filters = current();
    const url = new URL(location.href);
    url.search = new URLSearchParams(filters).toString();
    history.replaceState(null, "", url);
    onChange(filters);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    changed();
  });
  form.addEventListener("change", changed);
  // Typing in the search box filters as you go, without a request per keystroke.
  input("q").addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(changed, 300);
  });
  for (const button of presets) {
    button.addEventListener("click", () => {
      const [from, to] = presetRange(button.dataset.preset, new Date());
      input("from").value = from;
      input("to").value = to;
      changed();
    });
  }

  /** Set some filters at once (a chart's drill-down), as if typed, and apply them. */
  const set = (values) => {
    for (const [name, value] of Object.entries(values)) input(name).value = value;
    changed();
  };

  const fromUrl = new URLSearchParams(location.search);
  for (const name of NAMES) {
    input(name).value = fromUrl.get(name) ?? "";
  }
  showPreset();
  return { current, set };
}

/** @param {string} preset @param {Date} today @returns {[string, string]} */
export function presetRange(preset, today) {
  const y = today.getFullYear();
  const m = today.getMonth();
  switch (preset) {
    case "month":
      return [isoDay(new Date(y, m, 1)), isoDay(new Date(y, m + 1, 0))];
    case "last-month":
      return [isoDay(new Date(y, m - 1, 1)), isoDay(new Date(y, m, 0))];
    case "year":
      return [isoDay(new Date(y, 0, 1)), isoDay(new Date(y, 11, 31))];
    default:
      return ["", ""];
  }
}

/** "?from=…&to=…" for the API, with any extra parameters. */
/** @param {Record<string, string>} filters @param {Record<string, string | number>} [extra] */
export function toQuery(filters, extra = {}) {
  const params = new URLSearchParams(Object.entries({ ...filters, ...extra }).map(([k, v]) => [k, String(v)]));
  const text = params.toString();
  return text ? `?${text}` : "";
}
