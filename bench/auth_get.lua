-- SPDX-License-Identifier: EUPL-1.2
-- GET with the bearer token from MP_TOKEN.
function init(args)
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("MP_TOKEN")
end
