// Settings > Webhooks: a receiver that checks every message with the Standard
// Webhooks reference library, the one-time secret, a test event, the delivery log,
// redelivery, and the token events themselves.
const http = require("node:http");
const { Webhook } = require("standardwebhooks");
const { test, expect, unique, shoot, expectAccessible, createToken } = require("../support/fixtures");

/** An HTTP receiver on a free port that keeps every message. */
async function startReceiver() {
  const messages = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      messages.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hooks`, messages, close: () => server.close() };
}

/** The messages of `type`, once `count` of them arrived, each verified with `secret`. */
async function verified(receiver, secret, type, count = 1) {
  const webhook = new Webhook(secret);
  const ofType = () => receiver.messages.filter((m) => JSON.parse(m.body).type === type);
  await expect.poll(() => ofType().length, { timeout: 15_000 }).toBeGreaterThanOrEqual(count);
  // `verify` throws unless a signature matches and the timestamp is recent.
  return ofType().map((m) => ({ ...m, payload: webhook.verify(m.body, m.headers) }));
}

test("an administrator adds a webhook, tests it, reads its log, redelivers, and hears of token changes", async ({ page }) => {
  const receiver = await startReceiver();
  const description = unique("Secrets manager");
  await page.goto("/settings/webhooks");
  await page.getByRole("link", { name: "Add webhook" }).click();
  await page.getByLabel("URL").fill(receiver.url);
  await page.getByLabel("Description").fill(description);
  await expect(page.getByLabel(/Token revoked/)).toBeChecked();
  await shoot(page, "webhook-new");
  await expectAccessible(page, "webhook-new");
  await page.getByRole("button", { name: "Add webhook" }).click();

  await expect(page.getByRole("heading", { name: "Copy the signing secret now" })).toBeVisible();
  const secret = await page.locator("#secret").inputValue();
  expect(secret).toMatch(/^whsec_/);
  await shoot(page, "webhook-secret");
  await expectAccessible(page, "webhook-secret");
  await page.getByRole("link", { name: /I have copied it/ }).click();

  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByText("A test event is on its way")).toBeVisible();
  const [test] = await verified(receiver, secret, "webhook.test");
  expect(test.payload.type).toBe("webhook.test");
  await expect.poll(async () => {
    await page.reload();
    return page.locator("td[data-label=Status]").first().innerText();
  }, { timeout: 15_000 }).toContain("Delivered");
  await shoot(page, "webhook");
  await expectAccessible(page, "webhook");

  // Redelivered: the same message again, for the receiver to deduplicate.
  await page.getByRole("button", { name: /^Redeliver/ }).first().click();
  const again = await verified(receiver, secret, "webhook.test", 2);
  expect(again[1].headers["webhook-id"]).toBe(again[0].headers["webhook-id"]);

  // A token created and revoked in the app: both told, signed, with no secret.
  const name = unique("hooked");
  const token = await createToken(page, { name });
  const [created] = await verified(receiver, secret, "token.created");
  expect(created.payload.data.token.name).toBe(name);
  expect(created.body).not.toContain(token.secret.slice(4));
  await page.goto(`/settings/api-tokens/${token.guid}/revoke`);
  await page.getByRole("button", { name: /Revoke/ }).last().click();
  const [revoked] = await verified(receiver, secret, "token.revoked");
  expect(revoked.payload.data.token.status).toBe("revoked");

  // Each delivery opens to what was sent and what came back; the token by name.
  await page.goto("/settings/webhooks");
  const row = page.locator("tr", { hasText: description });
  await expect(row).toContainText("Enabled");
  // The list says how the newest delivery went.
  await expect(row.locator("td[data-label='Last delivery']")).toContainText(/Delivered|Queued|Retrying/);
  await shoot(page, "webhooks");
  await row.getByRole("link").first().click();
  await expect.poll(async () => {
    await page.reload();
    return page.locator(".delivery-token").first().innerText();
  }, { timeout: 15_000 }).toBe(name);
  const details = page.locator(".delivery-details").first();
  await details.locator("summary").click();
  await expect(details.locator("pre").first()).toContainText(`"name": "${name}"`);
  await expect(details.locator(".header-list")).toContainText("webhook-id");
  await shoot(page, "webhook-delivery");
  await expectAccessible(page, "webhook delivery details");
  await page.goto("/settings/webhooks");
  await expectAccessible(page, "webhooks");
  receiver.close();
});
