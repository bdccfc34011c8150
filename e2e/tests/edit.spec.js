const { test, expect, unique, createToken, shoot, expectAccessible } = require("../support/fixtures");

test("an edit saves; a second edit of the same version gets a conflict and overwrites nothing", async ({ page, browser, baseURL }) => {
  const name = unique("Edited");
  const { guid } = await createToken(page, { name });
  await page.goto(`/settings/api-tokens/${guid}/edit`);
  await shoot(page, "token-edit");
  await expectAccessible(page, "token edit");

  // A second administrator's tab opens the same version.
  const other = await browser.newContext({ baseURL, storageState: await page.context().storageState() });
  const theirs = await other.newPage();
  await theirs.goto(`/settings/api-tokens/${guid}/edit`);

  await page.getByLabel("Name", { exact: false }).first().fill(`${name} mine`);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(`Saved the changes to ${name} mine.`)).toBeVisible();

  await theirs.getByLabel("Name", { exact: false }).first().fill(`${name} theirs`);
  await theirs.getByRole("button", { name: "Save changes" }).click();
  await expect(theirs.getByRole("alert").first()).toContainText("Someone else saved changes to this token while you were editing");
  await expect(theirs.getByLabel("Name", { exact: false }).first()).toHaveValue(`${name} theirs`);
  await shoot(theirs, "token-edit-conflict");

  await page.goto(`/settings/api-tokens/${guid}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`${name} mine`);
  await other.close();
});
