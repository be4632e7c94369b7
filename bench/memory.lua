-- The mixed load of bench/memory.sh: every kind of public page, with searches that are all
-- different (each a page the cache keeps until it is full). The articles' paths come from the
-- file named by the ARTICLES environment variable, one per line.

local articles = {}
local file = io.open(os.getenv("ARTICLES"), "r")
if file then
  for line in file:lines() do
    articles[#articles + 1] = line
  end
  file:close()
end
if #articles == 0 then
  articles = { "/" }
end

local fixed = {
  "/", "/feed", "/feed/atom", "/feed.json", "/archive", "/sitemap.xml", "/sitemap-news.xml",
  "/sitemap-tags.xml", "/jobs", "/newsletter", "/robots.txt", "/comments/feed", "/static/style.css",
}
local words = { "roboter", "sprachmodell", "klima", "forschung", "daten", "energie", "studie", "netz", "batterie", "modell" }

local n = 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function request()
  n = n + 1
  local pick = n % 10
  local path
  if pick < 5 then
    path = articles[(n % #articles) + 1]
  elseif pick < 8 then
    path = fixed[(n % #fixed) + 1]
  else
    -- A search no one asked for before: a word and a number unique to this thread and request.
    path = "/search?q=" .. words[(n % #words) + 1] .. "+" .. tostring(thread_id) .. "x" .. tostring(n)
  end
  return wrk.format("GET", path)
end
