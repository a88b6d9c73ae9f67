// a11y.mjs - Quire's pages in a real browser (Debian's chromium driven by
// playwright-core): layout on a phone and a desktop, basic accessibility,
// and the print stylesheet.
//
//   node tests/browser/a11y.mjs BASE_URL PATH...
//
// For each path, at 375px and 1280px wide: no horizontal scroll; the
// landmarks (banner header, nav, main, complementary aside, contentinfo
// footer); one h1; headings that never skip a level; every image with alt;
// every form control with a label; body text contrast >= 4.5:1 (3:1 for
// large text) from computed styles; a visible keyboard focus. Then in
// print emulation: navigation, sidebar and forms hidden, and body links
// followed by their URL. Prints what failed and exits 1, else exits 0.
// The browser is $CHROMIUM or /usr/bin/chromium.
import { chromium } from "playwright-core";

const [base, ...paths] = process.argv.slice(2);
if (!base || paths.length === 0) {
  console.error("usage: node a11y.mjs BASE_URL PATH...");
  process.exit(2);
}

const viewports = [
  { name: "phone", width: 375, height: 740 },
  { name: "desktop", width: 1280, height: 900 },
];

// Runs in the page: every screen check at once; returns a list of problems.
function screenChecks() {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1)
    problems.push(`horizontal scroll: ${doc.scrollWidth}px content in ` +
                  `${doc.clientWidth}px`);

  // Landmarks, the way the HTML-AAM maps elements to roles.
  const sectioning = "article, aside, main, nav, section";
  const banner = [...document.querySelectorAll("header")]
    .filter((h) => !h.parentElement.closest(sectioning));
  const contentinfo = [...document.querySelectorAll("footer")]
    .filter((f) => !f.parentElement.closest(sectioning));
  const count = (sel) => document.querySelectorAll(sel).length;
  if (banner.length !== 1) problems.push(`${banner.length} banner headers`);
  if (contentinfo.length !== 1)
    problems.push(`${contentinfo.length} contentinfo footers`);
  if (count("main") !== 1) problems.push(`${count("main")} main elements`);
  if (count("nav") < 1) problems.push("no nav");
  if (count("aside") < 1) problems.push("no aside");
  for (const el of document.querySelectorAll("nav, aside"))
    if (!el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")
        && count(el.tagName) > 1)
      problems.push(`several <${el.tagName.toLowerCase()}> and one unnamed`);

  // One h1; no level skipped going down (h2 -> h4 is a skip).
  const hs = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")];
  const h1s = hs.filter((h) => h.tagName === "H1").length;
  if (h1s !== 1) problems.push(`${h1s} h1 elements`);
  let prev = 0;
  for (const h of hs) {
    const level = Number(h.tagName[1]);
    if (level > prev + 1)
      problems.push(`heading skips from h${prev} to h${level}: ` +
                    JSON.stringify(h.textContent.trim().slice(0, 60)));
    prev = level;
  }

  for (const img of document.querySelectorAll("img"))
    if (!img.hasAttribute("alt"))
      problems.push(`image without alt: ${img.getAttribute("src")}`);

  const controls = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]):not([type=button])," +
    " select, textarea");
  for (const c of controls) {
    const named = (c.labels && c.labels.length > 0) ||
      c.getAttribute("aria-label") || c.getAttribute("aria-labelledby");
    if (!named) problems.push(`form control without a label: ${c.outerHTML}`);
  }

  // Contrast of every visible text, against the first opaque background
  // behind it (the page's, else white).
  const rgba = (s) => {
    const m = s.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const v = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1 };
  };
  const lum = ({ r, g, b }) => {
    const f = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const backdrop = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const bg = rgba(getComputedStyle(e).backgroundColor);
      if (bg && bg.a >= 1) return bg;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body,
                                           NodeFilter.SHOW_TEXT);
  let checked = 0;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (seen.has(el)) continue;
    seen.add(el);
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    if (cs.visibility === "hidden" || cs.display === "none" || r.width <= 1 ||
        r.height <= 1 || el.closest(".visually-hidden") || r.right < 0)
      continue;
    const fg = rgba(cs.color), bg = backdrop(el);
    const blend = (c) => Math.round(fg[c] * fg.a + bg[c] * (1 - fg.a));
    const ink = { r: blend("r"), g: blend("g"), b: blend("b") };
    const [l1, l2] = [lum(ink), lum(bg)].sort((x, y) => y - x);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const px = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
    const need = px >= 24 || (bold && px >= 18.66) ? 3 : 4.5;
    checked++;
    if (ratio < need)
      problems.push(`contrast ${ratio.toFixed(2)} < ${need} for ` +
                    JSON.stringify(n.textContent.trim().slice(0, 40)) +
                    ` (${cs.color} on rgb(${bg.r}, ${bg.g}, ${bg.b}))`);
  }
  if (checked < 5) problems.push(`only ${checked} texts checked`);
  return problems;
}

// Runs in the page under print media.
function printChecks() {
  const problems = [];
  const hidden = (el) => getComputedStyle(el).display === "none" ||
    el.getClientRects().length === 0;
  for (const sel of ["nav", "aside", "form"])
    for (const el of document.querySelectorAll(sel))
      if (!hidden(el)) problems.push(`<${sel}> is printed`);
  const links = [...document.querySelectorAll("main .body a[href]")]
    .filter((a) => !a.getAttribute("href").startsWith("#"));
  for (const a of links) {
    const after = getComputedStyle(a, "::after").content;
    if (!after.includes(a.getAttribute("href")))
      problems.push(`printed link without its URL: ${a.outerHTML} ` +
                    `(::after is ${after})`);
  }
  return { problems, links: links.length };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
});
const failures = [];
let printedLinks = 0;
try {
  for (const vp of viewports) {
    const ctx = await browser.newContext({
      viewport: { width: vp.width, height: vp.height },
      javaScriptEnabled: true, // for the checks only; pages ship no script
    });
    const page = await ctx.newPage();
    for (const path of paths) {
      const res = await page.goto(base + path, { waitUntil: "load" });
      if (!res || res.status() !== 200) {
        failures.push(`${vp.name} ${path}: HTTP ${res && res.status()}`);
        continue;
      }
      const scripts = await page.$$eval("script:not([type='application/ld+json'])",
                                        (s) => s.length);
      if (scripts) failures.push(`${vp.name} ${path}: ${scripts} scripts`);
      for (const p of await page.evaluate(screenChecks))
        failures.push(`${vp.name} ${path}: ${p}`);
      // Keyboard focus: the first Tab lands on a visibly outlined element.
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement;
        const cs = getComputedStyle(el);
        return { tag: el.tagName, width: parseFloat(cs.outlineWidth),
                 style: cs.outlineStyle, shadow: cs.boxShadow };
      });
      if (focus.tag === "BODY" ||
          ((focus.style === "none" || !(focus.width > 0)) &&
           focus.shadow === "none"))
        failures.push(`${vp.name} ${path}: focus not visible ` +
                      JSON.stringify(focus));
      if (vp.name === "desktop") {
        await page.emulateMedia({ media: "print" });
        const pr = await page.evaluate(printChecks);
        printedLinks += pr.links;
        for (const p of pr.problems) failures.push(`print ${path}: ${p}`);
        await page.emulateMedia({ media: "screen" });
      }
    }
    await ctx.close();
  }
} finally {
  await browser.close();
}
if (printedLinks === 0)
  failures.push("print: no body link was checked (add a page with one)");
if (failures.length) {
  console.log(failures.join("\n"));
  process.exit(1);
}
console.log(`ok: ${paths.length} pages x ${viewports.length} viewports, ` +
            `${printedLinks} printed links`);
