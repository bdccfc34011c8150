const { test, expect, PASSWORD, unique, createToken, shoot, expectAccessible } = require("../support/fixtures");

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

test("the details page: tabs, copying the GUID and endpoint, show and hide", async ({ page }) => {
  const name = unique("Details");
  const { secret, guid } = await createToken(page, { name, type: "custom", permissions: ["Read on Orders"] });
  await page.goto("/settings/api-tokens");
  // Copy the GUID from the list.
  await page.getByRole("button", { name: `Copy the GUID of ${name}` }).click();
  await expect(page.locator("#toast")).toHaveText("GUID copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(guid);

  await page.getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/settings/api-tokens/${guid}$`));
  await expect(page.getByRole("navigation", { name: "Token sections" }).getByRole("link", { name: "General" })).toHaveAttribute("aria-current", "page");
  // General holds the usage figures, and the changes that stop the token apart,
  // each with one sentence; the header keeps the everyday ones.
  const usage = page.getByRole("region", { name: /Usage/ });
  await expect(usage.getByRole("term")).toHaveText(["Requests", "Allowed", "Refused"]);
  await expect(usage.getByRole("definition").first()).toHaveText("0");
  const danger = page.getByRole("region", { name: "Danger zone" });
  await expect(danger.getByRole("heading", { level: 3 })).toHaveText(["Disable this token", "Revoke this token", "Delete this token"]);
  await expect(danger.locator(".danger-row p")).toHaveCount(3);
  await expect(page.locator(".header-actions").getByText(/Disable|Revoke|Delete/)).toHaveCount(0);
  await shoot(page, "token-general");
  await expectAccessible(page, "token general");

  await page.getByRole("button", { name: "Copy the API endpoint" }).click();
  await expect(page.locator("#toast")).toHaveText("API endpoint copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/verify$/);
  await page.getByRole("button", { name: "Copy the token GUID" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(guid);

  // Show the value again: the password first, then the value, hidden again by itself.
  await page.clock.install();
  const value = page.locator("#token-value");
  await expect(value).toHaveText(`tsr_…${secret.slice(-4)}`);
  await page.getByRole("button", { name: "Show the token" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm your password" });
  await expect(dialog).toBeVisible();
  await shoot(page, "token-confirm-password");
  await dialog.getByLabel("Your password").fill("not my password");
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog.getByText("That is not your password.")).toBeVisible();
  await dialog.getByLabel("Your password").fill(PASSWORD);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(value).toHaveText(secret);
  await expect(page.getByRole("button", { name: "Hide the token" })).toHaveAttribute("aria-pressed", "true");
  await shoot(page, "token-value-shown");
  await page.getByRole("button", { name: "Hide the token" }).click();
  await expect(value).toHaveText(`tsr_…${secret.slice(-4)}`);

  // Copy: no password again within five minutes.
  await page.getByRole("button", { name: "Copy the token value" }).click();
  await expect(page.locator("#toast")).toHaveText("API token copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await page.getByRole("button", { name: "Show the token" }).click();
  await expect(value).toHaveText(secret);
  await page.clock.runFor(31_000);
  await expect(value).toHaveText(`tsr_…${secret.slice(-4)}`);
  await expect(page.locator("#toast")).toHaveText("The token is hidden again.");

  await page.goto("/settings/audit-log");
  await expect(page.getByRole("cell", { name: "Showed token value" }).first()).toBeVisible();
  await page.goto(`/settings/api-tokens/${guid}`);

  await page.getByRole("navigation", { name: "Token sections" }).getByRole("link", { name: "Modules" }).click();
  await expect(page.getByRole("navigation", { name: "Token sections" }).getByRole("link", { name: "Modules" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("row", { name: /Orders/ })).toContainText("✓");
  await shoot(page, "token-modules");
  await expectAccessible(page, "token modules");

  await page.getByRole("navigation", { name: "Token sections" }).getByRole("link", { name: "Details" }).click();
  await expect(page.getByText("Created token")).toBeVisible();
  await shoot(page, "token-details");
  await expectAccessible(page, "token details");
});

test("a 100-character name without spaces wraps in the details header and the dialogs", async ({ page }) => {
  const name = `${"W".repeat(90)}${Date.now().toString(36).slice(-10).padStart(10, "0")}`;
  const { guid } = await createToken(page, { name });
  for (const [width, height] of [[1366, 768], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await page.goto(`/settings/api-tokens/${guid}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `details at ${width} px`).toBeLessThanOrEqual(0);
    await page.getByRole("link", { name: "Revoke" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(name);
    const fits = await dialog.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= window.innerWidth);
    expect(fits, `the dialog at ${width} px`).toBe(true);
    await dialog.getByRole("button", { name: "Cancel" }).click();
  }
  await page.goto(`/settings/api-tokens/${guid}/revoke`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, "the confirmation page on a phone").toBeLessThanOrEqual(0);
  await shoot(page, "confirm-long-name");
});
