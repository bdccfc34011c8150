const { test, expect, PASSWORD, unique, createToken, shoot, expectAccessible } = require("../support/fixtures");

test("a Viewer signs in to a read-only view", async ({ page, browser, baseURL }) => {
  const name = unique("Seen by viewer");
  await createToken(page, { name, scope: "Development" });
  const email = `${unique("vic").replace(/\s/g, "")}@example.com`;
  await page.goto("/settings/administrators/new");
  await page.getByLabel("Name", { exact: false }).first().fill("Victor Viewer");
  await page.getByLabel("Email").fill(email);
  await page.locator("input[name=role][value=viewer]").check();
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel("Development", { exact: true }).check();
  await page.getByLabel("First password").fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  await page.getByRole("button", { name: "Add administrator" }).click();
  await expect(page.getByText(`can now sign in as ${email}`)).toBeVisible();

  const context = await browser.newContext({ baseURL, storageState: undefined });
  const viewer = await context.newPage();
  await viewer.goto("/login");
  await viewer.getByLabel("Email").fill(email);
  await viewer.getByLabel("Password").fill(PASSWORD);
  await viewer.getByRole("button", { name: "Sign in" }).click();
  await expect(viewer.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(viewer.getByRole("link", { name: "Create API token" })).toHaveCount(0);
  await expect(viewer.getByRole("navigation", { name: "Settings" }).getByRole("link")).toHaveText(["API tokens", "Identities", "Token health", "Usage"]);
  await expect(viewer.locator("[data-row-menu]")).toHaveCount(0);
  await shoot(viewer, "viewer-list");
  await expectAccessible(viewer, "viewer list");

  await viewer.getByRole("link", { name, exact: true }).click();
  for (const action of ["Edit", "Regenerate", "Disable", "Revoke", "Delete"]) {
    await expect(viewer.getByRole("link", { name: action, exact: true })).toHaveCount(0);
    await expect(viewer.getByRole("button", { name: action, exact: true })).toHaveCount(0);
  }
  await viewer.goto("/settings/administrators");
  await expect(viewer.getByRole("heading", { name: "Access denied" })).toBeVisible();
  await shoot(viewer, "error-403");
  await expectAccessible(viewer, "403 page");
  await context.close();
});
