-- wrk script: a flood of searches no cache can answer, from one client:
-- two-letter prefixes and a random number, each query new (issue 17).
local letters = "abcdefghijklmnopqrstuvwxyz"

function init(args)
    math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16))
end

function request()
    local i, j = math.random(26), math.random(26)
    local q = letters:sub(i, i) .. letters:sub(j, j) .. "*+" ..
              tostring(math.random(1000000))
    return wrk.format("GET", "/search?q=" .. q)
end
