-- permute: the classic permutation benchmark (Stanford / "Are We Fast Yet" Permute):
-- generate every permutation of an array by recursive swapping and count the calls.
local function swap(v, i, j)
  local t = v[i]
  v[i] = v[j]
  v[j] = t
end

-- returns the number of calls made (including this one)
local function permute(v, n)
  local count = 1
  if n ~= 0 then
    local n1 = n - 1
    count = count + permute(v, n1)
    -- Lua arrays are 1-based: element k of the Writ version is v[k + 1] here
    for i = n, 1, -1 do
      swap(v, n, i)
      count = count + permute(v, n1)
      swap(v, n, i)
    end
  end
  return count
end

local function run(size, rounds)
  local total = 0
  local checksum = 0
  for r = 1, rounds do
    local v = {}
    for i = 1, size do v[i] = i - 1 + r end
    total = total + permute(v, size)
    for i = 1, size do checksum = checksum + v[i] * i end
  end
  print(string.format("permute calls: %d", total))
  print(string.format("checksum: %d", checksum))
end

run(9, 3)
