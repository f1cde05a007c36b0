// Display helpers. Amounts stay decimal strings end to end: Intl.NumberFormat formats a
// string exactly, so nothing is ever rounded through a float on its way to the screen.

import { minorDigits } from "./currencies.js";

/** @type {string | undefined} the user's BCP 47 locale (settings); undefined: the browser's */
let locale;

/** Amounts are written in this locale from now on (dates keep the browser's). */
/** @param {string | null | undefined} tag */
export function setLocale(tag) {
  locale = tag || undefined;
}

const moneyFormats = new Map(); // one Intl.NumberFormat per locale, currency and options

function moneyFormat(currency, options) {
  const key = JSON.stringify([locale, currency, options]);
  if (!moneyFormats.has(key)) {
    const digits = minorDigits(currency) ?? undefined;
    moneyFormats.set(key, new Intl.NumberFormat(locale, {
      style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits, ...options,
    }));
  }
  return moneyFormats.get(key);
}

/** Shows exactly the ISO 4217 digits: Intl's own (CLDR) would round 1.500 IQD to "IQD 2". */
export function formatMoney(amount, currency, options = {}) {
  try {
    return moneyFormat(currency, options).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** The locale's decimal separator ("," in de-DE). */
function decimalMark() {
  try {
    return new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === "decimal")?.value ?? ".";
  } catch {
    return ".";
  }
}

/** An amount as typed in the locale ("1.234,50" in de-DE) -> the API's decimal string
 * ("1234.50"). Only text with the locale's decimal comma is rewritten (its dots, spaces and
 * apostrophes taken as digit groups); anything else is left for the checks to judge. */
export function amountFromInput(text) {
  const value = text.trim();
  if (decimalMark() !== "," || !value.includes(",")) return value;
  return value.replace(/[.\s\u00a0\u202f']/g, "").replace(",", ".");
}

/** The API's decimal string as the locale writes it in an input ("12.50" -> "12,50"). */
export function amountToInput(amount) {
  return amount && decimalMark() === "," ? amount.replace(".", ",") : amount;
}

// Made on first use, not when the module loads: the first Intl objects of a page load the
// browser's locale data (tens of ms each on a throttled phone), which a page can do ahead, a
// step per task (PREPARE_STEPS).
/** @type {Intl.DateTimeFormat | undefined} */
let dateFormat;
/** @type {Intl.DateTimeFormat | undefined} */
let monthFormat;
const dates = () => (dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }));
const months = () => (monthFormat ??= new Intl.DateTimeFormat(undefined, { month: "short", year: "numeric", timeZone: "UTC" }));

/** Each loads some locale data now; the formats made are kept. */
export const PREPARE_STEPS = [dates, months, () => formatMoney("1.5", "USD")];

/** "2026-11-24" -> "Nov 24, 2026" (read as a calendar day, never shifted by the time zone). */
export function formatDate(day) {
  return dates().format(new Date(`${day}T00:00:00Z`));
}

export function formatMonth(isoMonth) {
  return months().format(new Date(`${isoMonth}-01T00:00:00Z`));
}

/** A local calendar day as YYYY-MM-DD (toISOString would give the UTC day). */
export function isoDay(date = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function formatBytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(0)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}
