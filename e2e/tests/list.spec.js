const { test, expect, unique, createToken, shoot, expectAccessible } = require("../support/fixtures");

test("filters and sorting work from the page and live in the address", async ({ page }) => {
  const tag = unique("zq");
  const names = [`${tag} alpha feed`, `${tag} beta feed`, `${tag} gamma sync`];
  await createToken(page, { name: names[0], scope: "Production", duration: "90d" });
  await createToken(page, { name: names[1], scope: "Staging", duration: "7d" });
  await createToken(page, { name: names[2], scope: "Staging", duration: "unlimited" });
  // Retrying assertions: each waits for the page the click loads.
  const rows = page.locator(".token-name");

  await page.goto("/settings/api-tokens");
  await page.getByLabel("Search by name").fill(`${tag.toUpperCase()} feed`);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect.poll(async () => (await rows.allTextContents()).sort()).toEqual([names[0], names[1]]);
  await expect(page).toHaveURL(/q=/);

  await page.getByLabel("Scope").selectOption({ label: "Staging" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(rows).toHaveText([names[1]]);

  await page.goto(`/settings/api-tokens?q=${encodeURIComponent(tag)}`);
  await page.getByRole("link", { name: "Expires" }).click();
  await expect(rows).toHaveText([names[1], names[0], names[2]]);
  await expect(page.getByRole("columnheader", { name: "Expires" })).toHaveAttribute("aria-sort", "ascending");
  await page.getByRole("link", { name: "Expires" }).click();
  await expect(rows).toHaveText([names[2], names[0], names[1]]);
  await page.getByRole("link", { name: "API token", exact: true }).click();
  await expect(rows).toHaveText(names);
  await shoot(page, "token-list");
  await expectAccessible(page, "token list");

  // The view is a link: opening it again shows the same.
  const bookmarked = page.url();
  await page.goto("/settings/api-tokens");
  await page.goto(bookmarked);
  await expect(rows).toHaveText(names);

  await page.getByLabel("Search by GUID").fill("ffffffff-ffff");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("No tokens match these filters")).toBeVisible();
  await shoot(page, "token-list-empty");
  await page.getByRole("link", { name: "Clear filters" }).first().click();
  await expect(page).toHaveURL(/\/settings\/api-tokens$/);
});
