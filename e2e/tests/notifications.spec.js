// Settings > Notifications and the expiry emails of My profile.
const { test, expect, shoot, expectAccessible, createToken, dayFromToday, unique } = require("../support/fixtures");

test("an administrator sets when expiry warnings go out and which emails they get", async ({ page }) => {
  await page.goto("/settings");
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Notifications" }).click();
  await expect(page.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();
  await expect(page.getByText("Mail is not set up")).toBeVisible();

  await page.getByLabel(/Lead times/).fill("0");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#lead_days-error")).toContainText("1 to 365");
  await expectAccessible(page, "notifications-errors");
  await page.getByLabel(/Lead times/).fill("14, 3");
  await page.getByLabel(/Hour of the daily run/).selectOption("06");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("The notification settings were saved.")).toBeVisible();
  await expect(page.getByLabel(/Lead times/)).toHaveValue("14, 3");
  await shoot(page, "notifications");
  await expectAccessible(page, "notifications");
  // Back to the defaults, for the other tests.
  await page.getByLabel(/Lead times/).fill("30, 7, 1");
  await page.getByLabel(/Hour of the daily run/).selectOption("08");
  await page.getByRole("button", { name: "Save" }).click();

  await page.goto("/profile");
  const own = page.getByLabel("Tokens I created");
  await expect(own).toBeChecked();
  await page.getByLabel("Every token of my scopes").check();
  await page.getByRole("button", { name: "Save email settings" }).click();
  await expect(page.getByText("Your expiry email settings were saved.")).toBeVisible();
  await expect(page.getByLabel("Every token of my scopes")).toBeChecked();
  await shoot(page, "profile-expiry-emails");

  // A token ending in three days: the list says so and its link lists it.
  const name = unique("ends soon");
  await createToken(page, { name, duration: "custom", to: dayFromToday(3) });
  await page.goto("/settings/api-tokens");
  const notice = page.locator(".expiring-notice");
  await expect(notice).toContainText(/expires? within 7 days/);
  await notice.getByRole("link", { name: "Show them" }).click();
  await expect(page.locator("#filter-expiring")).toHaveValue("7");
  await expect(page.locator("a.token-name", { hasText: name })).toBeVisible();
  await shoot(page, "tokens-expiring");
  await expectAccessible(page, "tokens-expiring");
});
