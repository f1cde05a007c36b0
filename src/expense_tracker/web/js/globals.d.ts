// Types for tsc --checkJs: what the pages find on `window` that no module declares.

interface Window {
  /** Chart.js's UMD build, loaded on demand by analytics.js. */
  Chart?: any;
}
