const { test, expect, unique, createToken, dayFromToday, shoot, expectAccessible } = require("../support/fixtures");

test("filters and sorting work from the page and live in the address", async ({ page }) => {
  const tag = unique("zq");
  const names = [`${tag} alpha feed`, `${tag} beta feed`, `${tag} gamma sync`];
  await createToken(page, { name: names[0], scope: "Production", duration: "90d" });
  await createToken(page, { name: names[1], scope: "Staging", duration: "7d" });
  await createToken(page, { name: names[2], scope: "Staging", duration: "unlimited" });
  // Retrying assertions: each waits for the page the click loads.
  const rows = page.locator(".token-name");

  await page.goto("/settings/api-tokens");
  // With the script, filters apply as they change: no Apply button.
  await expect(page.getByRole("button", { name: "Apply" })).toBeHidden();
  const search = page.getByLabel("Search by name or GUID");
  await search.fill(`${tag.toUpperCase()} feed`);
  await search.press("Enter");
  await expect.poll(async () => (await rows.allTextContents()).sort()).toEqual([names[0], names[1]]);
  await expect(page).toHaveURL(/q=/);

  await page.getByLabel("Scope", { exact: true }).selectOption({ label: "Scope: Staging" });
  await expect(rows).toHaveText([names[1]]);
  // Each filter in force is a chip that takes itself away, and only itself.
  const chips = page.locator(".active-filters .filter-chip");
  await expect(chips).toHaveText([/^Search: .* feed/, /^Scope: Staging/]);
  await chips.filter({ hasText: "Scope: Staging" }).click();
  await expect.poll(async () => (await rows.allTextContents()).sort()).toEqual([names[0], names[1]]);
  await expect(page.getByLabel("Scope", { exact: true })).toHaveValue("");
  await expect(page.getByLabel("Search by name or GUID")).toHaveValue(new RegExp(`^${tag} feed$`, "i"));

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

  // The same box finds a GUID by its beginning.
  const { guid } = await page.evaluate(() => ({ guid: document.querySelector(".token-table [data-copy]").dataset.copy }));
  await page.goto(`/settings/api-tokens?q=${guid.slice(0, 8).toUpperCase()}`);
  await expect(rows).toHaveCount(1);
  await expect(page.getByLabel("Search by name or GUID")).toHaveValue(guid.slice(0, 8).toUpperCase());
  await page.getByLabel("Search by name or GUID").fill("ffffffff-ffff");
  await page.getByLabel("Search by name or GUID").blur();
  await expect(page.getByText("No tokens match these filters")).toBeVisible();
  await shoot(page, "token-list-empty");
  await page.getByRole("link", { name: "Clear filters" }).first().click();
  await expect(page).toHaveURL(/\/settings\/api-tokens$/);
});

test("one line per token: short GUIDs, relative dates with exact times, nothing wider than the window", async ({ page }) => {
  const long = `${"N".repeat(90)}${Date.now().toString(36).slice(-10).padStart(10, "0")}`;
  const { guid } = await createToken(page, { name: long, duration: "7d" });
  for (let i = 0; i < 12; i++) await createToken(page, { name: unique("Row") });
  // The longest status label.
  await createToken(page, { name: unique("Later"), duration: "custom", from: dayFromToday(3), to: dayFromToday(40) });
  await page.goto("/settings/api-tokens");

  const row = page.getByRole("row", { name: new RegExp(long) });
  await expect(row.locator(".token-name")).toHaveAttribute("title", long);
  await expect(row.locator("code.guid")).toHaveText(`GUID begins ${guid.slice(0, 8)}`);
  await expect(row.locator("code.guid")).toHaveAttribute("title", guid);
  await expect(row.locator("[data-copy]")).toHaveAttribute("data-copy", guid);
  const created = row.locator("td.col-created time");
  await expect(created).toHaveText(/^(just now|\d+ min ago)$/);
  await expect(created).toHaveAttribute("title", /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  await expect(created).toHaveAttribute("datetime", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  // Ending within a week: the end date is a warning badge, and says so.
  const expires = row.locator("td.col-expires .badge-warning");
  await expect(expires).toHaveText(/Expires soon: in (6 days|1 week)/);

  for (const [width, height] of [[1024, 768], [1280, 800], [1366, 768], [1920, 1080], [390, 844]]) {
    await page.setViewportSize({ width, height });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `no sideways scrolling at ${width} px`).toBeLessThanOrEqual(0);
    const clipped = await page.evaluate(() =>
      [...document.querySelectorAll("td.col-status")].filter((cell) => cell.scrollWidth > cell.clientWidth).map((cell) => cell.textContent.trim()),
    );
    expect(clipped, `whole status badges at ${width} px`).toEqual([]);
  }

  // A laptop screen shows at least 12 tokens at once, one line each.
  await page.setViewportSize({ width: 1366, height: 768 });
  const fit = await page.evaluate(() => {
    const header = document.querySelector(".topbar").getBoundingClientRect().height;
    const table = document.querySelector(".token-table");
    window.scrollTo(0, table.getBoundingClientRect().top + window.scrollY - header);
    const rows = [...table.querySelectorAll("tbody tr")].map((r) => r.getBoundingClientRect());
    return {
      visible: rows.filter((r) => r.top >= header && r.bottom <= window.innerHeight).length,
      heights: rows.map((r) => Math.round(r.height)),
    };
  });
  expect(fit.visible).toBeGreaterThanOrEqual(12);
  // Unscrolled, the first screen is for tokens: ten rows at least under the title,
  // notices, filters and bulk bar; sorting is by the column headers alone.
  await page.evaluate(() => window.scrollTo(0, 0));
  const firstScreen = await page.evaluate(() =>
    [...document.querySelectorAll(".token-table tbody tr")].filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight).length,
  );
  expect(firstScreen).toBeGreaterThanOrEqual(10);
  await expect(page.getByLabel("Sort by")).toBeHidden();
  // What the keyboard focuses scrolls clear of the sticky header.
  const clearance = await page.evaluate(() => ({
    padding: parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop),
    header: document.querySelector(".topbar").getBoundingClientRect().height,
  }));
  expect(clearance.padding).toBeGreaterThan(clearance.header);
  for (const height of fit.heights) expect(height).toBeLessThanOrEqual(52);
  await shoot(page, "token-list-dense");
  await expectAccessible(page, "dense token list");

  // The page size: the count says where the page stands.
  await expect(page.locator("p.result-count")).toHaveText(/^(1–25 of )?\d+ tokens/);
  await page.getByLabel("Tokens per page").selectOption("50");
  await expect(page).toHaveURL(/per_page=50/);
  await expect(page.locator("p.result-count")).toHaveText(/^(1–50 of )?\d+ tokens/);

  // A phone: filters folded behind their button, the first token on the first screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  const fold = page.getByText("Filters", { exact: true });
  await expect(fold).toBeVisible();
  await expect(page.getByLabel("Search by name or GUID")).toBeHidden();
  const first = await page.locator("tbody tr").first().boundingBox();
  expect(first.y + first.height).toBeLessThanOrEqual(844);
  // Every button, menu, field and section link is a target of 44 px at least.
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("main button, main summary, main select, main input, main .button, .sidenav a")]
      .filter((el) => el.getClientRects().length > 0 && el.type !== "hidden" && el.type !== "checkbox")
      .map((el) => ({ what: el.getAttribute("aria-label") || el.textContent.trim().slice(0, 30), box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && Math.min(box.width, box.height) < 44)
      .map(({ what, box }) => `${what}: ${Math.round(box.width)}×${Math.round(box.height)}`),
  );
  expect(small).toEqual([]);
  await fold.click();
  await expect(page.getByLabel("Search by name or GUID")).toBeVisible();
  // Cards have no column headers: a phone sorts with the selects.
  await expect(page.getByLabel("Sort by")).toBeVisible();
  await page.getByLabel("Status", { exact: true }).selectOption("active");
  await expect(page).toHaveURL(/status=active/);
  await expect(page.getByText("Filters (1)")).toBeVisible();
  await expectAccessible(page, "token list on a phone");
});

test("an administrator chooses the columns, and the browser remembers", async ({ page }) => {
  await createToken(page, { name: unique("Columns") });
  await page.goto("/settings/api-tokens");
  const modules = page.getByRole("columnheader", { name: "Modules" });
  await expect(modules).toBeVisible();
  // "/" goes to the search, as on many lists.
  await page.keyboard.press("/");
  await expect(page.locator("#filter-q")).toBeFocused();
  await page.locator("#filter-q").blur();
  await page.getByLabel("Columns", { exact: true }).click();
  // At 1366 pixels there is no room for descriptions: chosen, but not ticked as shown.
  const description = page.getByRole("checkbox", { name: "Description" });
  expect(await description.evaluate((box) => box.indeterminate)).toBe(true);
  expect(await page.getByRole("checkbox", { name: "Modules" }).evaluate((box) => box.indeterminate)).toBe(false);
  await page.getByRole("checkbox", { name: "Modules" }).uncheck();
  await expect(modules).toBeHidden();
  await expect(page.locator("td.col-modules").first()).toBeHidden();
  await shoot(page, "token-list-columns");
  await expectAccessible(page, "token list column chooser");

  await page.reload();
  await expect(modules).toBeHidden();
  await page.getByLabel("Columns", { exact: true }).click();
  await expect(page.getByRole("checkbox", { name: "Modules" })).not.toBeChecked();
  await page.getByRole("checkbox", { name: "Modules" }).check();
  await expect(modules).toBeVisible();
  await page.reload();
  await expect(modules).toBeVisible();
});

test("a token in several scopes shows the first and how many more, the whole list on hover and focus", async ({ page }) => {
  const name = unique("Three scopes");
  await page.goto("/settings/api-tokens/new");
  await page.getByLabel("Name", { exact: false }).first().fill(name);
  const scopes = page.locator("fieldset", { hasText: "Scopes" });
  for (const scope of ["Production", "Staging", "Development"]) await scopes.getByLabel(scope, { exact: true }).check();
  await page.locator("[data-save]").click();
  await expect(page.getByRole("heading", { name: "Copy your API token now" })).toBeVisible();

  await page.goto(`/settings/api-tokens?q=${encodeURIComponent(name)}`);
  const cell = page.locator("tbody tr td.col-scopes");
  await expect(cell.locator(".name-first")).toHaveText("Development");
  const more = cell.locator(".more-chip");
  await expect(more).toContainText("+2");
  // Nothing of it is cut: the name and the count fit their cell.
  const cut = await cell.evaluate((td) => {
    const first = td.querySelector(".name-first");
    const chip = td.querySelector(".more-chip").getBoundingClientRect();
    return first.scrollWidth > first.clientWidth || chip.right > td.getBoundingClientRect().right;
  });
  expect(cut).toBe(false);
  await more.focus();
  const tip = await more.evaluate((chip) => getComputedStyle(chip, "::after").content);
  expect(tip).toBe('"Development, Production, Staging"');
  await shoot(page, "token-list-scopes");
  await expectAccessible(page, "token list with a list of scopes");
});
