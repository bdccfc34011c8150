// First run: the printed setup link creates the first Super Admin, who adds the
// example modules and scopes, signs out and signs in again.
const { test, expect, PASSWORD, ADMIN_STATE, shoot, expectAccessible, accountMenu } = require("../support/fixtures");
const { state } = require("../support/state");

test.use({ storageState: undefined });

test("the setup link creates the first administrator, who then signs in", async ({ page }) => {
  const { setupUrl } = state();
  // A wrong code first.
  await page.goto(setupUrl.replace(/code=.*/, "code=wrong"));
  await expect(page.getByRole("heading", { name: "This setup link is not valid" })).toBeVisible();
  await shoot(page, "setup-invalid");
  await expectAccessible(page, "setup invalid");

  await page.goto(setupUrl);
  await expect(page.getByRole("heading", { name: "Create the first administrator" })).toBeVisible();
  await shoot(page, "setup");
  await expectAccessible(page, "setup");

  await page.getByLabel("Your name").fill("Ada Admin");
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create administrator" }).click();

  await expect(page.getByText("Welcome, Ada Admin")).toBeVisible();
  await page.getByRole("button", { name: "Add the example set" }).click();
  await expect(page.getByText("Added 7 example modules and scopes.")).toBeVisible();
  // Added once, the example set is not offered again.
  await expect(page.getByRole("button", { name: "Add the example set" })).toHaveCount(0);
  await shoot(page, "setup-catalog");
  await expectAccessible(page, "setup catalog");

  // The link is spent: it leads to sign-in, which, signed in, leads to the tokens.
  await page.goto(setupUrl);
  await expect(page).toHaveURL(/\/settings\/api-tokens$/);
  await expect(page.getByText("Tessera is already set up.")).toBeVisible();

  await page.goto("/settings/api-tokens");
  await accountMenu(page, "Sign out");
  await expect(page.getByText("You have signed out.")).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "API tokens", exact: true })).toBeVisible();
  await expect(page.getByText("No API tokens yet")).toBeVisible();
  await page.context().storageState({ path: ADMIN_STATE });
});
