const { test, expect, unique, createToken, shoot, expectAccessible } = require("../support/fixtures");

test("a token's Usage tab counts every request, by outcome over time and by module", async ({ page, request }) => {
  const name = unique("Usage");
  const { secret, guid } = await createToken(page, { name, type: "custom", permissions: ["Read on Orders"] });
  const verify = (query) => request.get(`/api/v1/verify${query}`, { headers: { authorization: `Bearer ${secret}` } });
  for (let i = 0; i < 12; i++) expect((await verify("?module=orders&action=read")).status()).toBe(200);
  for (let i = 0; i < 3; i++) expect((await verify("?module=orders&action=write")).status()).toBe(403);
  for (let i = 0; i < 2; i++) expect((await verify("")).status()).toBe(200);

  await page.goto(`/settings/api-tokens/${guid}`);
  await page.getByRole("navigation", { name: "Token sections" }).getByRole("link", { name: "Usage" }).click();
  await expect(page).toHaveURL(new RegExp(`/settings/api-tokens/${guid}/usage`));
  const totals = page.locator(".usage-totals");
  // The counts are written a second after the requests.
  await expect(async () => {
    await page.reload();
    await expect(totals.getByText("17", { exact: true })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(totals.locator("div", { hasText: "Allowed" }).locator("dd")).toHaveText("14");
  await expect(totals.locator("div", { hasText: "Refused" }).locator("dd")).toHaveText("3");
  const legend = page.locator(".chart-legend");
  await expect(legend.getByText("Allowed")).toContainText("14");
  await expect(legend.getByText("Insufficient permissions")).toContainText("3");
  const byModule = page.getByRole("table", { name: "Allowed requests by module and action" });
  await expect(byModule.getByRole("row").nth(1)).toContainText(/orders\s*Read\s*12/);

  // Each bar says its numbers; the arrow keys move between bars.
  const bars = page.locator(".chart-bar");
  await expect(bars).toHaveCount(168);
  const readout = page.locator("[data-chart-readout]");
  const last = bars.last();
  await last.focus();
  await expect(readout).toHaveText((await last.getAttribute("aria-label")) || "");
  await page.keyboard.press("ArrowLeft");
  await expect(bars.nth(166)).toBeFocused();
  await expect(readout).toHaveText((await bars.nth(166).getAttribute("aria-label")) || "");
  const labels = await bars.evaluateAll((all) => all.map((b) => b.getAttribute("aria-label")));
  const counted = labels.map((l) => Number((l.match(/: ([\d,]+) requests?/) || [0, "0"])[1].replace(/,/g, "")));
  expect(counted.reduce((a, b) => a + b, 0)).toBe(17);

  // The same numbers as a table.
  await page.getByText("Show the numbers as a table").click();
  // Only the hours with requests: one, or two should an hour begin meanwhile.
  const rows = page.getByRole("table", { name: /Requests by outcome/ }).locator("tbody tr");
  const hours = labels.filter((l) => !l.endsWith("no requests")).length;
  expect(hours === 1 || hours === 2).toBe(true);
  await expect(rows).toHaveCount(hours);
  await shoot(page, "token-usage");
  await expectAccessible(page, "token usage");

  await page.getByRole("link", { name: "Last 30 days" }).click();
  await expect(page).toHaveURL(/period=30d/);
  await expect(page.getByRole("link", { name: "Last 30 days" })).toHaveAttribute("aria-current", "true");
  await expect(bars).toHaveCount(30);
  await expect(totals.locator("div", { hasText: "Requests" }).locator("dd")).toHaveText("17");
  await shoot(page, "token-usage-30-days");
});
