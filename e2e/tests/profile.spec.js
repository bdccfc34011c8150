// My profile and "API token management", reached from the account menu in the header.
const { test, expect, PASSWORD, unique, shoot, expectAccessible, signedIn, accountMenu } = require("../support/fixtures");

/** Adds a Token Manager in Production and returns their email. */
async function addTokenManager(page, name) {
  const email = `${unique("pat").replace(/\s/g, "")}@example.com`;
  await page.goto("/settings/administrators/new");
  await page.getByLabel("Name", { exact: false }).first().fill(name);
  await page.getByLabel("Email").fill(email);
  await page.locator("input[name=role][value=token_manager]").check();
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel("Production", { exact: true }).check();
  await page.getByLabel("First password").fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  await page.getByRole("button", { name: "Add administrator" }).click();
  await expect(page.getByText(`can now sign in as ${email}`)).toBeVisible();
  return email;
}

test("the account menu opens, closes and leads to My profile", async ({ page }) => {
  await page.goto("/settings/api-tokens");
  const summary = page.locator("[data-account-menu] > summary");
  await summary.click();
  const menu = page.locator(".account-dropdown");
  await expect(menu.getByRole("link")).toHaveText(["My profile", "API token management"]);
  await expect(menu.getByRole("button", { name: "Sign out" })).toBeVisible();
  await shoot(page, "account-menu");
  await page.keyboard.press("Escape");
  await expect(menu).toBeHidden();
  await expect(summary).toBeFocused();
  await summary.click();
  await page.getByRole("heading", { name: "API tokens", exact: true }).click();
  await expect(menu).toBeHidden();

  await accountMenu(page, "My profile");
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole("heading", { name: "My profile", level: 1 })).toBeVisible();
  await shoot(page, "profile");
  await expectAccessible(page, "profile");

  // A new display name shows in the header at once.
  await page.getByLabel("Display name").fill("Ada Byron");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByText("Your name was changed.")).toBeVisible();
  await expect(page.locator(".account-summary .account-name")).toHaveText("Ada Byron");
  await page.getByLabel("Display name").fill("Ada Admin");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.locator(".account-summary .account-name")).toHaveText("Ada Admin");
});

test("an administrator generates a token from their profile menu", async ({ page }) => {
  const name = unique("From my profile");
  await page.goto("/settings/api-tokens");
  await accountMenu(page, "API token management");
  await expect(page).toHaveURL(/\/profile\/api-tokens$/);
  await expect(page.getByRole("heading", { name: "API token management" })).toBeVisible();
  await page.getByRole("link", { name: "Generate New Token" }).click();

  // Seed 002: name, expiry date, read and write permissions, then create.
  await page.getByLabel("Name", { exact: false }).first().fill(name);
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel("Production", { exact: true }).check();
  await page.locator("input[name=duration][value=custom]").check();
  const expiry = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  await page.locator("#valid_to").fill(expiry);
  await page.locator("input[name=token_type][value=custom]").check();
  await page.getByLabel("Read on Orders", { exact: true }).check();
  await page.getByLabel("Write on Orders", { exact: true }).check();
  await page.locator("[data-save]").click();

  await expect(page.getByRole("heading", { name: "Copy your API token now" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "How to use it" })).toBeVisible();
  await expect(page.locator("pre code").first()).toContainText("Authorization: Bearer tsr_");
  await page.getByRole("link", { name: "I have copied it — show the token" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();

  await accountMenu(page, "API token management");
  await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  await shoot(page, "profile-tokens");
  await expectAccessible(page, "profile tokens");
});

test("changing one's password, and signing out everywhere", async ({ page, browser, baseURL }) => {
  const email = await addTokenManager(page, "Pat Profile");
  const first = await signedIn(browser, baseURL, email);
  const second = await signedIn(browser, baseURL, email);
  const newPassword = "another long passphrase";

  await first.page.goto("/profile");
  await first.page.getByLabel("Current password").fill("not my password");
  await first.page.getByLabel(/^New password/).fill(newPassword);
  await first.page.getByLabel("Repeat the new password").fill(newPassword);
  await first.page.getByRole("button", { name: "Change password" }).click();
  await expect(first.page.getByText("That is not your password.")).toBeVisible();
  await expect(first.page.getByLabel("Current password")).toBeFocused();
  await shoot(first.page, "profile-password-error");

  await first.page.getByLabel("Current password").fill(PASSWORD);
  await first.page.getByLabel(/^New password/).fill(newPassword);
  await first.page.getByLabel("Repeat the new password").fill(newPassword);
  await first.page.getByRole("button", { name: "Change password" }).click();
  await expect(first.page.getByText("Your other sessions were signed out.")).toBeVisible();
  await second.page.goto("/settings/api-tokens");
  await expect(second.page).toHaveURL(/\/login/);

  await first.page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(first.page.getByText(/You were signed out everywhere/)).toBeVisible();
  await first.page.goto("/profile");
  await expect(first.page).toHaveURL(/\/login/);

  await second.page.getByLabel("Email").fill(email);
  await second.page.getByLabel("Password").fill(newPassword);
  await second.page.getByRole("button", { name: "Sign in" }).click();
  await expect(second.page).toHaveURL(/\/profile$|\/settings\/api-tokens$/);
  await first.context.close();
  await second.context.close();
});

test("an administrator creates an API key in My profile, copies it once and revokes it", async ({ browser, baseURL }) => {
  // A session of its own: typing the password here confirms it for five minutes,
  // which the other tests' shared session must not be.
  const { context, page } = await signedIn(browser, baseURL);
  const name = unique("CI deploy");
  await page.goto("/profile");
  await page.getByRole("navigation", { name: "My profile" }).getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(/\/profile\/api-keys$/);
  await shoot(page, "api-keys");
  await expectAccessible(page, "api-keys");

  // Nothing chosen: every problem is named next to its field.
  await page.getByRole("button", { name: "Create API key" }).click();
  await expect(page.locator("#name-error")).toBeVisible();
  await expect(page.locator("#permissions-error")).toHaveText("Choose at least one permission.");
  await expect(page.locator("#password-error")).toHaveText("Type your password to create an API key.");
  await expectAccessible(page, "api-keys-errors");

  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Expires in").selectOption("30");
  await page.getByLabel(/See API tokens/).check();
  await page.getByLabel(/Create API tokens/).check();
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create API key" }).click();
  await expect(page.getByRole("heading", { name: "Copy your API key now" })).toBeVisible();
  const key = await page.locator("#secret").inputValue();
  expect(key).toMatch(/^tsa_[0-9A-Za-z]{46}$/);
  await expect(page.locator("#code-curl")).toContainText(`Bearer ${key}`);
  await page.getByRole("button", { name: "Copy key" }).click();
  await expect(page.getByRole("button", { name: "Copy key" })).toContainText("Copied ✓");
  await shoot(page, "api-key-created");
  await expectAccessible(page, "api-key-created");

  // The key works at once, and the list shows its last use.
  const answer = await page.request.get("/api/v1/tokens", { headers: { Authorization: `Bearer ${key}` } });
  expect(answer.status()).toBe(200);
  await page.getByRole("link", { name: /I have copied it/ }).click();

  // The reference the key page points to: every endpoint, with examples to copy.
  await page.getByRole("link", { name: "Tessera's management API" }).click();
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
  await expect(page.locator("#curl-create")).toContainText("-d '{");
  await page.locator("#create").getByRole("button", { name: "Copy" }).click();
  await expect(page.locator("#toast")).toContainText("curl example");
  // Request fields with what each allows (beside the parameters), an example answer, curl lines that wrap.
  const fields = page.locator("#create").getByRole("region", { name: "Parameters of Create a token" });
  await expect(fields.getByRole("row", { name: /^type required/ })).toContainText("one of read_only, full_access, custom");
  await page.locator("#create .api-example").first().locator("summary").click();
  await expect(page.locator("#create .api-example pre").first()).toContainText('"secret": "tsr_');
  const wide = await page.locator(".api-main pre").evaluateAll((blocks) => blocks.filter((b) => b.scrollWidth > b.clientWidth + 1).length);
  expect(wide).toBe(0);
  // The side navigation stays in view and finds endpoints as words are typed.
  const side = page.getByRole("navigation", { name: "Endpoints" });
  await side.getByLabel("Find an endpoint").fill("revoke");
  await expect(side.locator("[data-api-entry]:visible")).toHaveText([/Revoke a token/]);
  await side.getByLabel("Find an endpoint").fill("no such thing");
  await expect(side.getByText("No endpoint matches.")).toBeVisible();
  await side.getByLabel("Find an endpoint").fill("");
  await shoot(page, "api-docs");
  await expectAccessible(page, "api-docs");
  await page.goto("/profile/api-keys");
  const row = page.locator("tr", { hasText: name });
  await expect(row).toContainText(key.slice(-4));
  await expect(row).toContainText("tokens.read, tokens.create");
  await expect(row).toContainText(/from 127\.0\.0\.1/);

  // Revoking asks first: Cancel keeps it, the dialog's button revokes it.
  await row.getByRole("button", { name: /Revoke/ }).click();
  const dialog = page.getByRole("dialog", { name: `Revoke the API key ${name}?` });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, "API key revoke question");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.locator("tr", { hasText: name })).toContainText("Active");
  await row.getByRole("button", { name: /Revoke/ }).click();
  await dialog.getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByText(`The API key “${name}” was revoked.`)).toBeVisible();
  await expect(page.locator("tr", { hasText: name })).toContainText("Revoked");
  const refused = await page.request.get("/api/v1/tokens", { headers: { Authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(401);
  await context.close();
});
