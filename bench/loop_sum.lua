-- loop_sum: tight counting loops. An int loop summing i*i modulo a prime, and a float
-- loop summing 1/(k*k+1). All int values stay below 2^53 so LuaJIT's
-- doubles and Writ's 64-bit ints agree.
local function intLoop(n)
  local s = 0
  for i = 0, n - 1 do
    s = (s + i * i) % 1000000007
  end
  return s
end

local function floatLoop(n)
  local x = 0.0
  local f = 0.0
  for i = 0, n - 1 do
    x = x + 1.0 / (f * f + 1.0)
    f = f + 1.0
  end
  return x
end

print(string.format("int sum: %d", intLoop(40000000)))
print(string.format("float sum: %.9f", floatLoop(40000000)))
