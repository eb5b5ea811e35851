-- SPDX-License-Identifier: EUPL-1.2
-- POST a fixed JSON body (the baseline: /bench/echo).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"Phishing wave","severity":"high","services":["mail","vpn"],"impact":{"users_affected":1200}}'
