// Export (CSV/JSON of the filtered range) and import (CSV, with progress and per-line errors).
// Both need the token, so files go through fetch/XHR and a blob rather than a plain link.

import { ApiError, SessionEnded, explain, request } from "./api.js";
import { announce, h } from "./dom.js";
import { toQuery } from "./filters.js";
import { isoDay } from "./format.js";

function filenameOf(response, format) {
  const match = /filename="?([^";]+)"?/i.exec(response.headers.get("content-disposition") ?? "");
  return match ? match[1] : `expenses-${isoDay()}.${format}`;
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL; free it once the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** @param {{filters: {current: () => Record<string, string>}, onImported: () => unknown}} options */
export function createTransfer({ filters, onImported }) {
  // Busy buttons say so with aria-disabled rather than `disabled`, which would drop the focus.
  const exportAs = async (format, button) => {
    if (button.getAttribute("aria-disabled") === "true") return;
    button.setAttribute("aria-disabled", "true");
    try {
      const response = await request(`/api/expenses/export${toQuery(filters.current(), { format })}`);
      save(await response.blob(), filenameOf(response, format));
      announce(`Exported ${format.toUpperCase()}.`);
    } catch (error) {
      if (!(error instanceof SessionEnded)) announce(`The export failed. ${explain(error)}`, { error: true });
    } finally {
      button.removeAttribute("aria-disabled");
      if (document.activeElement === document.body) button.focus();
    }
  };
  for (const format of ["csv", "json"]) {
    const button = document.getElementById(`export-${format}`);
    button.addEventListener("click", () => exportAs(format, button));
  }

  const form = /** @type {HTMLFormElement} */ (document.getElementById("import-form"));
  const fileInput = /** @type {HTMLInputElement} */ (form.elements.namedItem("file"));
  const partialBox = /** @type {HTMLInputElement} */ (form.elements.namedItem("partial"));
  const progress = /** @type {HTMLProgressElement} */ (document.getElementById("import-progress"));
  const result = document.getElementById("import-result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [file] = fileInput.files;
    if (!file) {
      result.replaceChildren(h("p", { class: "form-error" }, "Choose a CSV file first."));
      fileInput.focus();
      return;
    }
    const partial = partialBox.checked;
    const button = form.querySelector("button[type=submit]");
    if (button.getAttribute("aria-disabled") === "true") return;
    button.setAttribute("aria-disabled", "true");
    progress.hidden = false;
    progress.value = 0;
    result.replaceChildren(h("p", {}, `Importing ${file.name}…`));
    try {
      const response = await request(`/api/expenses/import${partial ? "?partial=true" : ""}`, {
        method: "POST", body: file, headers: { "Content-Type": "text/csv" },
        onProgress: (done) => { progress.value = done; },
      });
      const outcome = await response.json();
      showResult(outcome, partial);
      // A refused (strict) import keeps the chosen file, ready to import again once fixed.
      if (outcome.imported > 0 || !outcome.errors.length) form.reset();
      onImported();
    } catch (error) {
      if (error instanceof SessionEnded) return;
      const lines = error instanceof ApiError ? (error.problem.errors ?? []).map((e) => e.message) : [];
      result.replaceChildren(h("p", { class: "form-error" }, `The import failed. ${explain(error)}`),
        lines.length ? h("ul", { class: "import-errors" }, ...lines.map((l) => h("li", {}, l))) : "");
    } finally {
      button.removeAttribute("aria-disabled");
      progress.hidden = true;
      result.focus(); // the outcome is what to read next; never leave the focus on <body>
    }
  });

  function showResult({ imported, errors }, partial) {
    const summary = imported === 1 ? "Imported 1 expense." : `Imported ${imported} expenses.`;
    const nothing = !partial && errors.length
      ? " Nothing was imported: fix these lines, or tick “Import the valid lines”." : "";
    // Red only when nothing went in; a partial import is a success with notes.
    const refused = !partial && errors.length > 0;
    const skipped = partial && errors.length
      ? h("p", {}, errors.length === 1 ? "1 line was skipped:" : `${errors.length} lines were skipped:`) : "";
    result.replaceChildren(
      h("p", { class: refused ? "form-error" : "success" }, summary + nothing),
      skipped,
      errors.length
        ? h("ul", { class: "import-errors" }, ...errors.map((e) => h("li", { dataset: { line: e.line } }, `Line ${e.line}: ${e.message}`)))
        : "",
    );
  }
}
