-- SPDX-License-Identifier: EUPL-1.2
-- POST /api/v1/incidents: a durable create (incident row, timeline entry,
-- audit entry, one group commit) with a realistic body.
function init(args)
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("MP_TOKEN")
    wrk.body = '{"title":"Phishing wave against finance","severity":"high","category":"cyber",' ..
        '"services":["mail","vpn"],"started_at":"2026-11-01T08:00:00Z",' ..
        '"impact":{"users_affected":1200,"users_total":40000,"suspected_malicious":true}}'
end
