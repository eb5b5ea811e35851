-- SPDX-License-Identifier: EUPL-1.2
-- POST /api/v1/alerts with a realistic mix: 90 % repeats of 200 alerts that
-- keep firing (each updates its open row: count, last_seen), 10 % new
-- alerts (a row, detection, an audit entry).  Severity low and medium, so
-- the built-in detection rules record them (no incident per alert).
local counter = 0
local threads = {}

function setup(thread)
    thread:set("id", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("MP_TOKEN")
end

function request()
    counter = counter + 1
    local fp
    if counter % 10 == 0 then
        fp = string.format("new-%s-%d-%d", os.getenv("MP_RUN"), id, counter)
    else
        fp = string.format("repeat-%d", (counter * 7 + id) % 200)
    end
    local body = string.format('{"source":"bench-siem","fingerprint":"%s",' ..
        '"title":"Failed logins above threshold","severity":"%s","service":"vpn",' ..
        '"labels":{"host":"vpn-gw-%d","rule":"4625-burst"},' ..
        '"annotations":{"summary":"More than 50 failed logins in 5 minutes"}}',
        fp, (counter % 3 == 0) and "medium" or "low", counter % 4)
    return wrk.format(nil, nil, nil, body)
end
