// Tiny DOM helpers. Text always goes in through textContent, never innerHTML, so data from
// the API (descriptions, categories) can never become markup.

/**
 * h("button", {type: "button", class: "link", onclick: fn}, "Edit")
 * @param {string} tag @param {Record<string, any>} attrs @param {...any} children
 * @returns {any} the new element
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** Let the browser paint and answer input before the next piece of work: a throttled phone
 * counts every task over 50 ms as blocking, so a load is done as several short tasks. */
export function nextTask() {
  const { scheduler } = /** @type {any} */ (globalThis);
  if (typeof scheduler?.yield === "function") return scheduler.yield();
  return new Promise((resolve) => { setTimeout(resolve, 0); });
}

/** Wait until the browser has drawn a frame, then for a task of its own. Rows added between
 * two of these are laid out in their own frame: added all at once, a page of them and the
 * charts cost one style-layout-paint task of ~50 ms (x2 on a throttled phone). A hidden page
 * draws no frames: there it is only the next task. */
export function nextFrame() {
  if (document.visibilityState === "hidden") return nextTask();
  return new Promise((resolve) => {
    requestAnimationFrame(() => { setTimeout(resolve, 0); });
  });
}

/** @returns {any} the first match (typed loosely: callers know which element they asked for) */
export const $ = (selector, root = document) => root.querySelector(selector);
/** @returns {any[]} */
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** Polite announcements for screen readers and a visible toast. */
export function announce(message, { error = false } = {}) {
  showToast(message, { error, ms: error ? 8000 : 4000 });
}

let toastTimer = null;
let pendingUndo = null; // {commit} of the change the toast offers to undo, if any

function showToast(message, { error = false, ms = 4000, undo = null } = {}) {
  const toast = document.getElementById("toast");
  if (!toast) return;
  const text = document.getElementById("toast-text");
  if (text) text.textContent = message;
  else toast.textContent = message;
  toast.classList.toggle("error", error);
  const undoButton = document.getElementById("toast-undo");
  if (undoButton) {
    undoButton.hidden = !undo;
    undoButton.onclick = undo;
  }
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toast.hidden = true;
  }, ms);
}

/** How long a deleted thing can be brought back. */
export const UNDO_MS = 8000;

/**
 * Show `message` with an Undo button; run `commit` when the time is up (or when another undoable
 * change or leaving the page comes first), or `undo` instead if the button is pressed.
 * @param {string} message @param {{commit: () => unknown, undo: () => unknown}} actions
 */
export function offerUndo(message, { commit, undo }) {
  flushUndo();
  let settled = false;
  const settle = (action) => {
    if (settled) return;
    settled = true;
    if (pendingUndo?.commit === finish) pendingUndo = null;
    clearTimeout(timer);
    action();
  };
  const finish = () => settle(commit);
  const timer = setTimeout(finish, UNDO_MS);
  pendingUndo = { commit: finish };
  showToast(message, {
    ms: UNDO_MS,
    undo: () => {
      settle(undo);
      document.getElementById("toast").hidden = true;
    },
  });
}

/** Commit a pending undoable change now. */
export function flushUndo() {
  pendingUndo?.commit();
}

addEventListener("pagehide", flushUndo);

/** Show a field's message under its input and mark it invalid (or clear it). */
export function setFieldError(form, field, message) {
  const input = form.elements.namedItem(field);
  const slot = form.querySelector(`[data-error-for="${field}"]`);
  if (input && input.setAttribute) {
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
  if (slot) {
    slot.textContent = message ?? "";
    slot.hidden = !message;
  }
  return Boolean(slot);
}

export function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) {
    setFieldError(form, slot.dataset.errorFor, null);
  }
}

/** The API words messages relative to the field ("must be at least 8 characters"):
 * start them with the field's label so they read as sentences. */
function sentence(form, field, message) {
  if (!/^[a-z]/.test(message)) return message;
  const input = form.elements.namedItem(field);
  const label = input?.id ? form.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null;
  const text = `${label ? label.textContent.trim() : field} ${message}`;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Put errors[] under their fields; returns the messages that had no field to go to. */
export function showFieldErrors(form, fieldErrors) {
  const leftover = [];
  for (const [field, message] of Object.entries(fieldErrors)) {
    const text = sentence(form, field, message);
    if (!setFieldError(form, field, text)) leftover.push(text);
  }
  form.querySelector("[aria-invalid='true']")?.focus();
  return leftover;
}
