// editorial.mjs - the editors' side in a real browser (Debian's chromium
// driven by playwright-core), with axe-core on the new pages.
//
//   node tests/browser/editorial.mjs BASE_URL EMAIL PASSWORD
//
// Logs in, writes an article with a table and a footnote, previews it
// (the public template, in a new tab), saves, publishes, sees it on the
// public site, edits it, restores revision 1 from the revisions page,
// schedules a second article a few seconds ahead and watches it appear
// (not before its time), creates an issue, gives it an article and
// publishes the whole issue, adds a second one from the page and
// moves it first; runs axe-core on the issue, authors and sections pages.
// Prints what failed and exits 1.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const [base, email, password] = process.argv.slice(2);
if (!base || !email || !password) {
  console.error("usage: node editorial.mjs BASE_URL EMAIL PASSWORD");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const problems = [];
function check(ok, what) {
  if (!ok) problems.push(what);
}

async function axe(page, label) {
  await page.evaluate(axeSource);
  const r = await page.evaluate(async () =>
    await window.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of r.violations)
    if (v.impact === "serious" || v.impact === "critical")
      problems.push(`${label}: axe ${v.impact} ${v.id}: ${v.help} ` +
                    `(${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

const BODY = "Intro paragraph.[^1]\n\n| Country | Exports |\n|---|---|\n" +
             "| Kazakhstan | Oil |\n\n[^1]: The footnote's text.\n";

function utc(t) {
  return new Date(t).toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
}

async function status(url) {
  const r = await fetch(url, { redirect: "manual" });
  return r.status;
}

async function save(page) {
  await Promise.all([page.waitForNavigation(),
                     page.click("button.primary:has-text('Save')")]);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + "/admin/login");
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  check(page.url() === base + "/admin/", `after login: ${page.url()}`);

  // write, preview
  await page.goto(base + "/admin/articles/new");
  await axe(page, "/admin/articles/new");
  await page.fill("#a-title", "Caspian Exports in a Table");
  await page.fill("#a-body", BODY);
  await page.fill("#a-authors", "Nino Beridze\nAlan Rae");
  await page.fill("#a-tags", "Trade, Oil");
  await page.fill("#a-section", "Field Reports");
  await page.fill("#a-slug", "caspian-exports");
  const [preview] = await Promise.all([
    context.waitForEvent("page"),
    page.click("button:has-text('Preview')"),
  ]);
  await preview.waitForLoadState();
  const ptext = await preview.content();
  check(ptext.includes("<table>") && ptext.includes("footnote"),
        "preview lacks the table or the footnote");
  check(ptext.includes("Caspian Exports in a Table"), "preview lacks the title");
  await preview.close();
  await save(page);
  check(/\/admin\/articles\/\d+\?saved=1$/.test(page.url()),
        `after save: ${page.url()}`);
  const editUrl = page.url().split("?")[0];
  check(await status(base + "/articles/caspian-exports") === 404,
        "a draft is public");

  // publish, see it public
  await page.selectOption("#a-status", "published");
  await save(page);
  const pub = await (await fetch(base + "/articles/caspian-exports")).text();
  check(pub.includes("<table>") && pub.includes("The footnote"),
        "the public page lacks the table or the footnote");

  // edit, then restore revision 1 (the draft with the table)
  await page.fill("#a-body", "A shorter body.\n");
  await save(page);
  await page.goto(editUrl + "/revisions?diff=1");
  await axe(page, "revisions");
  check((await page.content()).includes("A shorter body."), "no diff shown");
  await Promise.all([
    page.waitForNavigation(),
    page.click("form[action$='/revisions/1/restore'] button"),
  ]);
  const restored = await page.inputValue("#a-body");
  check(restored.includes("| Kazakhstan | Oil |"),
        "restore did not bring the table back");

  // schedule one and watch it appear
  await page.goto(base + "/admin/articles/new");
  await page.fill("#a-title", "Scheduled From The Browser");
  await page.fill("#a-slug", "scheduled-from-browser");
  await page.selectOption("#a-status", "scheduled");
  const at = Math.ceil(Date.now() / 1000) * 1000 + 4000;
  await page.$eval("#a-publish", (el, v) => { el.value = v; }, utc(at));
  await save(page);
  check(page.url().includes("saved=1"), `scheduling failed: ${page.url()}`);
  let seen = 0;
  while (Date.now() < at + 8000) {
    if (await status(base + "/articles/scheduled-from-browser") === 200) {
      seen = Date.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  check(seen !== 0, "the scheduled article never appeared");
  check(seen === 0 || seen >= at, "the scheduled article appeared early");
  check(seen === 0 || seen - at <= 2500,
        `the scheduled article appeared ${seen - at} ms late`);

  // an issue: create, give it an article, publish it whole
  await page.goto(base + "/admin/issues");
  await axe(page, "/admin/issues");
  await page.fill("#i-date", "2033-03-01");
  await page.fill("#i-title", "Spring");
  await Promise.all([page.waitForNavigation(),
                     page.click("form[action='/admin/issues'] button")]);
  await page.goto(base + "/admin/articles/new");
  await page.fill("#a-title", "In The Spring Issue");
  await page.fill("#a-slug", "in-the-spring-issue");
  await page.fill("#a-issue", "2033-03-01");
  await save(page);
  check(await status(base + "/articles/in-the-spring-issue") === 404,
        "an unpublished issue's article is public");
  await page.goto(base + "/admin/issues");
  await page.fill("#p-date", "2033-03-01");
  await Promise.all([page.waitForNavigation(),
                     page.click("section form[action='/admin/issues/publish'] button")]);
  check((await page.content()).includes("1 articles went public"),
        "issue publish message missing");
  check(await status(base + "/articles/in-the-spring-issue") === 200,
        "the issue's article is not public");

  // assemble it: add a second article from the page, move it
  // first, and see the public table of contents in that order
  await page.goto(base + "/admin/articles/new");
  await page.fill("#a-title", "Spring Postscript");
  await page.fill("#a-slug", "spring-postscript");
  await page.selectOption("#a-status", "published");
  await save(page);
  await page.goto(base + "/admin/issues");
  await Promise.all([page.waitForNavigation(),
                     page.click("a:has-text('2033-03-01')")]);
  await axe(page, "the issue's page");
  await page.fill("#add-q", "Postscript");
  await Promise.all([page.waitForNavigation(),
                     page.click("form[role=search] button")]);
  await Promise.all([page.waitForNavigation(),
                     page.click("button[aria-label='Add Spring Postscript to the issue']")]);
  check((await page.content()).includes("The article is in this issue now."),
        "the issue's add message missing");
  await axe(page, "the issue's page with two articles");
  const up = page.locator("button[aria-label='Move Spring Postscript up']");
  if (await up.count() === 1)
    await Promise.all([page.waitForNavigation(), up.click()]);
  const body = await (await fetch(base + "/issues/2033-03-01")).text();
  check(body.indexOf("Spring Postscript") >= 0 &&
        body.indexOf("Spring Postscript") < body.indexOf("In The Spring Issue"),
        "the public issue does not follow the order set");

  for (const path of ["/admin/authors", "/admin/sections"]) {
    await page.goto(base + path);
    await axe(page, path);
  }
  await page.goto(base + "/admin/authors");
  await Promise.all([page.waitForNavigation(),
                     page.click("table a[href^='/admin/authors/']")]);
  await axe(page, "an author's page");

  await page.goto(base + "/admin/articles");
  await axe(page, "/admin/articles");
  await context.close();
} catch (e) {
  problems.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
if (problems.length) {
  console.log(problems.join("\n"));
  process.exit(1);
}
console.log("ok: write, preview, publish, edit, restore, schedule, issue");
