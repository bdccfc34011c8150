// Settings > Token health: a card per finding, the tokens of one, and its fix
// asked for first.
const { test, expect, unique, createToken, shoot, expectAccessible } = require("../support/fixtures");

test("the health page counts each finding and fixes one after asking", async ({ page }) => {
  const name = unique("Endless");
  await createToken(page, { name, scope: "Development", duration: "unlimited" });
  await page.goto("/settings/api-tokens");
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Token health" }).click();
  await expect(page).toHaveURL(/\/settings\/token-health/);
  await expect(page.locator(".health-card")).toHaveCount(7);
  const never = page.locator(".health-card", { hasText: "Never expire" });
  await expect(never.locator(".health-count")).not.toHaveText("0");
  await never.getByRole("link").click();
  await expect(page.getByRole("heading", { name: "Never expire", level: 2 })).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toBeVisible();
  await shoot(page, "token-health");
  await expectAccessible(page, "token health");

  // Scoped to its scope, then fixed: an expiry 30 days from now, asked first.
  await page.getByRole("navigation", { name: "Scope" }).getByRole("link", { name: "Development" }).click();
  await expect(page.getByRole("navigation", { name: "Scope" }).getByRole("link", { name: "Development" })).toHaveAttribute("aria-current", "true");
  await page.getByLabel("Days").selectOption("30");
  await page.getByRole("button", { name: /^Set an expiry on / }).click();
  await expect(page.getByRole("heading", { name: /^Set an expiry 30 days from now: \d+ tokens?\?$/ })).toBeVisible();
  await expect(page.locator(".bulk-names")).toContainText(name);
  await page.getByRole("button", { name: /^Set an expiry 30 days from now: / }).click();
  await expect(page.getByRole("heading", { name: /changed$/ })).toBeVisible();
  await page.goto("/settings/token-health?finding=no_expiry");
  await expect(page.getByRole("row", { name: new RegExp(name) })).toHaveCount(0);
});
