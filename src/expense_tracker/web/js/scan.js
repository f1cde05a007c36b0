// "Scan a receipt": take or choose a photo, upload it (ticket -> direct upload), start the
// scan, poll it, then show the photo beside a form prefilled with what was read. Fields the
// reader was unsure of are marked, visibly and in their description for screen readers;
// the user corrects them and saves: the expense is created with the photo as its receipt.

import { ApiError, SessionEnded, getJson, request, sendJson } from "./api.js";
import { announce, clearFieldErrors, h, showFieldErrors } from "./dom.js";
import { checkExpense, expenseFields, readExpense } from "./expense-form.js";
import { formatMoney, isoDay } from "./format.js";
import { send } from "./transport.js";

const SCAN_TYPES = ["image/jpeg", "image/png", "image/webp", "image/heic"];
const MAX_BYTES = 10 * 1024 * 1024;
const LOW_CONFIDENCE = 0.8;
const POLL_MS = 1000;
const POLL_LIMIT = 180; // three minutes
// The form field each scanned field fills.
const FIELD_OF = { total: "amount", currency: "currency", date: "date", merchant: "description" };
const CHECK_THIS = "Check this: the scan was not sure.";

/** @param {HTMLElement} root @param {{ defaultCurrency: () => string, onAdded: (expense?: unknown) => unknown }} options */
export function createScan(root, { defaultCurrency, onAdded }) {
  const input = h("input", { type: "file", id: "scan-file", accept: "image/*", capture: "environment" });
  const status = h("p", { class: "scan-status", role: "status", "aria-live": "polite" });
  const photo = h("img", { class: "scan-photo", alt: "The scanned receipt" });
  const form = h("form", { class: "expense-form scan-form", novalidate: true, "aria-labelledby": "scan-form-title" });
  // The photo joins the page with its first source: an <img> without one is never "complete".
  const figure = h("figure", { class: "scan-figure" });
  const review = h("div", { class: "scan-review", hidden: true },
    figure,
    h("div", {}, h("h3", { id: "scan-form-title" }, "Check and save"), form));
  root.append(
    h("div", { class: "field" },
      h("label", { for: "scan-file" }, "Photo of the receipt"), input,
      h("p", { class: "hint" }, "On a phone this opens the camera. JPEG, PNG, WebP or HEIC, at most 10 MB.")),
    status, review);

  let scanId = null;
  let photoUrl = null;
  const say = (text) => { status.textContent = text; };

  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    if (!file) return;
    review.hidden = true;
    scanId = null;
    try {
      const scan = await scanFile(file, say);
      if (photoUrl) URL.revokeObjectURL(photoUrl);
      photoUrl = URL.createObjectURL(file);
      photo.src = photoUrl;
      if (!photo.isConnected) figure.append(photo);
      if (scan.status !== "done") {
        say("The receipt could not be read. Add the expense with the form above instead.");
        return;
      }
      scanId = scan.id;
      fillForm(form, scan, defaultCurrency());
      review.hidden = false;
      say("Read. Check the marked fields, then save.");
      (form.querySelector(".unsure input") ?? form.elements.namedItem("category")).focus();
    } catch (error) {
      if (error instanceof SessionEnded) return;
      say("");
      announce(error.message || "The scan failed.", { error: true });
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const values = readExpense(form);
    const problems = checkExpense(values);
    if (Object.keys(problems).length) {
      showFieldErrors(form, problems);
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await request("/api/expenses", { method: "POST", json: { ...values, scan_id: scanId } });
      const expense = await response.json();
      review.hidden = true;
      input.value = "";
      say("");
      announce(`Added ${expense.category} ${formatMoney(expense.amount, expense.currency)} with its receipt.`);
      onAdded(expense);
    } catch (error) {
      if (error instanceof SessionEnded) return;
      if (error instanceof ApiError && error.status === 422) showFieldErrors(form, error.fieldErrors);
      else announce(error.message || "The expense could not be saved.", { error: true });
    } finally {
      button.disabled = false;
    }
  });
}

/** Upload the photo, start the scan and wait for it: the finished scan. */
async function scanFile(file, say) {
  const type = file.type || "image/jpeg";
  if (!SCAN_TYPES.includes(type)) throw new ApiError(422, { detail: "Choose a JPEG, PNG, WebP or HEIC photo." });
  if (file.size > MAX_BYTES) throw new ApiError(422, { detail: "The photo can be at most 10 MB." });
  say("Uploading the photo…");
  const created = await sendJson("POST", "/api/scans", { content_type: type, size: file.size });
  const form = new FormData();
  for (const [name, value] of Object.entries(created.upload.fields)) form.append(name, value);
  form.append("file", new File([file], file.name || "receipt", { type }));
  const uploaded = await send(created.upload.url, { method: "POST", body: form });
  if (!uploaded.ok) throw new ApiError(uploaded.status, { detail: "The upload was refused. Please try again." });
  say("Reading the receipt…");
  let scan = await sendJson("POST", `/api/scans/${encodeURIComponent(created.id)}/start`, {});
  for (let polls = 0; !["done", "failed"].includes(scan.status) && polls < POLL_LIMIT; polls += 1) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    scan = await getJson(`/api/scans/${encodeURIComponent(created.id)}`);
  }
  return scan;
}

function fillForm(form, scan, defaultCurrency) {
  const { fields, confidence } = scan;
  form.replaceChildren(
    ...expenseFields("scan", {
      amount: fields.total ?? "",
      currency: fields.currency ?? defaultCurrency,
      date: fields.date ?? isoDay(),
      description: fields.merchant ?? "",
    }),
    h("div", { class: "button-row" }, h("button", { type: "submit", class: "primary" }, "Save expense")),
  );
  for (const [name, field] of Object.entries(FIELD_OF)) {
    const unsure = fields[name] === null || (confidence?.[name] ?? 0) < LOW_CONFIDENCE;
    if (unsure) markUnsure(form.elements.namedItem(field));
  }
}

/** A visible mark and a description the screen reader reads with the field. */
function markUnsure(input) {
  const note = h("p", { class: "scan-unsure", id: `${input.id}-check` }, CHECK_THIS);
  input.closest(".field").classList.add("unsure");
  input.after(note);
  input.setAttribute("aria-describedby", `${input.id}-check ${input.getAttribute("aria-describedby") ?? ""}`.trim());
}
