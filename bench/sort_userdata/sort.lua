-- sort_userdata: 10,000 userdata objects (C structs holding a string) built from random hex
-- strings and quicksorted in Lua with the host's C comparison (__lt).
local digits = "0123456789abcdef"

local function makeKey()
    local n = 8 + rand(17)
    local s = ""
    for i = 1, n do local k = rand(16) + 1; s = s .. digits:sub(k, k) end
    return Key(s)
end

local function quicksort(a, lo, hi)
    local l, h = lo, hi
    while l < h do
        local pivot = a[math.floor((l + h) / 2)]
        local i, j = l, h
        while i <= j do
            while a[i] < pivot do i = i + 1 end
            while pivot < a[j] do j = j - 1 end
            if i <= j then
                a[i], a[j] = a[j], a[i]
                i = i + 1
                j = j - 1
            end
        end
        if j - l < h - i then
            quicksort(a, l, j)
            l = i
        else
            quicksort(a, i, h)
            h = j
        end
    end
end

function run()
    local keys = {}
    for i = 1, 10000 do keys[i] = makeKey() end
    quicksort(keys, 1, #keys)
    for i = 2, #keys do assert(not (keys[i] < keys[i - 1]), "not sorted") end
    return keytext(keys[1]) .. " " .. keytext(keys[#keys])
end
