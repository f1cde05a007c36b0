// The fields of an expense, shared by the add form and the edit-in-place form, with checks
// that mirror the API's so most mistakes are caught before a round trip. The API stays the
// judge: its problem+json errors[] land under the same fields.

import { h } from "./dom.js";
import { minorDigits } from "./currencies.js";
import { amountFromInput, amountToInput, isoDay } from "./format.js";

const MAX_AMOUNT = 1_000_000_000_000n;
const CATEGORY_MAX = 64;
const DESCRIPTION_MAX = 500;

/** @param {string} id @param {string} name @param {string} label @param {HTMLInputElement} input
 * @param {{hint?: string, wide?: boolean}} [options] */
function field(id, name, label, input, { hint, wide } = {}) {
  const described = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
  input.id = id;
  input.name = name;
  input.setAttribute("aria-describedby", described);
  return h("div", { class: wide ? "field wide" : "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("p", { class: "field-error", id: `${id}-error`, "data-error-for": name, hidden: true }),
  );
}

/** Fill `form` with the expense fields; ids are prefixed so several forms can coexist. */
export function expenseFields(prefix, values) {
  return [
    field(`${prefix}-amount`, "amount", "Amount",
      h("input", { inputmode: "decimal", autocomplete: "off", required: true, value: amountToInput(values.amount ?? ""), placeholder: amountToInput("0.00") })),
    field(`${prefix}-currency`, "currency", "Currency",
      h("input", { list: "currency-options", maxlength: 3, autocomplete: "off", required: true,
        autocapitalize: "characters", spellcheck: "false", value: values.currency ?? "", class: "currency-input" })),
    field(`${prefix}-category`, "category", "Category",
      h("input", { list: "category-options", maxlength: CATEGORY_MAX, autocomplete: "off", required: true, value: values.category ?? "" })),
    field(`${prefix}-date`, "date", "Date",
      h("input", { type: "date", required: true, value: values.date ?? isoDay(), min: "1970-01-01", max: "9999-12-31" })),
    field(`${prefix}-description`, "description", "Description",
      h("input", { maxlength: DESCRIPTION_MAX, autocomplete: "off", value: values.description ?? "" }),
      { wide: true }),
  ];
}

/** The form's values as the API wants them (currency upper-cased, text trimmed). */
export function readExpense(form) {
  const get = (name) => form.elements.namedItem(name).value;
  return {
    amount: amountFromInput(get("amount")),
    currency: get("currency").trim().toUpperCase(),
    category: get("category").split(/\s+/).filter(Boolean).join(" "),
    description: get("description").trim(),
    date: get("date"),
  };
}

function amountProblem(amount, currency) {
  if (!amount) return "Enter an amount.";
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match) return "Use digits with a dot for decimals, such as 12.50.";
  const [, whole, fraction = ""] = match;
  if (BigInt(whole) === 0n && !/[1-9]/.test(fraction)) return "The amount must be more than zero.";
  if (BigInt(whole) > MAX_AMOUNT || (BigInt(whole) === MAX_AMOUNT && /[1-9]/.test(fraction))) {
    return "The amount must be at most 1,000,000,000,000.";
  }
  const digits = currency ? minorDigits(currency) : null;
  if (digits !== null && fraction.length > digits) {
    return digits === 0
      ? `${currency} amounts have no decimals.`
      : `${currency} amounts have at most ${digits} decimals.`;
  }
  return null;
}

function dateProblem(day) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return "Enter a date.";
  const parsed = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day) return "Enter a real date.";
  if (day < "1970-01-01") return "The date must be 1970-01-01 or later.";
  return null;
}

/** {field: message} for what the API would refuse; empty when it looks fine. */
export function checkExpense(values) {
  const problems = {};
  const currencyOk = minorDigits(values.currency) !== null;
  if (!currencyOk) problems.currency = "Enter a currency code, such as EUR.";
  const amount = amountProblem(values.amount, currencyOk ? values.currency : null);
  if (amount) problems.amount = amount;
  if (!values.category) problems.category = "Enter a category.";
  else if (values.category.length > CATEGORY_MAX) problems.category = `At most ${CATEGORY_MAX} characters.`;
  if (values.description.length > DESCRIPTION_MAX) {
    problems.description = `At most ${DESCRIPTION_MAX} characters.`;
  }
  const date = dateProblem(values.date);
  if (date) problems.date = date;
  return problems;
}
