// The statement import dialog (issue 12): choose a file, see its detected format and first
// rows (and, for a bank's own CSV, pick which column is which), then watch the import job
// (POST /api/imports -> upload with the ticket -> start -> poll) and read its result.

import { ApiError, SessionEnded, explain, getJson, sendJson } from "./api.js";
import { $, h } from "./dom.js";
import { FORMAT_NAMES, HEAD_BYTES, detectFormat, guessMapping, previewCsv, previewStatement } from "./statement-preview.js";
import { send } from "./transport.js";

const POLL_MS = 400;
/** @type {[string, string, boolean][]} */
const FIELDS = [["date", "Date column", true], ["amount", "Amount column", true], ["currency", "Currency column", false],
  ["description", "Description column", false], ["category", "Category column", false]];
const DATE_FORMATS = [["%Y-%m-%d", "2026-11-30"], ["%d.%m.%Y", "30.11.2026"], ["%d/%m/%Y", "30/11/2026"], ["%m/%d/%Y", "11/30/2026"]];
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

function select(name, label, options, required = true) {
  const id = `import-map-${name}`;
  return h("div", { class: "field" }, h("label", { for: id }, label),
    h("select", { id, name, required }, required ? null : h("option", { value: "" }, "(none)"),
      ...options.map(([value, text]) => h("option", { value }, text))));
}

function table(columns, rows) {
  return h("div", { class: "table-scroll" }, h("table", { class: "data-table" },
    h("caption", {}, "The first rows of the file"),
    h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...columns.map((_, i) => h("td", {}, r[i] ?? "")))))));
}

function build() {
  const dialog = h("dialog", { id: "import-dialog", class: "import-dialog", "aria-labelledby": "import-dialog-title" },
    h("h2", { id: "import-dialog-title" }, "Import a bank statement"),
    h("form", { id: "statement-form", class: "statement-form", novalidate: true },
      h("div", { class: "field" }, h("label", { for: "statement-file" }, "Statement file (CSV, OFX, QFX, QIF, CAMT.053, MT940)"),
        h("input", { id: "statement-file", name: "file", type: "file", accept: ".csv,.txt,.ofx,.qfx,.qif,.xml,.sta,.mt940" })),
      h("p", { id: "statement-format", role: "status" }),
      h("div", { id: "statement-preview" }),
      h("fieldset", { id: "statement-mapping", class: "statement-mapping", hidden: true },
        h("legend", {}, "Which column is which"), h("div", { class: "mapping-grid" })),
      h("label", { class: "check", id: "statement-day-first", hidden: true },
        h("input", { type: "checkbox", name: "day_first" }), " Dates are day first (30/11/2026)"),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "partial" }), " Import the valid rows even if some have errors"),
      h("div", { class: "button-row" }, h("button", { type: "submit" }, "Import"),
        h("button", { type: "button", class: "close-import" }, "Close")),
      h("progress", { id: "statement-progress", hidden: true, "aria-label": "Import progress" }),
      h("div", { id: "statement-result", role: "status", "aria-live": "polite", tabindex: "-1" })));
  document.body.append(dialog);
  return dialog;
}

function mappingFields(columns, guess) {
  const names = columns.map((c) => [c, c]);
  return [
    ...FIELDS.map(([name, label, required]) => select(name, label, names, required)),
    select("date_format", "Date format", DATE_FORMATS),
    select("decimal", "Decimal separator", [[".", "Point (1,234.50)"], [",", "Comma (1.234,50)"]]),
    select("expenses_are", "Money out is", [["negative", "Negative (-12.50)"], ["positive", "Positive (12.50)"]]),
  ].map((field) => {
    const control = field.querySelector("select");
    if (guess[control.name] !== undefined) control.value = guess[control.name];
    return field;
  });
}

/**
 * Loaded on the first click of `opener` (tracker.js), so the dashboard's first load skips it.
 * @param {{opener: HTMLElement, onImported: () => unknown}} options
 */
export function createImportDialog({ opener, onImported }) {
  let dialog = null;
  let chosen = null; // {file, format, csv}

  function wire(node) {
    const form = $("#statement-form", node);
    $(".close-import", node).addEventListener("click", () => node.close());
    node.addEventListener("close", () => opener.focus());
    $("#statement-file", node).addEventListener("change", (event) => inspect(node, event.target.files[0]));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      run(node, form);
    });
    return node;
  }

  async function inspect(node, file) {
    chosen = null;
    $("#statement-result", node).replaceChildren();
    const mapping = $("#statement-mapping", node);
    mapping.hidden = true;
    $("#statement-day-first", node).hidden = true;
    if (!file) return;
    const head = await file.slice(0, HEAD_BYTES).text();
    const format = detectFormat(head);
    const status = $("#statement-format", node);
    if (!format) {
      status.textContent = "This file does not look like a statement (it holds binary data).";
      $("#statement-preview", node).replaceChildren();
      return;
    }
    const csv = format === "csv" ? previewCsv(head) : null;
    const foreign = csv && !csv.ours;
    status.textContent = `Detected format: ${FORMAT_NAMES[format]}${csv ? (foreign ? " (your bank's layout: choose the columns below)" : " (this app's export)") : ""}.`;
    const { columns, rows } = csv ?? previewStatement(format, head);
    $("#statement-preview", node).replaceChildren(table(columns, rows));
    if (foreign) {
      $(".mapping-grid", mapping).replaceChildren(...mappingFields(csv.columns, guessMapping(csv.columns, csv.rows)));
      mapping.hidden = false;
    }
    $("#statement-day-first", node).hidden = format !== "qif";
    chosen = { file, format, csv };
  }

  function body(form) {
    const { file, format, csv } = chosen;
    const data = new FormData(form);
    const json = { format, size: file.size, partial: data.get("partial") === "on" };
    if (format === "qif") json.day_first = data.get("day_first") === "on";
    if (csv && !csv.ours) {
      const mapping = { delimiter: csv.delimiter };
      for (const name of ["date", "amount", "currency", "description", "category", "date_format", "decimal", "expenses_are"]) {
        mapping[name] = data.get(name) || null;
      }
      json.mapping = mapping;
    }
    return json;
  }

  async function run(node, form) {
    const result = $("#statement-result", node);
    const button = $("button[type=submit]", form);
    if (!chosen) {
      result.replaceChildren(h("p", { class: "form-error" }, "Choose a statement file first."));
      $("#statement-file", node).focus();
      return;
    }
    if (button.getAttribute("aria-disabled") === "true") return;
    button.setAttribute("aria-disabled", "true");
    const progress = $("#statement-progress", node);
    progress.hidden = false;
    progress.max = 1;
    progress.value = 0;
    try {
      const job = await importFile(body(form), chosen.file, result, progress);
      showOutcome(result, job);
      onImported();
    } catch (error) {
      if (error instanceof SessionEnded) return;
      const lines = error instanceof ApiError ? error.problem.errors ?? [] : [];
      result.replaceChildren(h("p", { class: "form-error" }, `The import failed. ${explain(error)}`),
        lines.length ? h("ul", { class: "import-errors" }, ...lines.map((e) => h("li", {}, `${e.field ?? ""} ${e.message}`.trim()))) : "");
    } finally {
      button.removeAttribute("aria-disabled");
      progress.hidden = true;
      result.focus();
    }
  }

  async function importFile(json, file, result, progress) {
    result.replaceChildren(h("p", {}, `Uploading ${file.name}…`));
    const created = await sendJson("POST", "/api/imports", json);
    const form = new FormData();
    for (const [name, value] of Object.entries(created.upload.fields)) form.append(name, String(value));
    form.append("file", file);
    const uploaded = await send(created.upload.url, { method: "POST", body: form, onProgress: (done) => { progress.value = done; } });
    if (!uploaded.ok) throw new ApiError(uploaded.status, { detail: "The upload was refused. Please try again." });
    progress.removeAttribute("value"); // from here the length of the work is unknown
    let job = await sendJson("POST", `/api/imports/${encodeURIComponent(created.id)}/start`, {});
    while (job.status === "queued" || job.status === "running") {
      result.replaceChildren(h("p", {}, `Importing… ${plural(job.processed, "row", "rows")} read.`));
      await sleep(POLL_MS);
      job = await getJson(`/api/imports/${encodeURIComponent(created.id)}`);
    }
    return job;
  }

  function showOutcome(result, job) {
    const failed = job.status === "failed";
    const parts = [`Imported ${plural(job.imported, "expense", "expenses")}.`];
    if (job.duplicates) parts.push(`${plural(job.duplicates, "duplicate", "duplicates")} already imported (not added again).`);
    if (job.skipped) parts.push(`${plural(job.skipped, "row", "rows")} skipped (money in or transfers).`);
    if (failed) parts.push(job.imported ? "" : "Nothing was imported: fix the lines below, or tick “Import the valid rows”.");
    result.replaceChildren(
      h("p", { class: failed && !job.imported ? "form-error" : "success" }, parts.filter(Boolean).join(" ")),
      job.error_count ? h("p", {}, `${plural(job.error_count, "line has", "lines have")} errors:`) : "",
      job.errors.length ? h("ul", { class: "import-errors" },
        ...job.errors.map((e) => h("li", { dataset: { line: e.line } }, `Line ${e.line}: ${e.message}`))) : "");
  }

  return {
    open() {
      dialog ??= wire(build());
      dialog.showModal();
      $("#statement-file", dialog).focus();
    },
  };
}
