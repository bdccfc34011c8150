-- wrk script: cycles through pre-built requests, each presenting one of a list of
-- tokens (one per line in the file named by the TOKENS environment variable), so
-- the client spends its time sending, not building strings. With ORIGINAL_URI set,
-- requests carry it as nginx's auth_request would (X-Original-URI, -Method).
local requests = {}
local index = 0

init = function(args)
  local path = os.getenv("TOKENS_PATH") or "/api/v1/verify"
  local original = os.getenv("ORIGINAL_URI")
  for line in io.lines(os.getenv("TOKENS")) do
    local headers = { ["Authorization"] = "Bearer " .. line }
    if original then
      headers["X-Original-URI"] = original
      headers["X-Original-Method"] = "GET"
    end
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
end

request = function()
  index = index % #requests + 1
  return requests[index]
end
