// A real OpenID provider for the single sign-on tests and for trying single sign-on
// out: the certified oidc-provider package, on loopback, with a sign-in form that
// asks only which account to be.
//
//   node tests/oidc-provider/provider.js [port]
//
// It prints its issuer URL on the first line of its output, and stops when its
// standard input closes (so a test run that ends takes it along) or on a signal.
//
// Clients (each secret is "<client id>-secret"; any loopback port may be redirected to):
//   tessera                  an honest client
//   tessera-wrong-audience   gets ID tokens meant for another client
//   tessera-expired          gets ID tokens that expired an hour ago
// The last two are answered as a provider that is broken or under attack would
// answer: their ID tokens are signed again, with the provider's own key.
//
// Accounts: alice (group tessera-admins), bob (group tessera-viewers), carol
// (an unverified email). `PUT /test/accounts/<id>` with a JSON object of claims
// adds or replaces one.
import http from "node:http";
import { generateKeyPair, exportJWK, decodeJwt, SignJWT, importJWK } from "jose";
import Provider from "oidc-provider";

const accounts = new Map(
  Object.entries({
    alice: { email: "alice@example.com", email_verified: true, name: "Alice Example", groups: ["tessera-admins"] },
    bob: { email: "bob@example.com", email_verified: true, name: "Bob Example", groups: ["tessera-viewers"] },
    carol: { email: "carol@example.com", email_verified: false, name: "Carol Example", groups: ["tessera-admins"] },
  }),
);

const CLIENTS = ["tessera", "tessera-wrong-audience", "tessera-expired"];

// How the two misbehaving clients' ID tokens are changed.
const MISBEHAVIOUR = {
  "tessera-wrong-audience": (claims) => ({ ...claims, aud: "someone-else" }),
  "tessera-expired": (claims) => ({ ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600 }),
};

const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" };
const signingKey = await importJWK(jwk, "RS256");

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(process.argv[2] || 0), "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: CLIENTS.map((id) => ({
    client_id: id,
    client_secret: `${id}-secret`,
    application_type: "native",
    redirect_uris: ["http://127.0.0.1/login/sso/callback", "http://localhost/login/sso/callback"],
    post_logout_redirect_uris: ["http://127.0.0.1/login", "http://localhost/login"],
  })),
  jwks: { keys: [jwk] },
  cookies: { keys: ["a test provider's cookie key"] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
    groups: ["groups"],
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true, logoutSource },
  },
  pkce: { required: () => true },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    if (!accounts.has(id)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts.get(id) }) };
  },
  ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 3600 },
});
provider.proxy = false;

// The logout page signs out without asking (a test has no one to click).
async function logoutSource(ctx, form) {
  ctx.body = `<!doctype html><title>Signing out</title>${form}<script>document.forms[0].submit()</script>`;
}

const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font:16px system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}
input,button{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;margin:.25rem 0 1rem}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readBody(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return body;
}

provider.use(async (ctx, next) => {
  const interaction = ctx.path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (interaction && ctx.method === "GET" && !interaction[2]) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const hint = details.params.login_hint;
    if (details.prompt.name === "consent") {
      return consent(ctx, details);
    }
    if (hint && accounts.has(hint)) {
      return finish(ctx, hint);
    }
    ctx.type = "html";
    ctx.body = page(
      "Test provider",
      `<form method="post" action="/interaction/${escape(details.uid)}/login">
<label for="account">Account</label>
<input id="account" name="account" autocomplete="username" autofocus placeholder="alice, bob or carol">
<button type="submit">Sign in</button></form>`,
    );
    return undefined;
  }
  if (interaction && ctx.method === "POST" && interaction[2]) {
    const account = new URLSearchParams(await readBody(ctx.req)).get("account") || "";
    if (!accounts.has(account)) {
      ctx.status = 400;
      ctx.type = "html";
      ctx.body = page("Test provider", `<p>There is no account ${escape(account)}.</p>`);
      return undefined;
    }
    return finish(ctx, account);
  }
  const account = ctx.path.match(/^\/test\/accounts\/([\w-]+)$/);
  if (account && ctx.method === "PUT") {
    accounts.set(account[1], JSON.parse(await readBody(ctx.req)));
    ctx.status = 204;
    return undefined;
  }
  await next();
  if (ctx.path === "/token" && ctx.status === 200 && ctx.body && ctx.body.id_token) {
    const claims = decodeJwt(ctx.body.id_token);
    const change = MISBEHAVIOUR[claims.aud];
    if (change) {
      ctx.body.id_token = await new SignJWT(change(claims))
        .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
        .sign(signingKey);
    }
  }
  return undefined;
});

async function finish(ctx, accountId) {
  await answer(ctx, { login: { accountId } });
}

// Tessera is a first-party client here: what it asks for is granted without a
// consent screen.
async function consent(ctx, details) {
  const grant = new provider.Grant({ clientId: details.params.client_id, accountId: details.session.accountId });
  grant.addOIDCScope(details.params.scope);
  await answer(ctx, { consent: { grantId: await grant.save() } });
}

async function answer(ctx, result) {
  const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
  ctx.status = 303;
  ctx.redirect(to);
}

server.on("request", provider.callback());
console.log(issuer);

const stop = () => server.close(() => process.exit(0));
process.stdin.on("end", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
