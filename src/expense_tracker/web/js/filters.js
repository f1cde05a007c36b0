// The period and filters bar. It drives the list, the analytics and the export, and keeps
// itself in the address bar so a reload (or a bookmark) shows the same view.

import { isoDay } from "./format.js";

const NAMES = ["from", "to", "category", "q"];

export function createFilters(form, onChange) {
  let debounce = null;

  const current = () => {
    const out = {};
    for (const name of NAMES) {
      const value = form.elements.namedItem(name).value.trim();
      if (value) out[name] = value;
    }
    return out;
  };

  const changed = () => {
    clearTimeout(debounce);
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
  form.elements.namedItem("q").addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(changed, 300);
  });
  for (const button of form.querySelectorAll("[data-preset]")) {
    button.addEventListener("click", () => {
      const [from, to] = presetRange(button.dataset.preset, new Date());
      form.elements.namedItem("from").value = from;
      form.elements.namedItem("to").value = to;
      changed();
    });
  }

  const fromUrl = new URLSearchParams(location.search);
  for (const name of NAMES) {
    form.elements.namedItem(name).value = fromUrl.get(name) ?? "";
  }
  return { current };
}

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
export function toQuery(filters, extra = {}) {
  const params = new URLSearchParams({ ...filters, ...extra });
  const text = params.toString();
  return text ? `?${text}` : "";
}
