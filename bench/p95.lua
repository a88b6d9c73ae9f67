-- wrk script: print the 95th percentile of latency (wrk's own table stops
-- at 90 and 99), in microseconds, for bench.py to read.
function done(summary, latency, requests)
    io.write(string.format("p95-us: %d\n", latency:percentile(95)))
end
