// The receipt preview: a modal <dialog> over the dashboard instead of a raw browser tab.
// Photos can be zoomed (button or a click on the photo); a PDF opens in the browser's own
// viewer inside an <iframe> of the receipt's bytes (a blob: URL, fetched with the token).
// Esc or Close shuts it, and the focus goes back to the thumbnail that opened it.

import { h } from "./dom.js";

let dialog = null;
let opener = null;

function build() {
  const title = h("h2", { id: "receipt-viewer-title" }, "Receipt");
  const zoom = h("button", { type: "button", class: "receipt-zoom", "aria-pressed": "false" }, "Zoom in");
  const close = h("button", { type: "button", class: "receipt-close" }, "Close");
  const body = h("div", { class: "receipt-viewer-body" });
  const viewer = h("dialog", { id: "receipt-viewer", class: "receipt-viewer", "aria-labelledby": "receipt-viewer-title" },
    h("div", { class: "receipt-viewer-bar" }, title, zoom, close),
    body);
  zoom.addEventListener("click", () => setZoom(viewer, zoom.getAttribute("aria-pressed") !== "true"));
  close.addEventListener("click", () => viewer.close());
  viewer.addEventListener("close", () => {
    body.replaceChildren(); // the PDF viewer and the photo go with the dialog
    opener?.focus();
    opener = null;
  });
  document.body.append(viewer);
  return viewer;
}

function setZoom(viewer, zoomed) {
  const zoom = viewer.querySelector(".receipt-zoom");
  zoom.setAttribute("aria-pressed", String(zoomed));
  zoom.textContent = zoomed ? "Zoom out" : "Zoom in";
  viewer.classList.toggle("zoomed", zoomed);
}

/**
 * Show the receipt at `url` (a blob: URL) of type `type`; `from` gets the focus back.
 * @param {string} url @param {string} type @param {string} name @param {HTMLElement} from
 */
export function showReceipt(url, type, name, from) {
  dialog ??= build();
  opener = from;
  const pdf = type === "application/pdf";
  dialog.querySelector("#receipt-viewer-title").textContent = name;
  const zoom = dialog.querySelector(".receipt-zoom");
  zoom.hidden = pdf;
  setZoom(dialog, false);
  const content = pdf
    ? h("iframe", { src: url, class: "receipt-pdf", title: `${name} (PDF)` })
    : h("img", { src: url, class: "receipt-photo", alt: name });
  if (!pdf) content.addEventListener("click", () => zoom.click());
  dialog.querySelector(".receipt-viewer-body").replaceChildren(content);
  dialog.showModal();
  dialog.querySelector(".receipt-close").focus();
}
