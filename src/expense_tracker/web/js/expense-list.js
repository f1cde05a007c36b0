// The expense list: newest first, filtered, more pages as you scroll (cursor pagination),
// edit in place (PATCH with If-Match), delete after a confirmation, receipts per row.

import { ApiError, SessionEnded, explain, getJson, request } from "./api.js";
import { $, announce, clearFieldErrors, h, nextFrame, offerUndo, showFieldErrors } from "./dom.js";
import { checkExpense, expenseFields, readExpense } from "./expense-form.js";
import { toQuery } from "./filters.js";
import { formatDate, formatMoney } from "./format.js";
import { isNetworkError, loadSnapshot, saveSnapshot, setOffline } from "./offline.js";
import { attachReceipt, forgetReceipt, receiptThumbnail, removeReceipt } from "./receipts.js";

const PAGE_SIZE = 50;
const ROWS_PER_TASK = 10;
const FIELDS = ["amount", "currency", "category", "description", "date"];

/** @param {{onChanged: () => unknown}} options */
export function createList({ onChanged }) {
  const list = $("#expense-list");
  const more = $("#load-more");
  const state = { filters: {}, cursor: null, loading: false, failed: null, generation: 0, shown: new Map() };

  const report = (error) => {
    if (error instanceof SessionEnded || error?.name === "AbortError") return;
    announce(explain(error), { error: true });
  };

  function updateFooter() {
    const count = state.shown.size;
    more.hidden = !state.cursor || Boolean(state.failed);
    $("#list-status").hidden = !state.loading;
    $("#list-status").textContent = count ? "Loading more expenses…" : "Loading expenses…";
    $("#list-error").hidden = !state.failed;
    $("#list-error-text").textContent = state.failed
      ? `The expenses could not be loaded. ${explain(state.failed)}` : "";
    const empty = $("#list-empty");
    empty.hidden = count > 0 || state.loading || Boolean(state.failed);
    // A brand-new user has nothing to filter: say how to start instead.
    empty.textContent = Object.keys(state.filters).length
      ? "No expenses match these filters. Change or clear them to see more."
      : "No expenses yet. Add your first one with the form above, or import a CSV file.";
    $("#list-count").textContent = count ? `· ${count}${state.cursor ? "+" : ""} shown` : "";
  }

  async function loadPage() {
    const generation = state.generation;
    state.loading = true;
    state.failed = null;
    more.disabled = true;
    list.setAttribute("aria-busy", "true");
    updateFooter();
    try {
      const extra = { limit: PAGE_SIZE, ...(state.cursor ? { cursor: state.cursor } : {}) };
      const page = await getJson(`/api/expenses${toQuery(state.filters, extra)}`);
      if (generation !== state.generation) return; // the filters changed meanwhile
      // A few rows per frame: the first ones show at once, and neither building the rows nor
      // laying them out blocks a slow phone for long.
      for (let start = 0; start < page.items.length; start += ROWS_PER_TASK) {
        if (start > 0) await nextFrame();
        if (generation !== state.generation) return;
        for (const expense of page.items.slice(start, start + ROWS_PER_TASK)) {
          if (state.shown.has(expense.id) || pendingDeletes.has(expense.id)) continue;
          state.shown.set(expense.id, expense);
          list.append(renderRow(expense));
        }
      }
      if (!state.cursor) saveSnapshot(page.items);
      state.cursor = page.next_cursor;
      setOffline(false);
    } catch (error) {
      if (generation === state.generation && !state.shown.size && isNetworkError(error) && showSnapshot()) return;
      if (generation === state.generation && !(error instanceof SessionEnded)) state.failed = error;
      throw error;
    } finally {
      if (generation === state.generation) {
        state.loading = false;
        more.disabled = false;
        list.removeAttribute("aria-busy");
        updateFooter();
      }
    }
  }

  /** No network: the expenses last loaded, read-only, under the offline banner. */
  function showSnapshot() {
    const snapshot = loadSnapshot();
    if (!snapshot) return false;
    list.append(...snapshot.items.map((expense) => renderRow(expense, { readOnly: true })));
    setOffline(true, snapshot.saved_at);
    return true;
  }

  function reload(filters = state.filters) {
    state.generation += 1;
    state.filters = filters;
    state.cursor = null;
    for (const id of state.shown.keys()) forgetReceipt(id);
    state.shown.clear();
    list.replaceChildren();
    return loadPage().catch(() => {}); // shown in #list-error with its retry
  }

  function loadMore() {
    if (state.loading || !state.cursor || state.failed) return;
    loadPage().catch(() => {});
  }

  more.addEventListener("click", loadMore);
  $("#list-retry").addEventListener("click", () => {
    if (state.shown.size) {
      state.failed = null;
      loadMore();
    } else {
      reload();
    }
  });
  // Infinite scroll: reaching the button loads the next page; the button stays for keyboards.
  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadMore();
  }, { rootMargin: "300px" }).observe(more);

  function replaceRow(expense, focusSelector = null) {
    state.shown.set(expense.id, expense);
    const old = list.querySelector(`[data-id="${CSS.escape(expense.id)}"]`);
    const row = renderRow(expense);
    old?.replaceWith(row);
    if (focusSelector) row.querySelector(focusSelector)?.focus();
  }

  /** Remove a row; focus goes to the next row (or the one before, or the list), never to <body>. */
  function removeRow(id) {
    forgetReceipt(id);
    state.shown.delete(id);
    const row = list.querySelector(`[data-id="${CSS.escape(id)}"]`);
    const neighbour = row?.nextElementSibling ?? row?.previousElementSibling;
    const hadFocus = !row || row.contains(document.activeElement) || document.activeElement === document.body;
    row?.remove();
    updateFooter();
    if (hadFocus) (neighbour?.querySelector("button.edit") ?? $("#expenses")).focus();
  }

  function renderRow(expense, { readOnly = false } = {}) {
    const money = formatMoney(expense.amount, expense.currency);
    const what = `${expense.category} ${money} on ${formatDate(expense.date)}`;
    return h("li", { class: "expense", dataset: { id: expense.id } },
      h("div", { class: "expense-main" },
        h("span", { class: "expense-amount", dataset: { amount: expense.amount, currency: expense.currency } }, money),
        h("span", { class: "expense-category" }, expense.category),
        h("time", { class: "expense-date", datetime: expense.date }, formatDate(expense.date)),
        expense.description ? h("p", { class: "expense-description" }, expense.description) : null,
      ),
      readOnly ? null : receiptCell(expense, what),
      readOnly ? null : h("div", { class: "expense-actions" },
        h("button", { type: "button", class: "edit", "aria-label": `Edit ${what}`, onclick: () => startEdit(expense) }, "Edit"),
        h("button", { type: "button", class: "delete", "aria-label": `Delete ${what}`, onclick: () => confirmDelete(expense, what) }, "Delete"),
      ),
    );
  }

  function receiptCell(expense, what) {
    const cell = h("div", { class: "expense-receipt" });
    if (expense.receipt) {
      cell.append(
        receiptThumbnail(expense, report, what),
        h("button", { type: "button", class: "link remove-receipt", "aria-label": `Remove the receipt of ${what}`,
          onclick: () => dropReceipt(expense) }, "Remove"),
      );
      return cell;
    }
    const progress = h("progress", { max: 1, value: 0, hidden: true, "aria-label": "Upload progress" });
    const input = h("input", { type: "file", class: "visually-hidden attach-input",
      accept: "image/*,application/pdf", capture: "environment", "aria-label": `Attach a receipt to ${what}` });
    input.addEventListener("change", async () => {
      const [file] = input.files;
      if (!file) return;
      progress.hidden = false;
      try {
        replaceRow(await attachReceipt(expense, file, (done) => { progress.value = done; }), ".receipt-thumb");
        announce("Receipt attached.");
      } catch (error) {
        progress.hidden = true;
        input.value = "";
        report(error);
      }
    });
    cell.append(h("label", { class: "button attach" }, input, h("span", { "aria-hidden": "true" }, "Attach receipt")), progress);
    return cell;
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
  const pendingDeletes = new Set();

  function confirmDelete(expense, what) {
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
          list.querySelector(`[data-id="${CSS.escape(expense.id)}"] button.delete`)?.focus();
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

  function startEdit(expense) {
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
        state.shown.set(latest.id, latest);
        startEdit(latest);
        announce("This expense was changed elsewhere; here is the latest version. Make your change again.", { error: true });
      }
    } else if (error instanceof ApiError && error.status === 404) {
      removeRow(expense.id);
      announce("That expense no longer exists.", { error: true });
    } else {
      report(error);
    }
  }

  return { reload };
}
