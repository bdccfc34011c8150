// End-to-end tests in Debian's Chromium (never a downloaded browser).
const { defineConfig } = require("@playwright/test");

const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

module.exports = defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // One server, one database: tests run one after the other.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  outputDir: "./test-results",
  globalSetup: require.resolve("./support/global-setup.js"),
  globalTeardown: require.resolve("./support/global-teardown.js"),
  use: {
    browserName: "chromium",
    viewport: { width: 1366, height: 768 },
    // No colour transitions: switching themes must not leave colours half-way when
    // contrast is checked.
    reducedMotion: "reduce",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "first-run", testMatch: /first-run\.spec\.js/ },
    { name: "app", testIgnore: /first-run\.spec\.js/, dependencies: ["first-run"] },
  ],
});
