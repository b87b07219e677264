-- strings: string building and processing. Each round builds a list of fields with
-- interpolation, joins and splits it, searches (indexOf), replaces, takes substrings and
-- concatenates them; the checksum adds up lengths and positions. ASCII only, so Lua's
-- byte lengths equal Writ's code-point lengths. Lua has no split/indexOf/join/replace
-- methods; they are written with the plain-text string.find / table.concat / gsub.

local function split(s, sep)
  local out, n, start = {}, 0, 1
  while true do
    local i, j = string.find(s, sep, start, true)
    if not i then
      n = n + 1
      out[n] = string.sub(s, start)
      return out, n
    end
    n = n + 1
    out[n] = string.sub(s, start, i - 1)
    start = j + 1
  end
end

local function indexOf(s, sub)
  local i = string.find(s, sub, 1, true)
  if i then return i - 1 end
  return -1
end

local function work(rounds)
  local total = 0
  for r = 0, rounds - 1 do
    local parts = {}
    for i = 0, 199 do
      parts[i + 1] = "item" .. i .. "-" .. (r % 7) .. ":" .. (i * r % 1000)
    end
    local joined = table.concat(parts, ",")
    total = total + #joined
    local back, nback = split(joined, ",")
    total = total + nback
    for k = 1, nback do
      total = total + indexOf(back[k], ":")
    end
    local rep = string.gsub(joined, "item", "it")
    total = total + #rep
    local sb = ""
    for i = 0, 99 do
      sb = sb .. string.sub(rep, i * 3 + 1, i * 3 + 5)
    end
    total = total + #sb
    total = total + indexOf(joined, "item199-")
    total = total + indexOf(sb, "zzz")
  end
  return total
end

print(string.format("strings checksum: %d", work(5000)))
