// Starts the real server on a fresh SQLite database and a free port, and records
// where it listens and the one-time setup link it prints. Administrators may also
// sign in through a real OpenID provider (tests/oidc-provider), started first.
const { execFileSync, spawn } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { STATE_FILE } = require("./state");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

// The test OpenID provider: its issuer URL and process.
async function startProvider() {
  const dir = path.resolve(__dirname, "../../tests/oidc-provider");
  if (!fs.existsSync(path.join(dir, "node_modules/oidc-provider"))) {
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "inherit" });
  }
  // Its standard input stays open while the tests run: it stops when that closes.
  const provider = spawn(process.execPath, ["provider.js"], { cwd: dir, stdio: ["pipe", "pipe", "ignore"], detached: true });
  const issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the OpenID provider did not start")), 30_000);
    provider.stdout.once("data", (chunk) => {
      clearTimeout(timer);
      resolve(String(chunk).trim().split("\n")[0]);
    });
    provider.on("exit", (code) => reject(new Error(`the OpenID provider exited with ${code}`)));
  });
  provider.unref();
  return { issuer, pid: provider.pid };
}

module.exports = async () => {
  const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (!fs.existsSync(chromium)) {
    throw new Error(`Chromium not found at ${chromium}: install Debian's chromium package (the suite never downloads a browser).`);
  }
  const binary = process.env.TESSERA_BIN || path.resolve(__dirname, "../../target/debug/tessera");
  if (!fs.existsSync(binary)) {
    throw new Error(`${binary} not found: run cargo build first.`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-e2e-"));
  const provider = await startProvider();
  const port = await freePort();
  const server = spawn(binary, ["serve", "--listen", `127.0.0.1:${port}`], {
    env: {
      PATH: process.env.PATH,
      TESSERA_DATABASE_URL: path.join(dir, "tessera.db"),
      TESSERA_LOG: "warn",
      // Token values are kept encrypted, so administrators may show them again.
      TESSERA_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
      // The webhook receiver of the tests listens on loopback, over http.
      TESSERA_WEBHOOK_ALLOW_HTTP: "true",
      TESSERA_WEBHOOK_ALLOW_PRIVATE: "true",
      // Usage counts reach the pages a second after the requests.
      TESSERA_USAGE_FLUSH_SECONDS: "1",
      TESSERA_USAGE_RANKING_SECONDS: "1",
      // Single sign-on beside passwords: the provider's tessera-admins are Super
      // Admins, its tessera-viewers Viewers.
      TESSERA_OIDC_ISSUER: provider.issuer,
      TESSERA_OIDC_CLIENT_ID: "tessera",
      TESSERA_OIDC_CLIENT_SECRET: "tessera-secret",
      TESSERA_OIDC_NAME: "Test IdP",
      TESSERA_OIDC_ROLE_MAP: "tessera-admins=super_admin; tessera-viewers=viewer",
      TESSERA_OIDC_STRICT: "true",
    },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const setupUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server printed no setup link")), 30_000);
    let output = "";
    server.stdout.on("data", (chunk) => {
      output += chunk;
      const match = output.match(/(http:\/\/\S+\/setup\?code=\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    server.on("exit", (code) => reject(new Error(`the server exited with ${code}`)));
  });
  server.unref();
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.writeFileSync(
    STATE_FILE,
    JSON.stringify({ baseURL: `http://127.0.0.1:${port}`, setupUrl, pid: server.pid, providerPid: provider.pid, issuer: provider.issuer, dir }),
  );
};
