-- binary_trees: the classic allocation benchmark (bottom-up trees, item check).
--
-- Representation (identical in binary_trees.writ, which has no classes yet): every tree
-- lives in its own pool, a growable array of nodes. Each node is a separately allocated
-- two-element array {left, right} holding the pool indices of its children, or -1 for a
-- leaf. So every node costs one heap allocation (a small array) plus one append to the
-- pool, in both languages; a tree becomes garbage when its pool is dropped.
-- Lua pools are 1-based, Writ pools 0-based; the checksums do not depend on indices.

local function bottomUp(pool, depth)
  if depth == 0 then
    local n = #pool + 1
    pool[n] = {-1, -1}
    return n
  end
  local l = bottomUp(pool, depth - 1)
  local r = bottomUp(pool, depth - 1)
  local n = #pool + 1
  pool[n] = {l, r}
  return n
end

local function itemCheck(pool, idx)
  local node = pool[idx]
  local l = node[1]
  if l < 0 then return 1 end
  return 1 + itemCheck(pool, l) + itemCheck(pool, node[2])
end

local function makeAndCheck(depth)
  local pool = {}
  local root = bottomUp(pool, depth)
  return itemCheck(pool, root)
end

local function main(maxDepth)
  local minDepth = 4
  if minDepth + 2 > maxDepth then maxDepth = minDepth + 2 end
  local stretch = maxDepth + 1
  print(string.format("stretch tree of depth %d check: %d", stretch, makeAndCheck(stretch)))

  local longPool = {}
  local longRoot = bottomUp(longPool, maxDepth)

  for depth = minDepth, maxDepth, 2 do
    local iterations = 1
    for _ = 1, maxDepth - depth + minDepth do iterations = iterations * 2 end
    local check = 0
    for _ = 1, iterations do
      check = check + makeAndCheck(depth)
    end
    print(string.format("%d trees of depth %d check: %d", iterations, depth, check))
  end
  print(string.format("long lived tree of depth %d check: %d", maxDepth,
                      itemCheck(longPool, longRoot)))
end

main(15)
