-- mandelbrot: float-heavy escape-time iteration over a size x size grid of the
-- region [-1.5, 0.5] x [-1.0, 1.0]; checksum = points inside and total iterations.
local function mandelbrot(size, maxIter)
  local inside = 0
  local iters = 0
  for y = 0, size - 1 do
    local ci = 2.0 * y / size - 1.0
    for x = 0, size - 1 do
      local cr = 2.0 * x / size - 1.5
      local zr = 0.0
      local zi = 0.0
      local zr2 = 0.0
      local zi2 = 0.0
      local i = 0
      while i < maxIter and zr2 + zi2 <= 4.0 do
        zi = 2.0 * zr * zi + ci
        zr = zr2 - zi2 + cr
        zr2 = zr * zr
        zi2 = zi * zi
        i = i + 1
      end
      if i == maxIter then inside = inside + 1 end
      iters = iters + i
    end
  end
  print(string.format("inside: %d", inside))
  print(string.format("iterations: %d", iters))
end

mandelbrot(1000, 100)
