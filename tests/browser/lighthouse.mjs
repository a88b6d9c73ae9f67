// lighthouse.mjs - Lighthouse scores of Quire's pages (npm lighthouse,
// Debian's chromium headless), mobile and desktop.
//
//   node tests/browser/lighthouse.mjs BASE_URL PATH...
//
// Prints one JSON line per page and form factor:
//   {"path", "form", "performance", "accessibility", "best-practices", "seo"}
// (scores 0-100). The browser is $CHROMIUM or /usr/bin/chromium.
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const [base, ...paths] = process.argv.slice(2);
if (!base || paths.length === 0) {
  console.error("usage: node lighthouse.mjs BASE_URL PATH...");
  process.exit(2);
}
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
const cats = ["performance", "accessibility", "best-practices", "seo"];
try {
  for (const form of ["mobile", "desktop"]) {
    for (const path of paths) {
      const config = form === "desktop"
        ? (await import("lighthouse/core/config/desktop-config.js")).default
        : undefined;
      const r = await lighthouse(base + path, {
        port: chrome.port, output: "json", logLevel: "error",
        onlyCategories: cats,
      }, config);
      const out = { path, form };
      for (const c of cats)
        out[c] = Math.round(100 * (r.lhr.categories[c].score ?? 0));
      const failed = Object.values(r.lhr.audits)
        .filter((a) => a.score !== null && a.score < 1 &&
                       a.scoreDisplayMode === "binary")
        .map((a) => a.id);
      out.failed = failed;
      console.log(JSON.stringify(out));
    }
  }
} finally {
  await chrome.kill();
}
