// The settings panel: default currency (of new expenses), home currency (totals and charts are
// converted to it) and locale (how amounts and dates are shown). Saved with PATCH /api/me.

import { ApiError, sendJson } from "./api.js";
import { announce, clearFieldErrors, h, setFieldError } from "./dom.js";
import { CURRENCY_CODES } from "./currencies.js";

const LOCALES = ["en", "en-GB", "en-US", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "pt-BR", "ja-JP"];
const FIELDS = ["default_currency", "home_currency", "locale"];

function currencySelect(id, name) {
  // new Option(): some 180 of them per select, a third of the time h() takes on a slow phone.
  return h("select", { id, name, required: true }, CURRENCY_CODES.map((code) => new Option(code, code)));
}

function field(id, label, control, hint) {
  const name = control.getAttribute("name");
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("p", { class: "field-error", "data-error-for": name, hidden: true, role: "alert" }));
}

/** Fill `form` and keep it in step with /api/me; `onSaved(me)` after each change. */
export function createSettings(form, me, onSaved) {
  form.replaceChildren(
    field("settings-home", "Home currency", currencySelect("settings-home", "home_currency"),
      "Totals and charts are shown in it, each expense at the ECB rate of its date."),
    field("settings-default", "Default currency", currencySelect("settings-default", "default_currency"),
      "New expenses start in it."),
    field("settings-locale", "Locale", h("input", {
      id: "settings-locale", name: "locale", list: "settings-locales", maxlength: 35, autocomplete: "off",
      spellcheck: "false", required: true,
    }), "How amounts and dates are written, e.g. en-GB or de-DE."),
    h("datalist", { id: "settings-locales" }, LOCALES.map((tag) => h("option", { value: tag }))),
    h("button", { type: "submit" }, "Save settings"),
  );
  const show = (current) => {
    for (const name of FIELDS) form.elements.namedItem(name).value = current[name];
  };
  show(me);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = Object.fromEntries(FIELDS.map((name) => [name, form.elements.namedItem(name).value.trim()]));
    try {
      const saved = await sendJson("PATCH", "/api/me", body);
      show(saved);
      announce("Settings saved.");
      await onSaved(saved);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const shown = Object.entries(error.fieldErrors).map(([name, message]) => setFieldError(form, name, message));
      if (!shown.some(Boolean)) announce(error.message, { error: true });
    }
  });
}
