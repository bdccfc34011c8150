const fs = require("node:fs");
const path = require("node:path");

const STATE_FILE = path.resolve(__dirname, "../.state/server.json");
const ADMIN_STATE = path.resolve(__dirname, "../.state/admin.json");

function state() {
  return JSON.parse(fs.readFileSync(STATE_FILE, "utf8"));
}

module.exports = { STATE_FILE, ADMIN_STATE, state };
