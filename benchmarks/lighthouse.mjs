// Lighthouse (its Node API) on the sign-in page and the signed-in dashboard, mobile and
// desktop, in Debian's Chromium (CHROME_PATH). Called by benchmarks/lighthouse.py, which
// prints the figures; writes one JSON object to stdout.
//
// The dashboard needs a session, which the page keeps in sessionStorage: each run opens the
// sign-in page in the tab Lighthouse will use, stores the session there (as login.js does),
// then empties the HTTP cache, so Lighthouse measures a cold load of the real dashboard.
// Lighthouse's own storage reset would also wipe that session, so it is turned off.
//
// Each page and form factor is audited LIGHTHOUSE_RUNS times (3); a run that fails (its LHR has
// a runtimeError) is run once more and the failure is kept beside the figures.
//
// usage: node benchmarks/lighthouse.mjs BASE_URL   (env SESSION_JSON: {access_token, ...})
// LIGHTHOUSE_DUMP=DIR keeps each run's report and trace (DIR/tracker-mobile-0.json and
// .trace.json): what blocks the main thread is read from them.

import { writeFileSync } from "node:fs";

import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import puppeteer from "puppeteer-core";

const FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const CATEGORIES = ["performance", "accessibility", "best-practices"];
const SKIPPED = ["bf-cache", "screenshot-thumbnails", "final-screenshot"];
const PAGES = { "sign-in page": ["/login.html", false], dashboard: ["/tracker.html", true] };

async function prepare(browser, base, session) {
  const page = await browser.newPage();
  const client = await page.createCDPSession();
  if (session) {
    await page.goto(`${base}/login.html`, { waitUntil: "load" });
    await page.evaluate((value) => sessionStorage.setItem("expense-tracker.session", value), session);
    await page.goto("about:blank");
  }
  // Cold: no HTTP cache, and no service worker or its cache from the run before.
  await client.send("Network.clearBrowserCache");
  await client.send("Storage.clearDataForOrigin", { origin: base, storageTypes: "service_workers,cache_storage" });
  await client.detach();
  return page;
}

function figures(lhr) {
  const score = (id) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
  const audit = (id) => lhr.audits[id]?.numericValue ?? null;
  const failing = Object.values(lhr.categories).flatMap((category) => category.auditRefs
    .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id].score ?? 1) < 1)
    .map((ref) => `${category.id}: ${ref.id}`));
  return {
    performance: score("performance"), accessibility: score("accessibility"),
    best_practices: score("best-practices"), cls: audit("cumulative-layout-shift"),
    tbt_ms: audit("total-blocking-time"), lcp_ms: audit("largest-contentful-paint"),
    fcp_ms: audit("first-contentful-paint"),
    bytes: audit("total-byte-weight"), final_url: lhr.finalDisplayedUrl, failing,
    // A run that failed (no paint seen, a protocol timeout) scores 0: say why, never a figure.
    error: lhr.runtimeError ? `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` : null,
  };
}

// The first navigation of a fresh Chromium pays its start-up (the first Lighthouse run once
// came back with no first paint): one unmeasured load of each page warms it.
async function warmUp(browser, base) {
  const page = await browser.newPage();
  for (const path of ["/login.html", "/tracker.html"]) await page.goto(`${base}${path}`, { waitUntil: "load" });
  await page.close();
}

async function audit(browser, base, session, [path, needsSession], formFactor, index = 0) {
  const page = await prepare(browser, base, needsSession ? session : "");
  try {
    // Zero-weight diagnostics that cost time are skipped (bf-cache navigates away and back);
    // no score depends on them.
    const flags = { onlyCategories: CATEGORIES, disableStorageReset: true, logLevel: "error",
      disableFullPageScreenshot: true, skipAudits: SKIPPED };
    const config = formFactor === "desktop" ? desktopConfig : undefined;
    const run = await lighthouse(`${base}${path}`, flags, config, page);
    const dump = process.env.LIGHTHOUSE_DUMP; // a folder: each run's report and trace, to read what blocks
    if (dump) {
      const name = `${dump}/${path.slice(1, -5)}-${formFactor}-${index}`;
      writeFileSync(`${name}.json`, JSON.stringify(run.lhr));
      writeFileSync(`${name}.trace.json`, JSON.stringify(run.artifacts.Trace ?? run.artifacts.traces?.defaultPass ?? {}));
    }
    return figures(run.lhr);
  } finally {
    await page.close();
  }
}

async function main() {
  const base = process.argv[2];
  const runs = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
  const only = process.env.LIGHTHOUSE_ONLY ?? ""; // e.g. "dashboard/mobile", for development
  const session = process.env.SESSION_JSON ?? "";
  const chrome = await chromeLauncher.launch({ chromePath: process.env.CHROME_PATH, chromeFlags: FLAGS });
  const results = [];
  try {
    const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
    await warmUp(browser, base);
    for (const [name, target] of Object.entries(PAGES)) {
      for (const formFactor of ["mobile", "desktop"]) {
        if (only && only !== `${name}/${formFactor}`) continue;
        // Round-robin would be fairer to a noisy machine, but each run is cold anyway.
        for (let index = 0; index < runs; index += 1) {
          let result = await audit(browser, base, session, target, formFactor, index);
          if (result.error) result = { ...(await audit(browser, base, session, target, formFactor, index)), retried: result.error };
          results.push({ page: name, form_factor: formFactor, ...result });
        }
      }
    }
    await browser.disconnect();
  } finally {
    chrome.kill();
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

await main();
