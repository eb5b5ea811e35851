#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# bench/scale.sh - costs at scale (BENCH_SCALE=100000 make bench; issue 19).
#
# Seeds BENCH_SCALE incidents through the bulk path (`meldpunt import`, in
# large transactions, audited and classified), then reports:
#   - the import's rate;
#   - start-up to ready: from exec until GET /readyz answers 200;
#   - RSS idle (after start) and after the read load (VmRSS);
#   - database bytes per incident (meldpunt.db and its WAL);
#   - p50/p99 of each list, filter, search, /metrics, deadlines and the
#     dashboard's calls at BENCH_SCALE_CONNECTIONS (default 2), beside the
#     same-run baseline (POST /bench/echo) at the same concurrency.
# Goals at 100k: every call p99 < 10 ms at 2 connections, start-up < 1 s,
# RSS < 30 MB.
set -eu
cd "$(dirname "$0")/.."

N=${BENCH_SCALE:?set BENCH_SCALE, e.g. 100000}
SECONDS_EACH=${BENCH_SECONDS:-5}
C=${BENCH_SCALE_CONNECTIONS:-2}

. bench/lib.sh
now_ms() { bench_now_ms; }

# N incidents over the last two years: every state, severity and category,
# a few words to search, facts, and a note on every tenth.
gen() {
    awk -v n="$N" -v now="$(date +%s)" 'BEGIN {
        split("detected triage confirmed contained resolved closed dismissed", st, " ")
        split("low medium high critical", sev, " ")
        split("cyber physical other", cat, " ")
        split("ransomware phishing ddos datalek storing inbraak brand leverancier", w, " ")
        for (i = 0; i < n; i++) {
            t = now - 2 * 365 * 86400 + int(i * (2 * 365 * 86400 - 86400) / n)
            d = strftime("%Y-%m-%dT%H:%M:%SZ", t, 1)
            s = st[i % 7 + 1]
            times = ""
            if (s != "detected")
                times = sprintf(",\"state_times\":{\"%s\":\"%s\"}", s, strftime("%Y-%m-%dT%H:%M:%SZ", t + 3600, 1))
            note = ""
            if (i % 10 == 0)
                note = sprintf(",\"notes\":[{\"at\":\"%s\",\"text\":\"Opgepakt door het SOC, ticket %d\"}]", strftime("%Y-%m-%dT%H:%M:%SZ", t + 600, 1), i)
            printf "{\"title\":\"%s bij afdeling %d (%d)\",\"description\":\"Gemeld via de servicedesk; %s vermoed.\",\"severity\":\"%s\",\"category\":\"%s\",\"tlp\":\"amber\",\"detected_at\":\"%s\",\"aware_at\":\"%s\",\"impact\":{\"users_affected\":%d},\"state\":\"%s\"%s%s}\n",
                w[i % 8 + 1], i % 97, i, w[(i + 3) % 8 + 1], sev[i % 4 + 1], cat[i % 3 + 1], d, d, (i * 37) % 5000, s, times, note
        }
    }'
}

bench_init
gen >"$dir/seed.jsonl"
t0=$(now_ms)
"$BIN" import "$dir/seed.jsonl" --data "$dir/data" --batch 2000 >/dev/null 2>"$dir/import.log" ||
    { echo "bench: the import failed:"; tail -n 20 "$dir/import.log"; exit 1; }
t1=$(now_ms)
db_bytes=$(cat "$dir/data/meldpunt.db" "$dir/data/meldpunt.db-wal" 2>/dev/null | wc -c)

t2=$(now_ms)
bench_serve
t3=$(now_ms)
sleep 2 # the background integrity check's first pass, before RSS is read
rss() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
rss_idle=$(rss)

run() { bench_wrk "$C" "$C" "$1" "$2"; }

since=$(date -u -d "+1 second" +%Y-%m-%dT%H:%M:%SZ) # a poller: nothing new since its last poll
deep=$(printf 'c%x' $((N / 2)))
one=$(curl -s -H "Authorization: Bearer $MP_TOKEN" "$url/api/v1/incidents?limit=1" |
    sed -E 's/^\{"items":\[\{"id":"([^"]+)".*/\1/')

echo "meldpunt $("$BIN" version | cut -d' ' -f2) at scale: $N incidents, wrk -t$C -c$C, ${SECONDS_EACH}s per run, $(nproc) cores"
awk -v n="$N" -v ms=$((t1 - t0)) 'BEGIN { printf "import:              %d ms (%.0f incidents/s, through meldpunt import)\n", ms, n * 1000 / ms }'
echo "start-up to ready:   $((t3 - t2)) ms (exec to GET /readyz 200)"
awk -v b="$db_bytes" -v n="$N" 'BEGIN { printf "database:            %.1f MB, %.0f bytes per incident\n", b / 1048576, b / n }'
echo "RSS idle:            $rss_idle MB"
printf '%-46s %10s %8s %9s %9s %7s\n' call req/s ratio p50_ms p99_ms non2xx
base=$(run /bench/echo post_json.lua)
base_rps=${base%% *}
for spec in "POST /bench/echo (baseline)|/bench/echo|post_json.lua" \
            "GET /api/v1/incidents?limit=50|/api/v1/incidents?limit=50|auth_get.lua" \
            "GET /api/v1/incidents (deep cursor page)|/api/v1/incidents?limit=50&cursor=$deep|auth_get.lua" \
            "GET /api/v1/incidents?state=triage|/api/v1/incidents?state=triage&limit=50|auth_get.lua" \
            "GET /api/v1/incidents?state=triage (deep page)|/api/v1/incidents?state=triage&limit=50&cursor=$deep|auth_get.lua" \
            "GET /api/v1/incidents?severity=critical|/api/v1/incidents?severity=critical&limit=50|auth_get.lua" \
            "GET /api/v1/incidents?category=physical|/api/v1/incidents?category=physical&limit=50|auth_get.lua" \
            "GET /api/v1/incidents?updated_since=(last poll)|/api/v1/incidents?updated_since=$since&limit=50|auth_get.lua" \
            "GET /api/v1/incidents?q=ransomware|/api/v1/incidents?q=ransomware&limit=50|auth_get.lua" \
            "GET /api/v1/incidents?q=(matches nothing)|/api/v1/incidents?q=zzqqxxnothing&limit=50|auth_get.lua" \
            "GET /api/v1/alerts?limit=100|/api/v1/alerts?limit=100|auth_get.lua" \
            "GET /api/v1/alerts?severity=high|/api/v1/alerts?severity=high&limit=100|auth_get.lua" \
            "GET /metrics|/metrics|auth_get.lua" \
            "GET /api/v1/deadlines|/api/v1/deadlines|auth_get.lua" \
            "dashboard: GET /api/v1/dashboard (counts)|/api/v1/dashboard|auth_get.lua" \
            "dashboard: GET /incidents?state=detected&limit=40|/api/v1/incidents?state=detected&limit=40|auth_get.lua" \
            "dashboard: GET /incidents/{id}/classification|/api/v1/incidents/$one/classification|auth_get.lua"; do
    name=${spec%%|*}
    rest=${spec#*|}
    path=${rest%%|*}
    script=${rest#*|}
    if [ "$path" = /bench/echo ]; then r=$base; else r=$(run "$path" "$script"); fi
    set -- $r
    ratio=$(awk -v a="$1" -v b="$base_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')
    printf '%-46s %10s %8s %9s %9s %7s\n' "$name" "$1" "$ratio" "$2" "$3" "$4"
done
echo "RSS after the reads: $(rss) MB"
