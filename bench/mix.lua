-- wrk script: GET a path drawn at random from the file named by the
-- environment variable MIX_PATHS (one path per line), so requests spread
-- over the whole archive and many miss the page cache.
local paths = {}

function setup(thread)
    thread:set("id", tostring(thread))
end

function init(args)
    local f = assert(io.open(os.getenv("MIX_PATHS"), "r"))
    for line in f:lines() do
        if #line > 0 then paths[#paths + 1] = line end
    end
    f:close()
    local seed = os.time()
    for i = 1, #id do seed = seed + id:byte(i) * i end
    math.randomseed(seed)
end

function request()
    return wrk.format("GET", paths[math.random(#paths)])
end
