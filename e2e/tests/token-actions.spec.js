const { test, expect, unique, createToken, shoot, expectAccessible } = require("../support/fixtures");

test("regenerate through its dialog shows a new secret once", async ({ page }) => {
  const name = unique("Regenerate");
  const { secret, guid } = await createToken(page, { name });
  await page.goto(`/settings/api-tokens/${guid}`);
  const opener = page.getByRole("link", { name: "Regenerate" });
  await opener.click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("heading")).toHaveText(`Regenerate ${name}?`);
  await dialog.getByLabel("Keep the current secret working for").selectOption("24h");
  await shoot(page, "dialog-regenerate");
  await expectAccessible(page, "regenerate dialog");
  await dialog.getByRole("button", { name: "Regenerate" }).click();
  await expect(page.getByText("Token regenerated")).toBeVisible();
  await expect(page.getByText("The previous secret keeps working until")).toBeVisible();
  const fresh = await page.locator("#secret").inputValue();
  expect(fresh).not.toBe(secret);
  expect(fresh).toMatch(/^tsr_/);
});

test("dialogs keep focus inside, close with Escape and give focus back", async ({ page }) => {
  const { guid } = await createToken(page, { name: unique("Keyboard") });
  await page.goto(`/settings/api-tokens/${guid}`);
  const opener = page.getByRole("link", { name: "Delete" });
  await opener.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    const inside = await page.evaluate(() => !!document.activeElement.closest("dialog") || document.activeElement === document.body);
    expect(inside, "focus stays in the dialog").toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
  await expect(page.locator("h1 .badge")).toHaveText("Active");
});

test("disable, enable, revoke and delete, as the seed documents describe", async ({ page }) => {
  const name = unique("Lifecycle");
  const { guid } = await createToken(page, { name, duration: "unlimited" });
  await page.goto(`/settings/api-tokens/${guid}`);

  await page.getByRole("button", { name: "Disable" }).click();
  await expect(page.getByText(`Disabled ${name}.`)).toBeVisible();
  await expect(page.locator("h1 .badge")).toHaveText("Disabled");
  await expect(page.getByRole("button", { name: "Revoke" })).toBeDisabled();

  await page.getByRole("button", { name: "Enable" }).click();
  await expect(page.locator("h1 .badge")).toHaveText("Active");

  await page.getByRole("link", { name: "Revoke" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("The token stops working now, for good.");
  await shoot(page, "dialog-revoke");
  await dialog.getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByText(`Revoked ${name}.`)).toBeVisible();
  await expect(page.locator("h1 .badge")).toHaveText("Revoked");
  await expect(page.getByRole("link", { name: "Edit" })).toHaveCount(0);

  await page.getByRole("link", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete token" }).click();
  await expect(page).toHaveURL(/\/settings\/api-tokens$/);
  await expect(page.getByText(`Deleted ${name}.`)).toBeVisible();
  await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);

  await page.getByLabel("Status", { exact: true }).selectOption("deleted");
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("Deleted");
  // Nothing can be done to it any more: no menu of disabled items.
  await expect(page.getByRole("row", { name: new RegExp(name) }).locator("[data-row-menu]")).toHaveCount(0);
});

test("from the list: one menu per row, with unavailable actions disabled and saying why", async ({ page }) => {
  const name = unique("Listed");
  await createToken(page, { name });
  await page.goto(`/settings/api-tokens?q=${encodeURIComponent(name)}`);
  const row = page.getByRole("row", { name: new RegExp(name) });
  const menu = row.getByLabel(`Actions for ${name}`);
  const items = row.locator(".row-menu-items .menu-item");
  await expect(items.first()).toBeHidden();
  await menu.click();
  await expect(items).toHaveText(["Edit", "Disable", "Regenerate", "Revoke", "Delete"]);
  await shoot(page, "token-list-menu");
  await expectAccessible(page, "token list with a menu open");
  // One menu at a time; Escape closes it and gives the focus back.
  await page.keyboard.press("Escape");
  await expect(items.first()).toBeHidden();
  await expect(menu).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(items.first()).toBeVisible();

  await row.getByRole("button", { name: "Disable" }).click();
  await expect(page.getByText(`Disabled ${name}.`)).toBeVisible();
  await expect(page).toHaveURL(/q=/, { timeout: 5000 });
  await menu.click();
  await expect(items).toHaveText([
    "Edit",
    "Enable",
    "Regenerate",
    "RevokeOnly active tokens can be revoked.",
    "Delete",
  ]);
  await expect(row.getByRole("button", { name: /^Revoke/ })).toBeDisabled();
  await row.getByRole("button", { name: "Enable" }).click();
  await menu.click();
  await expect(row.getByRole("link", { name: "Revoke" })).toBeVisible();
  // The menu's confirmations are the same dialogs as everywhere.
  await row.getByRole("link", { name: "Revoke" }).click();
  await expect(page.getByRole("dialog")).toContainText(`Revoke ${name}?`);
  // The menu closes behind the question, and the focus comes back to its button.
  await expect(row.locator("[data-row-menu]")).not.toHaveAttribute("open", "");
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(menu).toBeFocused();
});
