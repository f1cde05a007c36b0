// Export jobs: CSV, JSON or the evidence pack (a zip with every receipt and a manifest) of
// what the filters select, written in the background. Shows progress while the job runs and
// a download button when it is done; each click asks for a fresh link (links last 5 minutes).

import { SessionEnded, getJson, sendJson } from "./api.js";
import { announce, h } from "./dom.js";

const POLL_MS = 1000;
const FINISHED = new Set(["done", "failed", "expired"]);
const LABELS = { csv: "CSV", json: "JSON", zip: "evidence pack" };

/** The filters bar's values, as the API names them (empty ones left out). */
function currentFilters() {
  const form = /** @type {HTMLFormElement | null} */ (document.getElementById("filters"));
  const out = {};
  for (const name of ["from", "to", "category", "q"]) {
    const field = /** @type {HTMLInputElement | null} */ (form?.elements.namedItem(name));
    const value = field?.value.trim();
    if (value) out[name] = value;
  }
  return out;
}

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function buildPanel(root) {
  const form = h(
    "form",
    { id: "export-job-form", class: "export-job-form" },
    h(
      "fieldset",
      {},
      h("legend", {}, "Export in the background"),
      ...Object.entries({ csv: "CSV", json: "JSON", zip: "Evidence pack (ZIP: CSV, JSON, receipts, rates, checksums)" }).map(
        ([value, label], index) =>
          h("label", { class: "check" }, h("input", { type: "radio", name: "format", value, checked: index === 0 }), ` ${label}`),
      ),
    ),
    h("button", { type: "submit" }, "Start export"),
  );
  const progress = h("progress", { id: "export-job-progress", hidden: true, "aria-label": "Export progress" });
  const status = h("div", { id: "export-job-status", role: "status", "aria-live": "polite" });
  root.replaceChildren(form, progress, status);
  return { form, progress, status };
}

function createExports(root) {
  const { form, progress, status } = buildPanel(root);
  const button = form.querySelector("button[type=submit]");

  const download = async (id) => {
    const fresh = await getJson(`/api/exports/${encodeURIComponent(id)}`);
    if (!fresh.download) {
      status.replaceChildren(h("p", { class: "form-error" }, "This export has expired; start a new one."));
      return;
    }
    const link = h("a", { href: fresh.download, download: "", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  };

  const show = (job) => {
    if (job.status === "done") {
      const what = `${job.rows} ${job.rows === 1 ? "expense" : "expenses"}, ${sizeText(job.bytes)}`;
      status.replaceChildren(
        h("p", { class: "success" }, `Your ${LABELS[job.format]} is ready (${what}).`),
        h("button", { type: "button", onclick: () => download(job.id).catch(report) }, `Download ${LABELS[job.format]}`),
      );
    } else if (job.status === "failed" || job.status === "expired") {
      status.replaceChildren(h("p", { class: "form-error" }, job.error ?? "The export is no longer available."));
    } else {
      status.replaceChildren(h("p", {}, `Exporting… ${job.rows} expenses written so far.`));
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const format = new FormData(form).get("format");
    button.disabled = true;
    progress.hidden = false;
    progress.removeAttribute("value"); // indeterminate: the total is not known up front
    status.replaceChildren(h("p", {}, "Starting the export…"));
    try {
      const { id } = await sendJson("POST", "/api/exports", { format, ...currentFilters() });
      let job = await getJson(`/api/exports/${encodeURIComponent(id)}`);
      while (!FINISHED.has(job.status)) {
        show(job);
        await pause(POLL_MS);
        job = await getJson(`/api/exports/${encodeURIComponent(id)}`);
      }
      show(job);
      if (job.status === "done") announce(`Export ready: ${LABELS[job.format]}.`);
    } catch (error) {
      report(error);
      status.replaceChildren(h("p", { class: "form-error" }, error.message));
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });
}

function report(error) {
  if (!(error instanceof SessionEnded)) announce(error.message || "The export failed.", { error: true });
}

const root = document.getElementById("export-jobs");
if (root) createExports(root);
