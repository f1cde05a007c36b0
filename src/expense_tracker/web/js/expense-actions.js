// What the buttons of a row do: attach a receipt, remove it (undoable), delete the expense
// after a confirmation (undoable: it goes out only when the offer runs out), and edit it in
// place (PATCH with If-Match; a change made elsewhere meanwhile shows the latest version).

import { ApiError, getJson, request } from "./api.js";
import { $, announce, clearFieldErrors, h, offerUndo, showFieldErrors } from "./dom.js";
import { checkExpense, expenseFields, readExpense } from "./expense-form.js";
import { attachReceipt, removeReceipt } from "./receipts.js";

const FIELDS = ["amount", "currency", "category", "description", "date"];

/**
 * The list's side of it (expense-list.js): its rows, what it shows, and how it changes them.
 * @typedef {{
 *   list: HTMLElement,
 *   shown: Map<string, any>,
 *   pendingDeletes: Set<string>,
 *   replaceRow: (expense: any, focusSelector?: string | null) => void,
 *   removeRow: (id: string) => void,
 *   reload: () => Promise<unknown>,
 *   onChanged: () => unknown,
 *   report: (error: unknown) => void,
 * }} ListHooks
 */

/** @param {ListHooks} hooks @returns {import("./expense-row.js").RowActions} */
export function createRowActions({ list, shown, pendingDeletes, replaceRow, removeRow, reload, onChanged, report }) {
  async function attach(expense, file, progress, input) {
    progress.hidden = false;
    try {
      replaceRow(await attachReceipt(expense, file, (done) => { progress.value = done; }), ".receipt-thumb");
      announce("Receipt attached.");
    } catch (error) {
      progress.hidden = true;
      input.value = "";
      report(error);
    }
  }

  /** The receipt disappears at once; it is deleted only when the Undo offer runs out. */
  function dropReceipt(expense) {
    replaceRow({ ...expense, receipt: null }, ".attach-input");
    offerUndo("Receipt removed.", {
      undo: () => {
        replaceRow(expense, ".remove-receipt");
        announce("The receipt is back.");
      },
      commit: async () => {
        try {
          await removeReceipt(expense);
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 404)) {
            replaceRow(expense);
            report(error);
          }
        }
      },
    });
  }

  /** Confirmed deletes go out only when their Undo offer runs out; until then they stay hidden. */
  function remove(expense, what) {
    const dialog = $("#confirm-delete");
    $("#confirm-delete-text").textContent =
      `${what}${expense.receipt ? ", with its receipt" : ""}. You can undo this for a few seconds.`;
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "delete") return;
      pendingDeletes.add(expense.id);
      removeRow(expense.id);
      offerUndo(`Deleted ${what}.`, {
        undo: async () => {
          pendingDeletes.delete(expense.id);
          await reload();
          const button = /** @type {HTMLElement | null} */ (
            list.querySelector(`[data-id="${CSS.escape(expense.id)}"] button.delete`));
          button?.focus();
          announce("The expense is back.");
        },
        commit: async () => {
          try {
            await request(`/api/expenses/${encodeURIComponent(expense.id)}`, { method: "DELETE", keepalive: true });
            onChanged();
          } catch (error) {
            if (error instanceof ApiError && error.status === 404) return;
            report(error);
            reload();
          } finally {
            pendingDeletes.delete(expense.id);
          }
        },
      });
    }, { once: true });
    dialog.showModal();
  }

  function edit(expense) {
    const row = list.querySelector(`[data-id="${CSS.escape(expense.id)}"]`);
    const form = h("form", { class: "edit-form expense-form", novalidate: true, "aria-label": "Edit expense" },
      ...expenseFields(`edit-${expense.id}`, expense),
      h("p", { class: "form-error", role: "alert", hidden: true }),
      h("div", { class: "button-row" },
        h("button", { type: "submit", class: "primary" }, "Save"),
        h("button", { type: "button", class: "cancel", onclick: () => replaceRow(expense, ".edit") }, "Cancel"),
      ));
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") replaceRow(expense, ".edit");
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      saveEdit(expense, form);
    });
    row.replaceChildren(form);
    form.elements.namedItem("amount").focus();
  }

  async function saveEdit(expense, form) {
    clearFieldErrors(form);
    const values = readExpense(form);
    const problems = checkExpense(values);
    if (Object.keys(problems).length) {
      showFieldErrors(form, problems);
      return;
    }
    const changes = Object.fromEntries(FIELDS.filter((f) => values[f] !== expense[f]).map((f) => [f, values[f]]));
    if (!Object.keys(changes).length) {
      replaceRow(expense, ".edit");
      return;
    }
    try {
      const response = await request(`/api/expenses/${encodeURIComponent(expense.id)}`, {
        method: "PATCH", json: changes, headers: { "If-Match": `"${expense.version}"` },
      });
      replaceRow(await response.json(), ".edit");
      announce("Saved.");
      onChanged();
    } catch (error) {
      await editFailed(expense, form, error);
    }
  }

  async function editFailed(expense, form, error) {
    const formError = form.querySelector(".form-error");
    if (error instanceof ApiError && error.status === 422) {
      const leftover = showFieldErrors(form, error.fieldErrors);
      formError.textContent = leftover.join(" ");
      formError.hidden = !leftover.length;
    } else if (error instanceof ApiError && error.status === 412) {
      // Someone changed it meanwhile (another tab or device): show theirs, let the user redo.
      const latest = await getJson(`/api/expenses/${encodeURIComponent(expense.id)}`).catch(() => null);
      if (latest) {
        shown.set(latest.id, latest);
        edit(latest);
        announce("This expense was changed elsewhere; here is the latest version. Make your change again.", { error: true });
      }
    } else if (error instanceof ApiError && error.status === 404) {
      removeRow(expense.id);
      announce("That expense no longer exists.", { error: true });
    } else {
      report(error);
    }
  }

  return { edit, remove, attach, dropReceipt, report };
}
