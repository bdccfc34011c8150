const { test, expect, PASSWORD, shoot, expectAccessible, accountMenu } = require("../support/fixtures");

test.describe("signed out", () => {
  test.use({ storageState: undefined });

  test("a wrong password gets one clear message and the email stays", async ({ page }) => {
    await page.goto("/settings/api-tokens");
    await expect(page).toHaveURL(/\/login\?next=/);
    await shoot(page, "login");
    await expectAccessible(page, "login");
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect.");
    await expect(page.getByLabel("Email")).toHaveValue("ada@example.com");
    await shoot(page, "login-failed");
    await expectAccessible(page, "login failed");

    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/settings\/api-tokens$/);
  });
});

test("signing out ends the session", async ({ browser, baseURL }) => {
  // A session of its own, so the shared one stays signed in.
  const context = await browser.newContext({ baseURL, storageState: undefined });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "API tokens", exact: true })).toBeVisible();
  const cookies = await context.cookies();
  await accountMenu(page, "Sign out");
  await expect(page.getByText("You have signed out.")).toBeVisible();

  // The old cookie no longer signs anyone in.
  const replay = await browser.newContext({ baseURL });
  await replay.addCookies(cookies);
  const again = await replay.newPage();
  await again.goto("/settings/api-tokens");
  await expect(again).toHaveURL(/\/login/);
  await replay.close();
  await context.close();
});
