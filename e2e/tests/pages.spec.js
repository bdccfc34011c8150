// Every page at laptop and phone widths, light and dark, with no serious or
// critical accessibility violation.
const { test, expect, unique, createToken, shoot, expectAccessible } = require("../support/fixtures");

test("settings pages", async ({ page }) => {
  const { guid } = await createToken(page, { name: unique("Pages") });
  const pages = [
    ["modules", "/settings/modules", "Modules"],
    ["scopes", "/settings/scopes", "Scopes"],
    ["administrators", "/settings/administrators", "Administrators"],
    ["administrator-new", "/settings/administrators/new", "Add administrator"],
    ["audit-log", "/settings/audit-log", "Audit log"],
    ["confirm-revoke", `/settings/api-tokens/${guid}/revoke`, "Revoke"],
    ["confirm-delete", `/settings/api-tokens/${guid}/delete`, "Delete"],
    ["confirm-regenerate", `/settings/api-tokens/${guid}/regenerate`, "Regenerate"],
    ["error-404", "/settings/no-such-page", "Page not found"],
  ];
  for (const [name, path, heading] of pages) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(heading);
    await shoot(page, name);
    await expectAccessible(page, name);
  }

  await page.goto("/settings/modules");
  await page.getByRole("link", { name: /^Edit Orders/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Edit module orders");
  await shoot(page, "module-edit");
  await expectAccessible(page, "module edit");

  await page.goto("/settings/scopes");
  await page.getByRole("link", { name: /^Edit Staging/ }).click();
  await shoot(page, "scope-edit");
  await expectAccessible(page, "scope edit");

  await page.goto("/settings/administrators");
  await page.getByRole("link", { name: /^Edit Ada Admin/ }).click();
  await shoot(page, "administrator-edit");
  await expectAccessible(page, "administrator edit");

  // Errors in a form, announced and next to their fields.
  await page.goto("/settings/scopes");
  await page.getByRole("button", { name: "Add scope" }).click();
  await expect(page.getByText("Name is required.")).toBeVisible();
  await shoot(page, "scopes-errors");
  await expectAccessible(page, "scopes with errors");
});

test("on a phone, one menu holds the sections and the account, and scopes sit two to a row", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/settings/api-tokens");
  await expect(page.getByRole("navigation", { name: "Settings" })).toBeHidden();
  const menu = page.locator("[data-account-menu] > summary");
  await expect(menu).toContainText("Menu");
  await menu.click();
  const sections = page.getByRole("navigation", { name: "Sections" });
  await expect(sections.getByRole("link", { name: "API tokens" })).toHaveAttribute("aria-current", "page");
  await expect(page.locator(".account-dropdown").getByRole("link", { name: "My profile" })).toBeVisible();
  await shoot(page, "phone-menu");
  await expectAccessible(page, "phone menu");
  await sections.getByRole("link", { name: "Usage" }).click();
  await expect(page).toHaveURL(/\/settings\/usage/);

  await page.goto("/settings/api-tokens/new");
  const boxes = page.locator("fieldset", { hasText: "Scopes" }).locator(".choice");
  const [first, second] = [await boxes.nth(0).boundingBox(), await boxes.nth(1).boundingBox()];
  expect(Math.round(first.y)).toBe(Math.round(second.y));
  expect(second.x).toBeGreaterThan(first.x + first.width - 1);
  // A long scope name wraps at a word, never inside one.
  const cut = await boxes.evaluateAll((labels) => labels.some((label) => label.scrollWidth > label.clientWidth));
  expect(cut).toBe(false);

  // Wider, the sections are back beside or above the page, and not in the menu.
  await page.setViewportSize({ width: 1366, height: 768 });
  await expect(page.getByRole("navigation", { name: "Settings" })).toBeVisible();
  await menu.click();
  await expect(page.getByRole("navigation", { name: "Sections" })).toBeHidden();
});
