const { test, expect, unique, createToken, dayFromToday, shoot, expectAccessible } = require("../support/fixtures");

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

test("every token type can be created with every duration", async ({ page }) => {
  const durations = [
    ["7d", {}, 7],
    ["30d", {}, 30],
    ["90d", {}, 90],
    ["unlimited", {}, null],
    ["custom", { from: dayFromToday(3), to: dayFromToday(40) }, 40],
  ];
  for (const type of ["read_only", "full_access", "custom"]) {
    for (const [duration, dates, days] of durations) {
      const name = unique(`${type} ${duration}`);
      const permissions = type === "custom" ? ["Read on Orders", "Write on Billing"] : [];
      const { secret, guid } = await createToken(page, { name, type, duration, ...dates, permissions });
      expect(secret).toMatch(/^tsr_[0-9A-Za-z]{46}$/);
      await page.goto(`/settings/api-tokens/${guid}`);
      const summary = page.locator(".token-window");
      if (days === null) {
        await expect(summary).toContainText("with no end");
      } else {
        await expect(summary).toContainText(`to ${dayFromToday(days)}`);
      }
      await expect(page.locator("h1 .badge")).toHaveText(duration === "custom" ? "Scheduled" : "Active");
      if (type === "custom") {
        await page.getByRole("navigation", { name: "Token sections" }).getByRole("link", { name: "Modules" }).click();
        await expect(page.getByRole("row", { name: /Orders/ })).toContainText("✓");
        await expect(page.getByRole("row", { name: /Catalog/ })).not.toContainText("✓");
      }
    }
  }
});

test("the one-time page copies exactly the token, and a reload never shows it again", async ({ page }) => {
  const name = unique("Reveal");
  await page.goto("/settings/api-tokens/new");
  await page.getByLabel("Name", { exact: false }).first().fill(name);
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel("Staging", { exact: true }).check();
  await page.locator("[data-save]").click();
  const secret = await page.locator("#secret").inputValue();
  await shoot(page, "token-reveal");
  await expectAccessible(page, "token reveal");

  // What was made, in words, beside its secret; the secret in a large face that
  // tells 0 from O and 1 from l, in a box that wraps on a phone.
  const summary = page.locator(".reveal-summary");
  await expect(summary).toContainText("Staging");
  await expect(summary).toContainText("Read-only");
  await expect(summary).toContainText(/Expires\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  const face = await page.locator("#secret").evaluate((el) => {
    const style = getComputedStyle(el);
    return { family: style.fontFamily, size: parseFloat(style.fontSize) };
  });
  expect(face.family).toMatch(/Mono/);
  expect(face.size).toBeGreaterThanOrEqual(18);
  await page.setViewportSize({ width: 390, height: 844 });
  const phone = await page.locator("#secret").evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(phone.scroll).toBeLessThanOrEqual(phone.client);
  await page.setViewportSize({ width: 1366, height: 768 });

  const copy = page.getByRole("button", { name: "Copy token" });
  await copy.click();
  await expect(page.locator("#toast")).toHaveText("API token copied to the clipboard.");
  await expect(copy).toContainText("Copied ✓");
  await expect(copy).toContainText("Copy token", { timeout: 5000 });
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

  await page.getByRole("button", { name: "Copy endpoint" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/\/api\/v1\/verify$/);

  // Every example carries the token and the endpoint.
  for (const language of ["curl", "Python", "JavaScript"]) {
    await expect(page.locator(".example", { hasText: language })).toContainText(secret);
  }

  await page.reload();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  expect(await page.content()).not.toContain(secret);
  await page.goBack();
  expect(await page.content()).not.toContain(secret);
});

test("Save says at each field what is missing, and past dates are not offered", async ({ page }) => {
  await page.goto("/settings/api-tokens/new");
  const save = page.locator("[data-save]");
  await expect(save).toBeEnabled();
  await shoot(page, "token-form");
  await expectAccessible(page, "token form");

  // Saving too early stays on the page, with a message at each field to fill in.
  await save.click();
  const summary = page.locator("[data-save-hint]");
  await expect(summary).toHaveText("2 fields need your attention.");
  const name = page.getByLabel("Name", { exact: false }).first();
  await expect(name).toBeFocused();
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Name is required.")).toBeVisible();
  await expect(page.getByText("Choose at least one scope.")).toBeVisible();
  await shoot(page, "token-form-missing");
  await expectAccessible(page, "token form with messages");
  await name.fill(unique("Form"));
  await name.blur();
  await expect(page.getByText("Name is required.")).toBeHidden();
  await expect(page.getByText("Choose at least one scope.")).toBeVisible();
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel("Production", { exact: true }).check();
  await expect(page.getByText("Choose at least one scope.")).toBeHidden();
  await expect(summary).toBeHidden();

  // Custom dates: the pickers start today; a past date or an inverted window is named.
  await page.locator("input[name=duration][value=custom]").check();
  await expect(page.locator("#valid_from")).toBeVisible();
  await expect(page.locator("#valid_from")).toHaveAttribute("min", dayFromToday(0));
  await expect(page.locator("#valid_to")).toHaveAttribute("min", dayFromToday(0));
  await page.locator("#valid_from").fill(dayFromToday(-1));
  await save.click();
  await expect(page.getByText("The start cannot be in the past.")).toBeVisible();
  await page.locator("#valid_from").fill(dayFromToday(10));
  await expect(page.locator("#valid_to")).toHaveAttribute("min", dayFromToday(10));
  await page.locator("#valid_to").fill(dayFromToday(5));
  await save.click();
  await expect(page.getByText("The end must be on or after the start.")).toBeVisible();
  await expect(page.getByText("The start cannot be in the past.")).toBeHidden();
  await page.locator("#valid_to").fill(dayFromToday(20));
  await shoot(page, "token-form-custom-dates");

  // Custom type: the matrix appears, one tick is needed, and a column ticks whole.
  await page.locator("input[name=token_type][value=custom]").check();
  await expect(page.locator("[data-custom-permissions]")).toBeVisible();
  await save.click();
  await expect(page.getByText("Tick at least one module and action.")).toBeVisible();
  const allRead = page.getByLabel("Read on every module", { exact: true });
  await allRead.check();
  await expect(page.getByText("Tick at least one module and action.")).toBeHidden();
  const reads = page.locator('input[name=permissions][value$=":read"]');
  for (const box of await reads.all()) await expect(box).toBeChecked();
  await expect(page.locator('input[name=permissions][value$=":write"]:checked')).toHaveCount(0);
  await page.getByLabel("Read on Catalog", { exact: true }).uncheck();
  expect(await allRead.evaluate((box) => box.indeterminate)).toBe(true);
  await shoot(page, "token-form-matrix");

  // The GUID is under Advanced; a new one without leaving the page.
  await expect(page.locator("#guid")).toBeHidden();
  await page.getByText("Advanced", { exact: true }).click();
  const guid = await page.locator("#guid").inputValue();
  await page.getByRole("button", { name: "Generate a new GUID" }).click();
  await expect(page.locator("#guid")).not.toHaveValue(guid);
});

test("the server checks again and keeps what was typed", async ({ page }) => {
  await page.goto("/settings/api-tokens/new");
  // Past the page's own checks, as a script or an old browser would send it.
  await page.getByLabel("Description").fill("Kept as typed");
  await page.locator("[data-token-form]").evaluate((form) => form.submit());
  await expect(page.getByText("Name is required.")).toBeVisible();
  await expect(page.getByText("Choose at least one scope.")).toBeVisible();
  await expect(page.getByLabel("Description")).toHaveValue("Kept as typed");
  const name = page.getByLabel("Name", { exact: false }).first();
  await expect(name).toBeFocused();
  await expect(name).toHaveAttribute("aria-invalid", "true");
  for (const scope of await page.locator("input[name=scopes]").all()) {
    await expect(scope).toHaveAttribute("aria-invalid", "true");
  }
  await expect(page.getByLabel("Description")).not.toHaveAttribute("aria-invalid", /.*/);
  await shoot(page, "token-form-errors");
  await expectAccessible(page, "token form with errors");

  // Dates in the past: both date fields are marked, and say why.
  await name.fill(unique("Dates"));
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel("Production", { exact: true }).check();
  await page.locator("input[name=duration][value=custom]").check();
  await page.locator("#valid_from").fill(dayFromToday(-1));
  await page.locator("#valid_to").fill(dayFromToday(-2));
  await page.locator("[data-token-form]").evaluate((form) => form.submit());
  await expect(page.getByText("The start cannot be in the past.")).toBeVisible();
  await expect(page.locator("#valid_from")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#valid_to")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#valid_to")).toHaveAttribute("aria-describedby", /valid_to-error/);
  await expect(page.locator("input[name=scopes]").first()).not.toHaveAttribute("aria-invalid", /.*/);
  await expectAccessible(page, "token form with date errors");
});

test("Enter in a field saves the token, and never makes a new GUID", async ({ page }) => {
  await page.goto("/settings/api-tokens/new");
  const guid = await page.locator("#guid").inputValue();
  const name = unique("Enter");
  const field = page.getByLabel("Name", { exact: false }).first();
  await field.fill(name);
  // Not valid yet: Enter saves nothing and changes nothing.
  await field.press("Enter");
  await expect(page.getByText("Choose at least one scope.")).toBeVisible();
  await expect(page.locator("#guid")).toHaveValue(guid);
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel("Production", { exact: true }).check();
  await field.press("Enter");
  await expect(page.locator("#secret")).toBeVisible();
  // Saved with the GUID the form showed.
  await page.goto(`/settings/api-tokens/${guid}`);
  await expect(page.getByRole("heading", { name })).toBeVisible();
});

test("leaving the one-time page before copying the token asks first", async ({ page }) => {
  await page.goto("/settings/api-tokens/new");
  await page.getByLabel("Name", { exact: false }).first().fill(unique("Leave"));
  await page.locator("fieldset", { hasText: "Scopes" }).getByLabel("Staging", { exact: true }).check();
  await page.locator("[data-save]").click();
  await expect(page.getByRole("heading", { name: "Copy your API token now" })).toBeVisible();

  const asked = [];
  page.on("dialog", async (dialog) => {
    asked.push(dialog.type());
    await dialog.dismiss();
  });
  await page.getByRole("link", { name: "Back to API tokens" }).click();
  await expect.poll(() => asked).toEqual(["beforeunload"]);
  await expect(page.getByRole("heading", { name: "Copy your API token now" })).toBeVisible();

  await page.getByRole("button", { name: "Copy token" }).click();
  await page.getByRole("link", { name: "Back to API tokens" }).click();
  await expect(page).toHaveURL(/\/settings\/api-tokens$/);
  expect(asked).toEqual(["beforeunload"]);
});
