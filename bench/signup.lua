-- The footer's newsletter signup, each request a new address, with the headers a
-- browser sends from the site's own page (the form carries no CSRF token; the view
-- refuses other sites' posts by Sec-Fetch-Site and Origin). BENCH_ORIGIN is the server.
local origin = os.getenv("BENCH_ORIGIN")
local run = os.getenv("BENCH_RUN") or "0"
local counter = 0
local thread_id = 0
local threads = {}

setup = function(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  table.insert(threads, thread)
end

request = function()
  counter = counter + 1
  local body = "source=footer&consent=on&name=Bench"
    .. "&email=bench-signup-" .. run .. "-" .. (id or 0) .. "-" .. counter .. "%40example.org"
  -- The headers given with -H (Accept-Encoding), and a browser's for this form.
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Origin"] = origin
  headers["Sec-Fetch-Site"] = "same-origin"
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", "/newsletter/subscribe/", headers, body)
end
