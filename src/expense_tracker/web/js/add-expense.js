// The "Add an expense" form: currency defaults to the user's, date to today; checks run
// before sending and the API's errors[] land under the same fields.

import { ApiError, SessionEnded, explain, request } from "./api.js";
import { announce, clearFieldErrors, h, showFieldErrors } from "./dom.js";
import { checkExpense, expenseFields, readExpense } from "./expense-form.js";
import { formatMoney, isoDay } from "./format.js";
import { isNetworkError, queueAdd } from "./offline.js";

/** @param {HTMLFormElement} form @param {{defaultCurrency?: string, onAdded: (expense: any) => unknown}} options */
export function createAddForm(form, { defaultCurrency = "", onAdded }) {
  /** @param {string} name @returns {HTMLInputElement} */
  const input = (name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
  let idempotencyKey = null; // one key per expense, so a double submit or retry adds it once
  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  form.append(
    ...expenseFields("add", { currency: defaultCurrency }),
    formError,
    h("div", { class: "button-row" }, h("button", { type: "submit", class: "primary" }, "Add expense")),
  );
  form.addEventListener("input", () => {
    idempotencyKey = null; // a changed form is a different expense
  });

  // Ready for the next one: the currency goes back to the user's default; the date stays,
  // since receipts are usually entered a day's worth at a time.
  const reset = () => {
    const date = input("date").value;
    form.reset();
    input("currency").value = defaultCurrency;
    input("date").value = date || isoDay();
    input("amount").focus();
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    formError.hidden = true;
    const values = readExpense(form);
    const problems = checkExpense(values);
    if (Object.keys(problems).length) {
      showFieldErrors(form, problems);
      return;
    }
    const button = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
    button.disabled = true;
    idempotencyKey ??= crypto.randomUUID();
    try {
      const response = await request("/api/expenses", {
        method: "POST", json: values, headers: { "Idempotency-Key": idempotencyKey },
      });
      const expense = await response.json();
      idempotencyKey = null;
      reset();
      announce(`Added ${expense.category} ${formatMoney(expense.amount, expense.currency)}.`);
      onAdded(expense);
    } catch (error) {
      if (error instanceof SessionEnded) return;
      if (isNetworkError(error) && queueAdd(values, idempotencyKey)) {
        idempotencyKey = null; // the outbox keeps this one's key for its replay
        reset();
        announce("Saved on this device: it will be sent when you are back online.");
      } else if (error instanceof ApiError && error.status === 422) {
        const leftover = showFieldErrors(form, error.fieldErrors);
        formError.textContent = leftover.join(" ");
        formError.hidden = !leftover.length;
      } else {
        formError.textContent = `The expense was not added. ${explain(error)}`;
        formError.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
  });

  return {
    /** The user's currency, once /api/me has answered; a currency already typed stays. */
    setDefaultCurrency(currency) {
      if (!input("currency").value) input("currency").value = currency;
      defaultCurrency = currency;
    },
  };
}
