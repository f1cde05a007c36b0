// login.html: sign in, sign up, confirm. Already signed in? Straight to the dashboard.

import { ApiError, publicCall, signIn } from "./api.js";
import { clearFieldErrors, setFieldError, showFieldErrors } from "./dom.js";
import { loadSession } from "./session.js";

const DASHBOARD = "/tracker.html";

/** Where to go once signed in: the dashboard view the person asked for (filters and all),
 * but only ever the dashboard on this site, never a link to elsewhere. */
function destination() {
  const next = new URLSearchParams(location.search).get("next") ?? "";
  try {
    const url = new URL(next, location.origin);
    if (url.origin === location.origin && url.pathname === DASHBOARD) return `${url.pathname}${url.search}`;
  } catch {
    // not a URL: the plain dashboard
  }
  return DASHBOARD;
}
const sections = ["signin", "signup", "confirm"];
const message = document.getElementById("auth-message");
let pending = null; // {email, password} between sign-up and confirmation, in memory only

function show(name) {
  for (const section of sections) {
    document.getElementById(`${section}-section`).hidden = section !== name;
  }
  /** @type {HTMLInputElement | null} */ (document.querySelector(`#${name}-section input:not([type=hidden])`))?.focus();
}

function say(text, kind = "info") {
  message.textContent = text;
  message.className = `notice ${kind}`;
  message.hidden = !text;
}

/** @param {HTMLFormElement} form @returns {Record<string, string>} the text fields */
function values(form) {
  return Object.fromEntries([...new FormData(form)].map(([name, value]) => [name, String(value)]));
}

/** What the API would refuse anyway, caught before the round trip. */
function localProblem(input) {
  const label = input.labels[0]?.textContent.trim() ?? input.name;
  if (!input.value.trim()) return `Enter your ${label.toLowerCase()}.`;
  if (input.type === "email" && input.validity.typeMismatch) return "Enter an e-mail address such as ada@example.com.";
  if (input.minLength > 0 && input.value.length < input.minLength) {
    return `${label} must be at least ${input.minLength} characters.`;
  }
  return null;
}

function checkLocally(form) {
  clearFieldErrors(form);
  let ok = true;
  for (const input of form.querySelectorAll("input:not([type=hidden])")) {
    const problem = localProblem(input);
    if (problem) {
      setFieldError(form, input.name, problem);
      if (ok) input.focus();
      ok = false;
    }
  }
  return ok;
}

/** Keep the button off until the rate limit's Retry-After has passed, counting down. */
function holdButton(button, seconds) {
  const label = button.dataset.label ?? button.textContent;
  button.dataset.label = label;
  button.disabled = true;
  let left = seconds;
  const tick = () => {
    if (left <= 0) {
      button.disabled = false;
      button.textContent = label;
      return;
    }
    button.textContent = `Try again in ${left}s`;
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}

function explain(error, form, messages) {
  if (!(error instanceof ApiError)) {
    say("The server cannot be reached. Check your connection and try again.", "error");
    return;
  }
  if (error.status === 429) {
    const wait = error.retryAfter ?? 60;
    say(`Too many attempts. Please wait ${wait} seconds before trying again.`, "error");
    holdButton(form.querySelector("button[type=submit]"), wait);
  } else if (error.status === 422) {
    const leftover = showFieldErrors(form, error.fieldErrors);
    say(leftover.length ? leftover.join(" ") : "Please correct the highlighted fields.", "error");
  } else if (messages[error.status]) {
    say(messages[error.status], "error");
  } else {
    say(`Something went wrong (${error.status}): ${error.message}`, "error");
  }
}

async function busy(form, work) {
  const button = form.querySelector("button[type=submit]");
  if (button.disabled) return;
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    await work();
  } finally {
    form.removeAttribute("aria-busy");
    if (!button.dataset.label || button.textContent === button.dataset.label) button.disabled = false;
  }
}

async function enter(email, password) {
  await signIn(email, password);
  location.assign(destination());
}

const signinForm = /** @type {HTMLFormElement} */ (document.getElementById("signin-form"));
signinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!checkLocally(signinForm)) return;
  const { email, password } = values(signinForm);
  busy(signinForm, () =>
    enter(email.trim(), password).catch((error) =>
      explain(error, signinForm, { 401: "That e-mail and password do not match an account." }),
    ),
  );
});

const signupForm = /** @type {HTMLFormElement} */ (document.getElementById("signup-form"));
signupForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!checkLocally(signupForm)) return;
  const { email, password } = values(signupForm);
  busy(signupForm, async () => {
    try {
      const account = await publicCall("/api/auth/signup", { email: email.trim(), password });
      if (account.confirmation_required) {
        pending = { email: account.email, password };
        /** @type {HTMLInputElement} */ (document.getElementById("confirm-email")).value = account.email;
        document.getElementById("confirm-email-text").textContent = account.email;
        say("Account created. Check your e-mail for the confirmation code.");
        show("confirm");
        return;
      }
      await enter(account.email, password);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        setFieldError(signupForm, "email", "An account with this e-mail already exists.");
        /** @type {HTMLInputElement} */ (document.getElementById("signin-email")).value = email.trim();
      }
      explain(error, signupForm, { 409: "That e-mail is taken. Sign in instead, or use another e-mail." });
    }
  });
});

const confirmForm = /** @type {HTMLFormElement} */ (document.getElementById("confirm-form"));
confirmForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!checkLocally(confirmForm)) return;
  const { email, code } = values(confirmForm);
  busy(confirmForm, async () => {
    try {
      await publicCall("/api/auth/confirm", { email, code: code.trim() });
      if (pending) {
        await enter(pending.email, pending.password);
      } else {
        say("Your e-mail is confirmed. Sign in to continue.");
        show("signin");
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        setFieldError(confirmForm, "code", "That code is wrong or has expired.");
      }
      explain(error, confirmForm, { 400: "The confirmation code was not accepted." });
    }
  });
});

document.getElementById("to-signup").addEventListener("click", () => {
  say("");
  show("signup");
});
document.getElementById("to-signin").addEventListener("click", () => {
  say("");
  show("signin");
});

const params = new URLSearchParams(location.search);
if (loadSession()) {
  location.replace(destination());
} else if (params.has("expired")) {
  say("Your session has ended. Please sign in again.");
} else if (params.has("signed-out")) {
  say("You are signed out.");
} else if (params.has("deleted")) {
  say("Your account and all its data were deleted.");
}
