-- particles: struct-heavy particle simulation.
--
-- Vec2 is a table {x=, y=} with a metatable supplying the operators (__add, __sub, __mul
-- by a number) and a length method: the natural Lua style, and like Writ's struct value
-- semantics every operation allocates a fresh vector. A particle is a table {pos=, vel=}.
-- Every frame each particle is updated with vector arithmetic (gravity, Euler step, drag),
-- bounced off the walls of a box (reflecting the velocity component) and stored back
-- (ps[i] = p, a no-op for Lua tables, kept for symmetry with particles.writ). After every
-- frame the positions are summed into a checksum; the total is printed with %.6f.
-- Initial state comes from a Park-Miller generator (exact in doubles, so LuaJIT agrees).

local sqrt = math.sqrt
local fmt = string.format

local Vec2 = {}
Vec2.__index = Vec2

local function vec2(x, y)
  return setmetatable({x = x, y = y}, Vec2)
end

function Vec2.__add(a, b) return setmetatable({x = a.x + b.x, y = a.y + b.y}, Vec2) end
function Vec2.__sub(a, b) return setmetatable({x = a.x - b.x, y = a.y - b.y}, Vec2) end
function Vec2.__mul(a, k) return setmetatable({x = a.x * k, y = a.y * k}, Vec2) end
function Vec2:length() return sqrt(self.x * self.x + self.y * self.y) end

local seed = 42
local function rand()
  seed = (seed * 16807) % 2147483647
  return seed / 2147483647.0
end

local function main(n, frames)
  local width = 100.0
  local height = 60.0
  local dt = 0.01
  local gravity = vec2(0.0, -9.81)
  local drag = 0.999
  local ps = {}
  for i = 1, n do
    local pos = vec2(rand() * width, rand() * height)
    local vel = vec2(rand() * 40.0 - 20.0, rand() * 40.0 - 20.0)
    ps[i] = {pos = pos, vel = vel}
  end
  local center = vec2(width * 0.5, height * 0.5)
  local checksum = 0.0
  local bounces = 0
  local spread = 0.0
  for _ = 1, frames do
    for i = 1, n do
      local p = ps[i]
      p.vel = (p.vel + gravity * dt) * drag
      p.pos = p.pos + p.vel * dt
      local pos, vel = p.pos, p.vel
      if pos.x < 0.0 then
        pos.x = -pos.x
        vel.x = -vel.x
        bounces = bounces + 1
      elseif pos.x > width then
        pos.x = width + width - pos.x
        vel.x = -vel.x
        bounces = bounces + 1
      end
      if pos.y < 0.0 then
        pos.y = -pos.y
        vel.y = -vel.y
        bounces = bounces + 1
      elseif pos.y > height then
        pos.y = height + height - pos.y
        vel.y = -vel.y
        bounces = bounces + 1
      end
      ps[i] = p
      checksum = checksum + (pos.x + pos.y)
    end
    spread = spread + (ps[1].pos - center):length()
  end
  local energy = 0.0
  for i = 1, n do
    local s = ps[i].vel:length()
    energy = energy + 0.5 * s * s
  end
  print(fmt("checksum %.6f bounces %d", checksum, bounces))
  print(fmt("spread %.6f energy %.6f", spread, energy))
end

main(1000, 1000)
