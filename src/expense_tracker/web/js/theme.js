// The colour theme. Loaded as a plain script in <head> so a chosen theme is set before the
// first paint; without a choice the page follows the system's light or dark setting (CSS).
// tracker.js wires the switch with bindThemeSwitch() below.

const THEME_KEY = "expense-tracker.theme";

function storedTheme() {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return value === "dark" || value === "light" ? value : null;
  } catch {
    return null; // storage blocked: follow the system
  }
}

const chosen = storedTheme();
if (chosen) document.documentElement.dataset.theme = chosen;
