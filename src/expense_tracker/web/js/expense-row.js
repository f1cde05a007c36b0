// One expense as a row of the list: amount, category, date, description, its receipt (a
// thumbnail, or a button to attach one) and its buttons. What the buttons do comes from the
// list (expense-actions.js); rows shown offline are read-only and have none.

import { h } from "./dom.js";
import { formatDate, formatMoney } from "./format.js";
import { receiptThumbnail } from "./receipts.js";

/**
 * @typedef {{
 *   edit: (expense: any) => void,
 *   remove: (expense: any, what: string) => void,
 *   attach: (expense: any, file: File, progress: HTMLProgressElement, input: HTMLInputElement) => unknown,
 *   dropReceipt: (expense: any) => void,
 *   report: (error: unknown) => void,
 * }} RowActions
 */

/** @param {any} expense @param {RowActions} actions @param {{readOnly?: boolean}} options */
export function renderRow(expense, actions, { readOnly = false } = {}) {
  const money = formatMoney(expense.amount, expense.currency);
  const what = `${expense.category} ${money} on ${formatDate(expense.date)}`;
  return h("li", { class: "expense", dataset: { id: expense.id } },
    h("div", { class: "expense-main" },
      h("span", { class: "expense-amount", dataset: { amount: expense.amount, currency: expense.currency } }, money),
      h("span", { class: "expense-category" }, expense.category),
      h("time", { class: "expense-date", datetime: expense.date }, formatDate(expense.date)),
      expense.description ? h("p", { class: "expense-description" }, expense.description) : null,
    ),
    readOnly ? null : receiptCell(expense, what, actions),
    readOnly ? null : h("div", { class: "expense-actions" },
      h("button", { type: "button", class: "edit", "aria-label": `Edit ${what}`, onclick: () => actions.edit(expense) }, "Edit"),
      h("button", { type: "button", class: "delete", "aria-label": `Delete ${what}`, onclick: () => actions.remove(expense, what) }, "Delete"),
    ),
  );
}

/** @param {any} expense @param {string} what @param {RowActions} actions */
function receiptCell(expense, what, actions) {
  const cell = h("div", { class: "expense-receipt" });
  if (expense.receipt) {
    cell.append(
      receiptThumbnail(expense, actions.report, what),
      h("button", { type: "button", class: "link remove-receipt", "aria-label": `Remove the receipt of ${what}`,
        onclick: () => actions.dropReceipt(expense) }, "Remove"),
    );
    return cell;
  }
  const progress = h("progress", { max: 1, value: 0, hidden: true, "aria-label": "Upload progress" });
  const input = h("input", { type: "file", class: "visually-hidden attach-input",
    accept: "image/*,application/pdf", capture: "environment", "aria-label": `Attach a receipt to ${what}` });
  input.addEventListener("change", () => {
    const [file] = input.files;
    if (file) actions.attach(expense, file, progress, input);
  });
  cell.append(h("label", { class: "button attach" }, input, h("span", { "aria-hidden": "true" }, "Attach receipt")), progress);
  return cell;
}
