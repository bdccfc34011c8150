-- wrk script: creates tokens through the management API, each with a name of its
-- own, and sums up how many were made per second: "made/s|median ms|p95 ms|made|
-- other answers". The key comes in API_KEY; RUN tells one run's names from another's.
local threads = {}

setup = function(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

init = function(args)
  made, other, sent = 0, 0, 0
  prefix = (os.getenv("RUN") or "0") .. "-" .. id
  headers = {
    ["Authorization"] = "Bearer " .. os.getenv("API_KEY"),
    ["Content-Type"] = "application/json",
  }
end

request = function()
  sent = sent + 1
  local body = string.format(
    '{"name":"api bench %s %07d","scopes":["Production"],"type":"custom",' ..
    '"permissions":[{"module":"orders","action":"read"}],"duration":"90d"}',
    prefix, sent)
  return wrk.format("POST", "/api/v1/tokens", headers, body)
end

response = function(status, headers, body)
  if status == 201 then made = made + 1 else other = other + 1 end
end

done = function(summary, latency, requests)
  local total_made, total_other = 0, 0
  for _, thread in ipairs(threads) do
    total_made = total_made + thread:get("made")
    total_other = total_other + thread:get("other")
  end
  io.write(string.format("%.0f|%.1f|%.1f|%d|%d\n",
    total_made / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    total_made, total_other))
end
