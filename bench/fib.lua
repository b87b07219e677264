-- fib: naive doubly recursive Fibonacci; measures call overhead and int arithmetic.
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local N = 35
print(string.format("fib(%d) = %d", N, fib(N)))
