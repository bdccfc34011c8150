const { test, expect, unique, createToken, shoot, expectAccessible } = require("../support/fixtures");

test("the audit log filters as a filter changes, says what changed, and folds its filters on a phone", async ({ page }) => {
  const name = unique("Audited");
  const { guid } = await createToken(page, { name, scope: "Production" });
  await page.goto(`/settings/api-tokens/${guid}/edit`);
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel("Staging", { exact: true }).check();
  await page.locator("[data-save]").click();
  await expect(page.getByText(`Saved the changes to ${name}.`)).toBeVisible();

  await page.goto("/settings/audit-log");
  // With the script, a filter applies when it changes: no Apply button.
  await expect(page.getByRole("button", { name: "Apply" })).toBeHidden();
  await page.getByLabel("Action").selectOption({ label: "Edited token" });
  await expect(page).toHaveURL(/action=token\.update/);
  const row = page.getByRole("row", { name: new RegExp(name) }).first();
  await expect(row.getByRole("cell").nth(4)).toContainText("Scopes: Production → Production, Staging");
  // The GUID by its first block, the whole in the title.
  const target = row.locator("td[data-label=Target]");
  await expect(target).toHaveText(`${name} · ${guid.slice(0, 8)}`);
  await expect(target).toHaveAttribute("title", guid);
  await shoot(page, "audit-log-changes");
  await expectAccessible(page, "audit log with changes");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByLabel("Action")).toBeHidden();
  await page.getByText("Filters (on)", { exact: true }).click();
  await expect(page.getByLabel("Action")).toBeVisible();
  await expectAccessible(page, "audit log on a phone");
});
