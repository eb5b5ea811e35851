-- SPDX-License-Identifier: EUPL-1.2
-- POST /api/v1/tokens with a unique name per request: a write through the
-- group-commit writer, with its audit entry, on disk before the answer.
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
    -- id is set per thread by setup(); MP_RUN differs per run of wrk.
    local body = string.format('{"name":"bench-%s-%d-%d","role":"viewer"}', os.getenv("MP_RUN"), id, counter)
    return wrk.format(nil, nil, nil, body)
end
