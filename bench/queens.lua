-- queens: count the solutions of the N-queens problem by backtracking. The search is a
-- recursive local function (a closure) and the safety test a lambda, both capturing the
-- board arrays and the counter of the enclosing call.
local function solve(n)
  local cols = {}
  local diag1 = {}
  local diag2 = {}
  for i = 1, n do cols[i] = false end
  for i = 1, 2 * n do
    diag1[i] = false
    diag2[i] = false
  end
  local count = 0
  local safe = function(row, c)
    return not cols[c + 1] and not diag1[row + c + 1] and not diag2[row - c + n]
  end
  local function place(row)
    if row == n then
      count = count + 1
      return
    end
    for c = 0, n - 1 do
      if safe(row, c) then
        cols[c + 1] = true
        diag1[row + c + 1] = true
        diag2[row - c + n] = true
        place(row + 1)
        cols[c + 1] = false
        diag1[row + c + 1] = false
        diag2[row - c + n] = false
      end
    end
  end
  place(0)
  return count
end

local function run(rounds)
  local total = 0
  for n = 4, 9 do
    local s = solve(n)
    print(string.format("%d queens: %d solutions", n, s))
  end
  for _ = 1, rounds do total = total + solve(11) end
  print(string.format("11 queens x %d: %d solutions", rounds, total))
end

run(10)
