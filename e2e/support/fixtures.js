// The test object of every spec: the server's URL, a signed-in Super Admin, and
// helpers for screenshots, accessibility checks and common steps.
const fs = require("node:fs");
const path = require("node:path");
const base = require("@playwright/test");
const { default: AxeBuilder } = require("@axe-core/playwright");
const { ADMIN_STATE, state } = require("./state");

const PASSWORD = "correct horse battery staple";
const LAPTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const SHOTS = path.resolve(__dirname, "../screenshots");

const test = base.test.extend({
  baseURL: async ({}, use) => use(state().baseURL),
  // Signed in as the Super Admin created at first run.
  storageState: async ({}, use) => use(fs.existsSync(ADMIN_STATE) ? ADMIN_STATE : undefined),
});

const expect = base.expect;

/** A name no other test uses. */
function unique(prefix) {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** Saves the page at laptop and phone widths, light and dark. */
async function shoot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [label, size] of [["laptop", LAPTOP], ["phone", PHONE]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "dark" });
  for (const [label, size] of [["phone", PHONE], ["laptop", LAPTOP]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${label}-dark.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize(original || LAPTOP);
}

/** No serious or critical accessibility violation, in the light and the dark theme. */
async function expectAccessible(page, name) {
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    const report = serious.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`);
    expect(report, `${name} (${scheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** Opens the create form, fills it and saves; returns { secret, guid } from the one-time page. */
async function createToken(page, { name, scope = "Production", type = "read_only", duration = "30d", from, to, permissions = [] }) {
  await page.goto("/settings/api-tokens/new");
  await page.getByLabel("Name", { exact: false }).first().fill(name);
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel(scope, { exact: true }).check();
  await page.locator(`input[name=duration][value="${duration}"]`).check();
  if (from) await page.locator("#valid_from").fill(from);
  if (to) await page.locator("#valid_to").fill(to);
  await page.locator(`input[name=token_type][value="${type}"]`).check();
  for (const permission of permissions) {
    await page.getByLabel(permission, { exact: true }).check();
  }
  await page.locator("[data-save]").click();
  await expect(page.getByRole("heading", { name: "Copy your API token now" })).toBeVisible();
  const secret = await page.locator("#secret").inputValue();
  const guid = (await page.locator("[data-reveal]").getAttribute("data-details-url")).split("/").pop();
  return { secret, guid };
}

/** Opens the account menu in the header and picks `item`. */
async function accountMenu(page, item) {
  await page.locator("[data-account-menu] > summary").click();
  const menu = page.locator(".account-dropdown");
  await expect(menu).toBeVisible();
  await menu.getByRole(item === "Sign out" ? "button" : "link", { name: item, exact: true }).click();
}

/** A browser context with a session of its own, signed in as `email`. */
async function signedIn(browser, baseURL, email = "ada@example.com", options = {}) {
  const context = await browser.newContext({ baseURL, storageState: undefined, ...options });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/api-tokens$/);
  return { context, page };
}

/** A date `days` from today (UTC), as the date inputs take it. */
function dayFromToday(days) {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

module.exports = { test, expect, PASSWORD, LAPTOP, PHONE, unique, shoot, expectAccessible, createToken, dayFromToday, signedIn, accountMenu, ADMIN_STATE };
