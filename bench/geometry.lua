-- geometry: Vector2 math in a hot loop (the twin of geometry.writ).
--
-- 100,000 particles x 100 steps. Vector2 is a table {x=, y=} with a metatable supplying
-- __add, __sub, __mul (by a number), length and normalized; every operation allocates a
-- fresh table, like Writ's value semantics. Each step: position += velocity * dt; a
-- particle farther than 50 from the origin is pulled back (velocity -= normalized * 0.5);
-- then a checksum of the positions. Park-Miller initial state, as in geometry.writ.

local sqrt = math.sqrt
local fmt = string.format

local Vector2 = {}
Vector2.__index = Vector2

local function vec2(x, y) return setmetatable({x = x, y = y}, Vector2) end

function Vector2.__add(a, b) return setmetatable({x = a.x + b.x, y = a.y + b.y}, Vector2) end
function Vector2.__sub(a, b) return setmetatable({x = a.x - b.x, y = a.y - b.y}, Vector2) end
function Vector2.__mul(a, k) return setmetatable({x = a.x * k, y = a.y * k}, Vector2) end
function Vector2:length() return sqrt(self.x * self.x + self.y * self.y) end
function Vector2:normalized()
  local l = sqrt(self.x * self.x + self.y * self.y)
  if l == 0.0 then return self end
  return setmetatable({x = self.x / l, y = self.y / l}, Vector2)
end

local seed = 42
local function rand()
  seed = (seed * 16807) % 2147483647
  return seed / 2147483647.0
end

local function main(n, steps)
  local dt = 0.05
  local pos, vel = {}, {}
  for i = 1, n do
    pos[i] = vec2(rand() * 80.0 - 40.0, rand() * 80.0 - 40.0)
    vel[i] = vec2(rand() * 20.0 - 10.0, rand() * 20.0 - 10.0)
  end
  local checksum = 0.0
  local pulls = 0
  for _ = 1, steps do
    for i = 1, n do
      local p = pos[i] + vel[i] * dt
      if p:length() > 50.0 then
        vel[i] = vel[i] - p:normalized() * 0.5
        pulls = pulls + 1
      end
      pos[i] = p
      checksum = checksum + (p.x + p.y)
    end
  end
  local speed = 0.0
  for i = 1, n do speed = speed + vel[i]:length() end
  print(fmt("checksum %.6f pulls %d", checksum, pulls))
  print(fmt("speed %.6f", speed))
end

main(100000, 100)
