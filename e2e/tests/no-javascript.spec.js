// Every action works without JavaScript: confirmations are pages of their own.
const { test, expect, PASSWORD, unique, createToken, signedIn, shoot } = require("../support/fixtures");

test.use({ javaScriptEnabled: false });

test("create, reveal, revoke and delete without JavaScript", async ({ page }) => {
  const name = unique("No script");
  await page.goto("/settings/api-tokens/new");
  await expect(page.locator("[data-save]")).toBeEnabled();
  await expect(page.getByRole("button", { name: "Copy token" })).toHaveCount(0);
  await page.getByLabel("Name", { exact: false }).first().fill(name);
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel("Production", { exact: true }).check();
  await page.locator("input[name=duration][value=unlimited]").check();
  await page.locator("[data-save]").click();
  await expect(page.getByRole("heading", { name: "Copy your API token now" })).toBeVisible();
  const secret = await page.locator("#secret").inputValue();
  expect(secret).toMatch(/^tsr_/);
  const guid = (await page.locator("[data-reveal]").getAttribute("data-details-url")).split("/").pop();

  await page.getByRole("link", { name: "I have copied it — show the token" }).click();
  expect(await page.content()).not.toContain(secret);

  // The list's row menu opens without the script, and its actions work.
  await page.goto(`/settings/api-tokens?q=${encodeURIComponent(name)}`);
  await expect(page.getByRole("button", { name: "Apply" })).toBeVisible();
  await page.getByLabel(`Actions for ${name}`).click();
  await page.getByRole("row", { name: new RegExp(name) }).getByRole("button", { name: "Disable" }).click();
  await expect(page.getByText(`Disabled ${name}.`)).toBeVisible();
  await page.goto(`/settings/api-tokens/${guid}`);
  await page.getByRole("button", { name: "Enable" }).click();

  await page.getByRole("link", { name: "Revoke" }).click();
  await expect(page).toHaveURL(new RegExp(`/settings/api-tokens/${guid}/revoke$`));
  await expect(page.getByRole("heading", { name: `Revoke ${name}?` })).toBeVisible();
  await page.getByRole("button", { name: "Revoke token" }).click();
  await expect(page.locator("h1 .badge")).toHaveText("Revoked");

  await page.getByRole("link", { name: "Delete" }).click();
  await expect(page.getByRole("heading", { name: `Delete ${name}?` })).toBeVisible();
  await page.getByRole("button", { name: "Delete token" }).click();
  await expect(page.getByText(`Deleted ${name}.`)).toBeVisible();
});

test("regenerate, a new GUID, and Enter saves without JavaScript", async ({ page }) => {
  await page.goto("/settings/api-tokens/new");
  const guid = await page.locator("#guid").inputValue();
  await page.getByLabel("Name", { exact: false }).first().fill(unique("No script GUID"));
  await page.getByText("Advanced", { exact: true }).click();
  await page.getByRole("button", { name: "Generate a new GUID" }).click();
  await expect(page.locator("#guid")).not.toHaveValue(guid);
  const newGuid = await page.locator("#guid").inputValue();
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel("Staging", { exact: true }).check();
  // Enter in a field saves, with the GUID shown; it does not make another one.
  await page.getByLabel("Name", { exact: false }).first().press("Enter");
  const token = (await page.locator("[data-reveal]").getAttribute("data-details-url")).split("/").pop();
  expect(token).toBe(newGuid);
  await page.goto(`/settings/api-tokens/${token}`);
  await page.getByRole("link", { name: "Regenerate" }).click();
  await page.getByLabel("Keep the current secret working for").selectOption("1h");
  await page.getByRole("button", { name: "Regenerate" }).click();
  await expect(page.getByText("Token regenerated")).toBeVisible();
});

test("show a token's value again without JavaScript", async ({ browser, baseURL }) => {
  // A session of its own: its password confirmation must not leak into other tests.
  const { context, page } = await signedIn(browser, baseURL, "ada@example.com", { javaScriptEnabled: false });
  const { secret, guid } = await createToken(page, { name: unique("No script reveal") });
  await page.goto(`/settings/api-tokens/${guid}`);
  expect(await page.content()).not.toContain(secret);
  await page.getByRole("button", { name: "Show the token" }).click();
  await expect(page.getByRole("heading", { name: "Confirm your password" })).toBeVisible();
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm and show the token" }).click();
  await expect(page.locator("#token-value")).toHaveText(secret);
  await expect(page.locator('meta[http-equiv="refresh"]')).toHaveAttribute("content", `30;url=/settings/api-tokens/${guid}`);
  await shoot(page, "token-value-shown-no-script");
  await page.getByRole("link", { name: "Hide it now" }).click();
  expect(await page.content()).not.toContain(secret);
  await context.close();
});

test("the list's filter chips, the audit log's filters and the reference work without JavaScript", async ({ page }) => {
  const name = unique("No script chips");
  await createToken(page, { name, scope: "Staging" });
  await page.goto("/settings/api-tokens");
  await page.getByLabel("Search by name or GUID").fill(name);
  await page.getByLabel("Scope", { exact: true }).selectOption({ label: "Scope: Staging" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.locator(".token-name")).toHaveText([name]);
  // On a laptop the column headers sort; the selects are for a phone's cards.
  await expect(page.getByLabel("Sort by")).toBeHidden();
  const chips = page.locator(".active-filters .filter-chip");
  await expect(chips).toHaveText([/^Search: /, /^Scope: Staging/]);
  await chips.filter({ hasText: "Search:" }).click();
  await expect(page).not.toHaveURL(/q=/);
  await expect(page.getByLabel("Scope", { exact: true })).toHaveValue(/^\d+$/);

  // The audit log's filters apply with their button.
  await page.goto("/settings/audit-log");
  await page.getByLabel("Action").selectOption({ label: "Created token" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/action=token\.create/);
  await expect(page.getByRole("row", { name: new RegExp(name) }).first()).toContainText("Scopes: Staging");

  // The reference lists every endpoint, with no search to type into.
  await page.goto("/api/docs");
  await expect(page.getByLabel("Find an endpoint")).toBeHidden();
  await expect(page.getByRole("navigation", { name: "Endpoints" }).getByRole("link", { name: /Revoke a token/ })).toBeVisible();

  // The matrix's whole-column boxes need the script, and are not offered without it.
  await page.goto("/settings/api-tokens/new");
  await expect(page.getByLabel("Read on Orders", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Read on every module", { exact: true })).toBeHidden();
});
