// The break-glass path in Chromium: a one-time sign-in link made with the command
// line fills its code in from the address's fragment (never sent to the server),
// clears it from the address bar, and signs in once.
const { execFileSync } = require("node:child_process");
const path = require("node:path");
const { test, expect, shoot, expectAccessible } = require("../support/fixtures");
const { state } = require("../support/state");

test.use({ storageState: undefined });

function signInLink(email) {
  const { dir, baseURL } = state();
  const binary = process.env.TESSERA_BIN || path.resolve(__dirname, "../../target/debug/tessera");
  const output = execFileSync(binary, ["admin", "sign-in-link", "--email", email], {
    env: {
      PATH: process.env.PATH,
      TESSERA_DATABASE_URL: path.join(dir, "tessera.db"),
      TESSERA_PUBLIC_URL: baseURL,
      TESSERA_LOG: "warn",
    },
  });
  return String(output).match(/(http\S+\/login\/link#\S+)/)[1];
}

test("a one-time sign-in link fills itself in and works once", async ({ page }) => {
  const link = signInLink("ada@example.com");
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "One-time sign-in" })).toBeVisible();
  await expect(page.getByLabel("Sign-in code")).toHaveValue(link.split("#")[1]);
  expect(page.url()).not.toContain("#");
  await shoot(page, "sign-in-link");
  await expectAccessible(page, "one-time sign-in");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/api-tokens$/);

  // Spent: the same link again is refused.
  const again = await page.context().browser().newContext({ baseURL: state().baseURL });
  const other = await again.newPage();
  await other.goto(link);
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByRole("alert")).toContainText("does not work");
  await again.close();
});
