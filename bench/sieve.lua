-- sieve: sieve of Eratosthenes over a boolean array, repeated; checksum = prime count
-- and the sum of the primes of the last round.
local function sieve(n)
  local composite = {}
  for i = 1, n do composite[i] = false end
  local count = 0
  local sum = 0
  for i = 2, n do
    if not composite[i] then
      count = count + 1
      sum = sum + i
      local j = i * i
      while j <= n do
        composite[j] = true
        j = j + i
      end
    end
  end
  return count, sum
end

local function run(n, rounds)
  local total = 0
  local sum = 0
  for _ = 1, rounds do
    local c, s = sieve(n)
    total = total + c
    sum = s
  end
  print(string.format("primes found: %d", total))
  print(string.format("sum of primes below %d: %d", n + 1, sum))
end

run(1000000, 15)
