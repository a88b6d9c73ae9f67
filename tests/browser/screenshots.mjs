// screenshots.mjs - the home page and an article at phone and desktop
// widths, for reviewers (`make screenshots` writes them into docs/).
//
//   node tests/browser/screenshots.mjs BASE_URL ARTICLE_PATH OUT_DIR
import { chromium } from "playwright-core";

const [base, article, out] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
});
try {
  for (const [name, path] of [["home", "/"], ["article", article]]) {
    for (const [vp, width, height] of [["phone", 390, 844],
                                       ["desktop", 1280, 900]]) {
      const page = await browser.newPage({ viewport: { width, height } });
      await page.goto(base + path, { waitUntil: "load" });
      // decoding="async": "load" does not wait for the pixels.
      await page.evaluate(() => Promise.all([...document.images].map(
        (i) => i.decode().catch(() => {}))));
      await page.screenshot({ path: `${out}/${name}-${vp}.png` });
      const h = await page.evaluate(() =>
        document.querySelector(".masthead").getBoundingClientRect().height);
      console.log(`masthead ${name} ${vp} ${Math.round(h)}`);
      await page.close();
    }
  }
} finally {
  await browser.close();
}
