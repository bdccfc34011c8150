const fs = require("node:fs");
const { STATE_FILE, state } = require("./state");

module.exports = async () => {
  const { pid, providerPid, dir } = state();
  for (const process_id of [pid, providerPid]) {
    try {
      process.kill(process_id, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(STATE_FILE, { force: true });
};
