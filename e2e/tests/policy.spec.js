// Settings > Scopes > a scope's policy, and the token form that follows it: the
// ticked scopes' rules shown before Save, and a token that breaks them refused
// with the reason beside the field.
const { test, expect, unique, shoot, expectAccessible, dayFromToday, LAPTOP, PHONE } = require("../support/fixtures");

test("a scope's policy is set, shown on the token form and refuses a token that breaks it", async ({ page }) => {
  const scope = unique("Partner");
  await page.goto("/settings/scopes");
  await page.getByLabel("Name").fill(scope);
  await page.getByRole("button", { name: "Add scope" }).click();
  await expect(page.getByRole("cell", { name: scope, exact: true })).toBeVisible();

  await page.getByRole("link", { name: `Set policy of ${scope}` }).click();
  await expect(page.getByRole("heading", { name: `Policy of ${scope}` })).toBeVisible();
  // A policy no token could follow is refused beside its field.
  for (const type of ["read_only", "full_access", "custom"]) {
    await page.locator(`input[name=allowed_types][value=${type}]`).uncheck();
  }
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(page.locator("#allowed_types-error")).toHaveText("Allow at least one token type.");
  await expectAccessible(page, "scope policy with errors");

  await page.getByLabel("Maximum lifetime, in days").fill("90");
  await page.locator("input[name=allowed_types][value=read_only]").check();
  await page.locator("input[name=allowed_types][value=custom]").check();
  await page.getByLabel("IP allow-list required").check();
  await shoot(page, "scope-policy");
  await expectAccessible(page, "scope policy");
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(page).toHaveURL(/\/settings\/scopes$/);
  const row = page.getByRole("row", { name: new RegExp(scope) });
  await expect(row).toContainText("Tokens expire within 90 days.");
  await expect(row).toContainText("Token types: Read-only, Custom.");
  await shoot(page, "scopes-with-policies");

  // The create form shows the policy of the scopes ticked, and only theirs.
  await page.goto("/settings/api-tokens/new");
  // On a phone the GUID is whole, its buttons below it.
  await page.setViewportSize(PHONE);
  await page.getByText("Advanced", { exact: true }).click();
  await expect(page.locator("#guid")).toBeVisible();
  expect(await page.locator("#guid").evaluate((input) => input.scrollWidth <= input.clientWidth)).toBe(true);
  await page.setViewportSize(LAPTOP);
  // The end shows as the duration is picked; no end is warned about.
  const ends = page.locator("[data-duration-preview]");
  await page.locator('input[name=duration][value="30d"]').check();
  await expect(ends).toContainText(`Ends on ${dayFromToday(30)} at `);
  await page.locator('input[name=duration][value="unlimited"]').check();
  await expect(ends).toContainText("Never ends");
  await expect(ends).toHaveClass(/warning-text/);
  await page.locator('input[name=duration][value="30d"]').check();
  const hint = page.locator("[data-policy-hint]");
  await expect(hint).toBeHidden();
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel(scope, { exact: true }).check();
  await expect(hint).toBeVisible();
  await expect(hint.getByRole("heading", { name: scope })).toBeVisible();
  await expect(hint).toContainText("Tokens need an IP allow-list.");

  // A year-long Full access token without networks: refused, each reason beside its field.
  await page.getByLabel("Name", { exact: false }).first().fill(unique("Partner feed"));
  await page.locator('input[name=duration][value="custom"]').check();
  await page.locator("#valid_to").fill(dayFromToday(365));
  await page.locator('input[name=token_type][value="full_access"]').check();
  await page.locator("[data-save]").click();
  await expect(page.locator("#duration-error")).toContainText(`${scope} allows tokens of at most 90 days`);
  await expect(page.locator("#token_type-error")).toContainText("does not allow Full access tokens");
  await expect(page.locator("#allowed_networks-error")).toContainText("requires an IP allow-list");
  await expect(hint).toBeVisible();
  await shoot(page, "token-create-policy");
  await expectAccessible(page, "token form refused by a policy");

  // Within the policy, it is made.
  await page.locator('input[name=duration][value="90d"]').check();
  await page.locator('input[name=token_type][value="read_only"]').check();
  await page.locator("#allowed_networks").fill("203.0.113.0/24");
  await page.locator("[data-save]").click();
  await expect(page.getByRole("heading", { name: "Copy your API token now" })).toBeVisible();
});
