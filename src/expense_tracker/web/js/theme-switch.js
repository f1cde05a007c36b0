// The "Dark mode" switch: a toggle button (aria-pressed) whose choice persists in
// localStorage; theme.js applies it before the first paint of the next load.

const THEME_KEY = "expense-tracker.theme";
const systemDark = matchMedia("(prefers-color-scheme: dark)");

/** "dark" or "light", as shown now (the stored choice, else the system's). */
export function currentTheme() {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === "dark" || chosen === "light") return chosen;
  return systemDark.matches ? "dark" : "light";
}

/** @param {HTMLButtonElement} button @param {(theme: string) => void} onChange */
export function bindThemeSwitch(button, onChange = () => {}) {
  const show = () => button.setAttribute("aria-pressed", String(currentTheme() === "dark"));
  button.addEventListener("click", () => {
    const next = currentTheme() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // Storage blocked: the choice lasts for this page only.
    }
    show();
    onChange(next);
  });
  systemDark.addEventListener("change", () => {
    show();
    onChange(currentTheme());
  });
  show();
}
