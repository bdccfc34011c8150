// Acting on several tokens from the list: checked rows or every token a filter
// matches, a confirmation that names them and the skipped ones, and the result.
const { test, expect, unique, createToken, shoot, expectAccessible } = require("../support/fixtures");

test("check rows, review, and disable them; then every match of a filter", async ({ page }) => {
  const project = unique("Bulk");
  for (const n of ["one", "two", "three"]) await createToken(page, { name: `${project} ${n}` });
  await page.goto(`/settings/api-tokens?q=${encodeURIComponent(project)}`);
  const bar = page.locator("form[data-bulk]");
  await expect(bar).toBeVisible();
  // Only the fields the chosen action needs show.
  await expect(bar.getByLabel("Days")).toBeHidden();
  await bar.getByLabel("Action").selectOption("extend");
  await expect(bar.getByLabel("Days")).toBeVisible();
  await bar.getByLabel("Action").selectOption("disable");
  await expect(bar.getByLabel("Days")).toBeHidden();

  await page.getByLabel(`Check ${project} one`).check();
  await page.getByLabel(`Check ${project} two`).check();
  await expect(bar.locator("[data-bulk-count]")).toHaveText("2 rows checked");
  await shoot(page, "bulk-bar");
  await expectAccessible(page, "bulk bar");
  await bar.getByRole("button", { name: "Review…" }).click();

  await expect(page.getByRole("heading", { name: "Disable: 2 tokens?" })).toBeVisible();
  await expect(page.locator(".bulk-names li")).toHaveCount(2);
  await shoot(page, "bulk-confirm");
  await expectAccessible(page, "bulk confirmation");
  await page.getByRole("button", { name: "Disable: 2 tokens" }).click();
  await expect(page.getByRole("heading", { name: "Disable: 2 tokens changed" })).toBeVisible();
  await shoot(page, "bulk-result");

  // Every match of the filter: the two disabled ones are skipped, with the reason.
  await page.goto(`/settings/api-tokens?q=${encodeURIComponent(project)}`);
  await expect(page.locator("p.result-count")).toContainText("3 tokens");
  await bar.getByLabel("Tokens", { exact: true }).selectOption("all");
  await bar.getByLabel("Action").selectOption("disable");
  await bar.getByRole("button", { name: "Review…" }).click();
  await expect(page.getByRole("heading", { name: "Disable: 1 token?" })).toBeVisible();
  await expect(page.locator(".bulk-skipped")).toContainText("It is disabled already.");
  await page.getByRole("button", { name: "Disable: 1 token" }).click();
  await page.getByRole("link", { name: "See it in the audit log" }).click();
  await expect(page.locator("tbody tr")).toHaveCount(1);
  await expect(page.getByRole("link", { name: "one of a bulk action" })).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the bar shows every field and the confirmation is a page", async ({ page }) => {
    const project = unique("Bulk plain");
    await page.goto(`/settings/api-tokens?q=${encodeURIComponent(project)}`);
    await expect(page.locator("form[data-bulk]")).toHaveCount(0);
    await createToken(page, { name: `${project} a` });
    await page.goto(`/settings/api-tokens?status=active&q=${encodeURIComponent(project)}`);
    const bar = page.locator("form[data-bulk]");
    await expect(bar.getByLabel("Days")).toBeVisible();
    await expect(bar.getByLabel("Scope to add or remove")).toBeVisible();
    const first = page.locator("input[name=tokens]").first();
    await first.check();
    await bar.getByLabel("Action").selectOption("extend");
    await bar.getByLabel("Days").selectOption("30");
    await bar.getByRole("button", { name: "Review…" }).click();
    await expect(page.getByRole("heading", { name: "Extend the expiry by 30 days: 1 token?" })).toBeVisible();
    await page.getByRole("link", { name: "Cancel" }).click();
    await expect(page).toHaveURL(/status=active/);
  });
});
