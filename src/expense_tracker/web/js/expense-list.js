// The expense list: newest first, filtered, more pages as you scroll (cursor pagination).
// Its rows are drawn by expense-row.js; what their buttons do (edit in place, delete after a
// confirmation, receipts) is expense-actions.js.

import { SessionEnded, explain, getJson } from "./api.js";
import { $, announce, nextFrame } from "./dom.js";
import { createRowActions } from "./expense-actions.js";
import { renderRow as drawRow } from "./expense-row.js";
import { toQuery } from "./filters.js";
import { isNetworkError, loadSnapshot, saveSnapshot, setOffline } from "./offline.js";
import { forgetReceipt } from "./receipts.js";

const PAGE_SIZE = 50;
const ROWS_PER_TASK = 10;

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

  /** Confirmed deletes go out only when their Undo offer runs out; until then they stay hidden. */
  const pendingDeletes = new Set();
  const actions = createRowActions({
    list, shown: state.shown, pendingDeletes, replaceRow, removeRow, reload, onChanged, report,
  });
  const renderRow = (expense, options = {}) => drawRow(expense, actions, options);

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

  return { reload };
}
