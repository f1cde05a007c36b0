// account.html: change the password, sign out everywhere, delete the account. Signed out? To
// sign-in. The calls that take a password answer 401 when it is wrong, which must not read as
// an expired session: they are sent here, with the session made fresh first.

import { ApiError, SessionEnded, explain, getJson, problemOf, scheduleRefresh, signIn } from "./api.js";
import { $, announce, clearFieldErrors, showFieldErrors } from "./dom.js";
import { clearSession, loadSession } from "./session.js";
import { bindThemeSwitch } from "./theme-switch.js";
import { send } from "./transport.js";

let email = "";

/** A call with the session's token; a 401 for a wrong password is thrown as an ApiError. */
async function accountCall(method, path, json) {
  await getJson("/api/me"); // refreshes a token near its end (and leaves when there is none)
  const session = loadSession();
  if (!session) throw new SessionEnded("Your session has ended; please sign in again");
  const headers = { Authorization: `Bearer ${session.access_token}` };
  if (json !== undefined) headers["Content-Type"] = "application/json";
  const response = await send(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  if (!response.ok) throw await problemOf(response);
}

/** Field errors under their fields; a wrong password under the password's field. */
function showError(form, error, passwordField) {
  const formError = form.querySelector(".form-error");
  if (error instanceof ApiError && error.status === 401) {
    showFieldErrors(form, { [passwordField]: "That password is not right." });
    return;
  }
  const fields = error instanceof ApiError ? error.fieldErrors : {};
  const leftover = Object.keys(fields).length ? showFieldErrors(form, fields) : [explain(error)];
  formError.textContent = leftover.join(" ");
  formError.hidden = leftover.length === 0;
}

function resetErrors(form) {
  clearFieldErrors(form);
  form.querySelector(".form-error").hidden = true;
}

async function changePassword(event) {
  event.preventDefault();
  const form = event.target;
  resetErrors(form);
  const current = form.elements.current_password.value;
  const fresh = form.elements.new_password.value;
  try {
    await accountCall("POST", "/api/auth/password", { current_password: current, new_password: fresh });
    await signIn(email, fresh); // every session ended, this one too: a new one
    form.reset();
    announce("Password changed. Other devices are signed out.");
    $("#password").focus();
  } catch (error) {
    if (!(error instanceof SessionEnded)) showError(form, error, "current_password");
  }
}

async function signOutEverywhere() {
  try {
    await accountCall("POST", "/api/auth/logout-all");
    clearSession();
    location.assign("/login.html?signed-out=1");
  } catch (error) {
    if (!(error instanceof SessionEnded)) announce(explain(error), { error: true });
  }
}

async function deleteAccount(event) {
  event.preventDefault();
  const form = event.target;
  resetErrors(form);
  try {
    await accountCall("DELETE", "/api/me", { password: form.elements.password.value });
    clearSession();
    location.assign("/login.html?deleted=1");
  } catch (error) {
    if (!(error instanceof SessionEnded)) showError(form, error, "password");
  }
}

function bindDeletion() {
  const dialog = $("#confirm-account-delete");
  const opener = $("#delete-account");
  opener.addEventListener("click", () => {
    resetErrors($("#delete-form"));
    $("#delete-form").reset();
    dialog.showModal();
  });
  $("#keep-account").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => opener.focus());
  $("#delete-form").addEventListener("submit", deleteAccount);
}

async function start() {
  if (!loadSession()) {
    location.replace("/login.html");
    return;
  }
  scheduleRefresh();
  bindThemeSwitch($("#theme-toggle"));
  $("#password-form").addEventListener("submit", changePassword);
  $("#sign-out-everywhere").addEventListener("click", signOutEverywhere);
  bindDeletion();
  const me = await getJson("/api/me");
  email = me.email;
  $("#who-email").textContent = me.email;
  $("main").removeAttribute("aria-busy");
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  if (!(error instanceof SessionEnded)) announce(explain(error), { error: true });
});
