// Receipts: attach (ticket -> direct upload -> confirm), thumbnail, preview (receipt-viewer.js), remove.
// The bytes go straight to the upload URL (S3's presigned POST on AWS), never through the API.

import { ApiError, request, sendJson } from "./api.js";
import { h } from "./dom.js";
import { formatBytes } from "./format.js";
import { send } from "./transport.js";

export const RECEIPT_TYPES = ["image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"];
export const MAX_RECEIPT_BYTES = 10 * 1024 * 1024;
const DRAWABLE = new Set(["image/jpeg", "image/png", "image/webp"]);
const blobUrls = new Map(); // expense id -> object URL, revoked when replaced

/** Upload a file as the receipt of `expense`; resolves to the updated expense. */
export async function attachReceipt(expense, file, onProgress = () => {}) {
  const contentType = file.type || guessType(file.name);
  if (!RECEIPT_TYPES.includes(contentType)) {
    throw new ApiError(422, { detail: "Choose a JPEG, PNG, WebP or HEIC photo, or a PDF." });
  }
  if (file.size > MAX_RECEIPT_BYTES) {
    throw new ApiError(422, { detail: `A receipt can be at most ${formatBytes(MAX_RECEIPT_BYTES)}.` });
  }
  const base = `/api/expenses/${encodeURIComponent(expense.id)}/receipt`;
  const ticket = await sendJson("POST", `${base}/upload`, { content_type: contentType, size: file.size });
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
  form.append("file", new File([file], file.name || "receipt", { type: contentType }));
  const uploaded = await send(ticket.url, { method: "POST", body: form, onProgress });
  if (!uploaded.ok) {
    throw new ApiError(uploaded.status, { detail: "The upload was refused. Please try again." });
  }
  try {
    return await sendJson("POST", `${base}/confirm`, {});
  } catch (error) {
    // The server looked inside the file: say so in words, not as "file: the uploaded bytes…".
    if (error instanceof ApiError && error.status === 422) {
      const kind = contentType === "application/pdf" ? "a PDF" : "a photo";
      throw new ApiError(422, {
        detail: `“${file.name || "This file"}” could not be read as ${kind}. Choose another photo or PDF.`,
      });
    }
    throw error;
  }
}

function guessType(name = "") {
  const ext = name.toLowerCase().split(".").pop();
  return { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp",
    heic: "image/heic", pdf: "application/pdf" }[ext] ?? "";
}

/** Fetch the receipt with the token (the API answers with a redirect to a signed URL). */
async function receiptUrl(expense) {
  const response = await request(`/api/expenses/${encodeURIComponent(expense.id)}/receipt`);
  const blob = await response.blob();
  forgetReceipt(expense.id);
  const url = URL.createObjectURL(blob);
  blobUrls.set(expense.id, url);
  return url;
}

export function forgetReceipt(id) {
  const url = blobUrls.get(id);
  if (url) URL.revokeObjectURL(url);
  blobUrls.delete(id);
}

export async function removeReceipt(expense) {
  // keepalive: an Undo offer may run out as the page closes, and the delete must still go.
  await request(`/api/expenses/${encodeURIComponent(expense.id)}/receipt`, { method: "DELETE", keepalive: true });
  forgetReceipt(expense.id);
}

/** A button that opens the receipt in a dialog, with a thumbnail once it scrolls into view. */
export function receiptThumbnail(expense, onError, what = "") {
  const { content_type: type, size } = expense.receipt;
  const kind = type === "application/pdf" ? "PDF" : "photo";
  const label = `Open receipt (${kind}, ${formatBytes(size)})`;
  const button = h("button", { type: "button", class: "receipt-thumb", "aria-label": label, title: label,
    "aria-busy": "true" },
    h("span", { class: "receipt-icon", "aria-hidden": "true" }, type === "application/pdf" ? "PDF" : "…"));
  let loading = null;
  const load = () => {
    loading ??= receiptUrl(expense).then((url) => {
      if (DRAWABLE.has(type)) {
        button.replaceChildren(h("img", { src: url, alt: "", class: "receipt-img", width: 48, height: 48 }));
      } else if (type !== "application/pdf") {
        button.firstChild.textContent = "IMG";
      }
      return url;
    }).catch((error) => {
      loading = null; // a later click tries again
      onError(error);
      return null;
    }).finally(() => button.removeAttribute("aria-busy"));
    return loading;
  };
  button.addEventListener("click", async () => {
    const url = await load();
    const { showReceipt } = await import("./receipt-viewer.js"); // only once someone looks
    if (url) showReceipt(url, type, what ? `Receipt: ${what}` : `Receipt (${kind})`, button);
  });
  whenVisible(button, load);
  return button;
}

const watchers = new WeakMap();
const observer = "IntersectionObserver" in window
  ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        watchers.get(entry.target)?.();
      }
    }
  }, { rootMargin: "200px" })
  : null;

function whenVisible(node, callback) {
  if (!observer) {
    callback();
    return;
  }
  watchers.set(node, callback);
  observer.observe(node);
}
