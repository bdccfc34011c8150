// Single sign-on in Chromium against a real OpenID provider (oidc-provider, started
// by the global setup): "Sign in with Test IdP", the provider's own sign-in form,
// and back in Tessera with the role the provider's groups give; signing out
// signs out at the provider too.
const { test, expect, shoot, expectAccessible, accountMenu } = require("../support/fixtures");

test.use({ storageState: undefined });

test("an administrator signs in with the identity provider and out again", async ({ page }) => {
  await page.goto("/settings/api-tokens");
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.getByRole("link", { name: "Sign in with Test IdP" })).toBeVisible();
  await shoot(page, "login-sso");
  await expectAccessible(page, "login with single sign-on");

  await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
  await expect(page.getByRole("heading", { name: "Test provider" })).toBeVisible();
  await page.getByLabel("Account").fill("bob");
  await page.getByRole("button", { name: "Sign in" }).click();

  // Back in Tessera, where the session cookie (SameSite=Strict) is sent.
  await expect(page).toHaveURL(/\/settings\/api-tokens$/);
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
  await expect(page.locator("[data-account-menu] > summary")).toContainText("Bob Example");
  // A Viewer creates nothing.
  await expect(page.getByRole("link", { name: "Create API token" })).toHaveCount(0);

  await accountMenu(page, "Sign out");
  // Signed out at the provider too, and back at Tessera's sign-in.
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/settings/api-tokens");
  await expect(page).toHaveURL(/\/login\?next=/);
});
