const fs = require("node:fs");
const { STATE_FILE, state } = require("./state");

module.exports = async () => {
  const { pid, dir } = state();
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // Already gone.
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(STATE_FILE, { force: true });
};
