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

test("Settings > Usage sums the tokens' requests and ranks the busiest and most refused", async ({ page, request }) => {
  const name = unique("Busy");
  const { secret } = await createToken(page, { name, type: "custom", permissions: ["Read on Orders"] });
  const verify = (query, token = secret) =>
    request.get(`/api/v1/verify${query}`, { headers: { authorization: `Bearer ${token}` } });
  // More than any other test sends, so that this token leads both rankings.
  for (let i = 0; i < 60; i++) expect((await verify("?module=orders&action=read")).status()).toBe(200);
  for (let i = 0; i < 40; i++) expect((await verify("?module=orders&action=write")).status()).toBe(403);
  for (let i = 0; i < 3; i++) expect((await verify("", "tsk_no_such_token")).status()).toBe(401);

  await page.goto("/settings/api-tokens");
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Usage" }).click();
  await expect(page).toHaveURL(/\/settings\/usage/);
  await expect(page.getByRole("heading", { name: "Usage", level: 1 })).toBeVisible();
  const busiest = page.getByRole("table", { name: /Busiest tokens/ });
  const refused = page.getByRole("table", { name: /Most refused tokens/ });
  // Counted a second after the requests, ranked every second: until a ranking
  // has seen all of them.
  await expect(async () => {
    await page.reload();
    await expect(busiest.getByRole("row").nth(1)).toContainText(name, { timeout: 500 });
    await expect(busiest.getByRole("row").nth(1)).toContainText(/100\s*40 \(40%\)/, { timeout: 500 });
    await expect(refused.getByRole("row").nth(1)).toContainText(name, { timeout: 500 });
  }).toPass({ timeout: 20_000 });
  const requests = Number((await page.locator(".usage-totals dd").first().textContent()).replace(/,/g, ""));
  expect(requests).toBeGreaterThanOrEqual(100);
  await expect(page.locator("figure.chart").first().locator(".chart-bar")).toHaveCount(168);

  // A Super Admin also sees the unknown tokens, and who sent them.
  await expect(page.getByRole("heading", { name: "Malformed and unknown tokens" })).toBeVisible();
  const addresses = page.getByRole("table", { name: /Addresses that sent the most/ });
  await expect(addresses.getByRole("row").nth(1)).toContainText("127.0.0.1");
  await shoot(page, "usage-overview");
  await expectAccessible(page, "usage overview");

  // The token list shows each token's last 7 days in the Requests column.
  await page.goto(`/settings/api-tokens?q=${encodeURIComponent(name)}`);
  const cell = page.locator(".token-table tbody tr", { hasText: name }).locator(".col-requests");
  await expect(cell).toContainText("100");
  await expect(cell.locator(".sparkline")).toHaveAttribute("aria-label", /^100 requests in the last 7 days/);
  await shoot(page, "token-list-requests");
});
