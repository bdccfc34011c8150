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
