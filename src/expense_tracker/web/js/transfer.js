// Export (CSV/JSON of the filtered range) and import (CSV, with progress and per-line errors).
// Both need the token, so files go through fetch/XHR and a blob rather than a plain link.

import { ApiError, SessionEnded, request } from "./api.js";
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

export function createTransfer({ filters, onImported }) {
  const exportAs = async (format, button) => {
    button.disabled = true;
    try {
      const response = await request(`/api/expenses/export${toQuery(filters.current(), { format })}`);
      save(await response.blob(), filenameOf(response, format));
      announce(`Exported ${format.toUpperCase()}.`);
    } catch (error) {
      if (!(error instanceof SessionEnded)) announce(error.message, { error: true });
    } finally {
      button.disabled = false;
    }
  };
  for (const format of ["csv", "json"]) {
    const button = document.getElementById(`export-${format}`);
    button.addEventListener("click", () => exportAs(format, button));
  }

  const form = document.getElementById("import-form");
  const progress = document.getElementById("import-progress");
  const result = document.getElementById("import-result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [file] = form.elements.namedItem("file").files;
    if (!file) {
      result.replaceChildren(h("p", { class: "form-error" }, "Choose a CSV file first."));
      return;
    }
    const partial = form.elements.namedItem("partial").checked;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    result.replaceChildren(h("p", {}, `Importing ${file.name}…`));
    try {
      const response = await request(`/api/expenses/import${partial ? "?partial=true" : ""}`, {
        method: "POST", body: file, headers: { "Content-Type": "text/csv" },
        onProgress: (done) => { progress.value = done; },
      });
      showResult(await response.json(), partial);
      form.reset();
      onImported();
    } catch (error) {
      if (error instanceof SessionEnded) return;
      const lines = error instanceof ApiError ? (error.problem.errors ?? []).map((e) => `${e.field}: ${e.message}`) : [];
      result.replaceChildren(h("p", { class: "form-error" }, error.message), ...lines.map((l) => h("p", {}, l)));
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });

  function showResult({ imported, errors }, partial) {
    const summary = imported === 1 ? "Imported 1 expense." : `Imported ${imported} expenses.`;
    const nothing = !partial && errors.length
      ? " Nothing was imported: fix these lines, or tick “Import the valid lines”." : "";
    result.replaceChildren(
      h("p", { class: errors.length ? "form-error" : "success" }, summary + nothing),
      errors.length
        ? h("ul", { class: "import-errors" }, ...errors.map((e) => h("li", { dataset: { line: e.line } }, `Line ${e.line}: ${e.message}`)))
        : null,
    );
  }
}
