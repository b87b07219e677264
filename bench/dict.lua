-- dict: dictionary insert / lookup (hits and misses) / remove / update / iterate, with
-- int keys and with string keys (lookups partly with freshly built key strings).
-- Checksum: sums of looked-up values, entry counts and value sums after iteration
-- (order-independent, so Lua's unordered pairs() and Writ's insertion order agree).
-- Lua tables have no entry count; it is counted while iterating, as Writ does too.

local function intDict(n, rounds)
  local total = 0
  for r = 1, rounds do
    local d = {}
    for i = 0, n - 1 do d[i * 7] = i end
    local s = 0
    for i = 0, n - 1 do
      s = s + (d[i * 7] or 0) + (d[i * 7 + 1] or 0)
    end
    for i = 0, n - 1, 3 do d[i * 7] = nil end
    for i = 0, n - 1 do
      local k = i * 7
      d[k] = (d[k] or 1) + r
    end
    local cnt, sum = 0, 0
    for _, v in pairs(d) do
      cnt = cnt + 1
      sum = sum + v
    end
    total = total + s + cnt + sum
  end
  return total
end

local function stringDict(n, rounds)
  local keys = {}
  for i = 0, n - 1 do keys[i + 1] = "key" .. (i * 7919 % n) end
  local total = 0
  for r = 1, rounds do
    local d = {}
    for i = 0, n - 1 do d[keys[i + 1]] = i end
    local s = 0
    for i = 0, n - 1 do
      s = s + (d["key" .. i] or 0) + (d["yek" .. i] or 0)
    end
    for i = 0, n - 1, 2 do d[keys[i + 1]] = nil end
    for i = 0, n - 1 do
      local k = keys[i + 1]
      d[k] = (d[k] or 0) + r
    end
    local cnt, sum = 0, 0
    for _, v in pairs(d) do
      cnt = cnt + 1
      sum = sum + v
    end
    total = total + s + cnt + sum
  end
  return total
end

print(string.format("int keys: %d", intDict(100000, 25)))
print(string.format("string keys: %d", stringDict(50000, 7)))
