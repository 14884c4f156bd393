-- The footer's newsletter signup, each request a new address. BENCH_CSRF is the
-- token from a page the benchmark fetched (cookie and form field, as a browser sends).
local token = os.getenv("BENCH_CSRF")
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
  local body = "csrfmiddlewaretoken=" .. token .. "&source=footer&consent=on&name=Bench"
    .. "&email=bench-signup-" .. run .. "-" .. (id or 0) .. "-" .. counter .. "%40example.org"
  return wrk.format("POST", "/newsletter/subscribe/", {
    ["Cookie"] = "csrftoken=" .. token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
