// admin.mjs - the back office's accounts in a real browser (Debian's
// chromium driven by playwright-core), with axe-core on every page.
//
//   node tests/browser/admin.mjs BASE_URL EMAIL PASSWORD
//
// Logs in through the form, runs axe-core on the dashboard, account, users,
// tokens, audit, side modules ("Visit also", staff publications), author
// and media pages (no serious or critical violation), enrols in TOTP
// (reading the key off the page and computing the code here, RFC 6238 with
// node's crypto), logs out, logs in again with a code, checks the
// dashboard, logs out. The back office ships no page script (it works
// without JavaScript); the only script run is axe, injected by the test.
// Prints what failed and exits 1.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const [base, email, password] = process.argv.slice(2);
if (!base || !email || !password) {
  console.error("usage: node admin.mjs BASE_URL EMAIL PASSWORD");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

function base32(s) {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out = [];
  for (const c of s.replace(/=+$/, "")) {
    value = (value << 5) | abc.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function totp(secret, when = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(when / 1000 / 30)));
  const h = createHmac("sha1", base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  const n = (h.readUInt32BE(o) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, "0");
}

const problems = [];
function check(ok, what) {
  if (!ok) problems.push(what);
}

async function axe(page, label) {
  // CSP blocks inline scripts of the page, not the test's own evaluation.
  await page.evaluate(axeSource);
  const r = await page.evaluate(async () =>
    await window.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of r.violations)
    if (v.impact === "serious" || v.impact === "critical")
      problems.push(`${label}: axe ${v.impact} ${v.id}: ${v.help} ` +
                    `(${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

async function login(page, code) {
  await page.goto(base + "/admin/login");
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  if (code !== undefined) {
    check(page.url().endsWith("/admin/login/totp"),
          `after the password: ${page.url()}, not the code step`);
    await axe(page, "/admin/login/totp");
    await page.fill("#code", code());
    await page.click("form[action='/admin/login/totp'] button");
  }
  check(page.url() === base + "/admin/", `after login: ${page.url()}`);
}

async function logout(page) {
  await page.click("form[action='/admin/logout'] button");
  check(page.url() === base + "/admin/login", `after logout: ${page.url()}`);
  await page.goto(base + "/admin/");
  check(page.url() === base + "/admin/login",
        "the dashboard is still open after logout");
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + "/admin/login");
  await axe(page, "/admin/login");
  await login(page);
  // The side modules and the author page show the picture picker: the
  // journal has a link with a logo, a publication with a cover and an
  // author (test_admin_browser.py).
  for (const path of ["/admin/", "/admin/account", "/admin/users",
                      "/admin/tokens", "/admin/audit", "/admin/webhooks",
                      "/admin/settings", "/admin/links", "/admin/links/1",
                      "/admin/publications", "/admin/publications/1",
                      "/admin/authors/1", "/admin/media"]) {
    const r = await page.goto(base + path);
    check(r.status() === 200, `${path}: status ${r.status()}`);
    await axe(page, path);
  }
  // Enrol in TOTP.
  await page.goto(base + "/admin/account/totp");
  await axe(page, "/admin/account/totp");
  check(await page.locator(".qr svg").count() === 1, "no QR code");
  const secret = (await page.textContent("#totp-secret")).trim();
  await page.fill("#code", totp(secret));
  await page.click("form[action='/admin/account/totp'] button");
  const codes = await page.locator("#recovery-codes li").count();
  check(codes === 10, `${codes} recovery codes shown`);
  await axe(page, "recovery codes");
  await logout(page);
  // Log in again: password, then a code computed here.
  // The enrolment's code is used (a code works once): the next one, within
  // the server's one step of drift, logs in.
  await login(page, () => totp(secret, Date.now() + 30000));
  const who = await page.textContent(".who");
  check(who && who.length > 0, "no user shown after the code step");
  await logout(page);
} catch (e) {
  problems.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
if (problems.length) {
  console.log(problems.join("\n"));
  process.exit(1);
}
console.log("ok: login, axe on 15 pages, TOTP enrolment, login with a code, logout");
