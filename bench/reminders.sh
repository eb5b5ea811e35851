#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# bench/reminders.sh - what reminders cost the API (issue 20; make bench, or
# BENCH_REMINDERS=N make bench for this part alone).
#
# One server, one data set: BENCH_REMINDERS open obligations with a due
# time (default 10,000; NIS2 early warnings and notifications of incidents
# made aware half an hour ago, seeded through `meldpunt import`), then the
# API's representative calls (a page of incidents, one incident, a create)
# measured with reminders off (a policy with a ladder only for a regime
# these incidents do not owe), and again with
# them on: a policy whose ladder (awareness, -12 h, -4 h, -1 h, due, every
# hour overdue) goes to a signed webhook on loopback that accepts, the send
# loop every second.  The awareness step of every report is due at once, so
# the send loop works through thousands of jobs while the API is measured.
# Printed: the planning time (PUT /api/v1/reminders/policy plans every open
# report, in pages of a change each), the jobs planned and sent, and the
# p99 with reminders on beside off.  BENCH_REMINDERS_ROUNDS (default 3)
# alternates off and on that many times, against the machine's drift.
set -eu
cd "$(dirname "$0")/.."

N=${BENCH_REMINDERS:-10000}
C=${BENCH_REMINDERS_CONNECTIONS:-16}
ROUNDS=${BENCH_REMINDERS_ROUNDS:-3}
SECONDS_EACH=${BENCH_SECONDS:-5}
BENCH_CONF_EXTRA="[reminders]
send_interval = 1"

. bench/lib.sh
bench_init

# The webhook receiver: 200 to every POST, one line per POST in posts.log.
cat >"$dir/hook.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.send_response(200)
        self.send_header('Content-Length', '0')
        self.end_headers()
        with open(sys.argv[1], 'a') as f:
            f.write('.\n')
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
: >"$dir/posts.log"
python3 "$dir/hook.py" "$dir/posts.log" >"$dir/hook.port" &
bench_helper=$!
for _ in $(seq 1 100); do [ -s "$dir/hook.port" ] && break; sleep 0.05; done
hook_port=$(cat "$dir/hook.port")
mkdir -p "$dir/data/secrets"
echo "bench hmac key" >"$dir/data/secrets/bench-hmac"
chmod 600 "$dir/data/secrets/bench-hmac"

templates=$(jq -c .templates config/reminders.json)
policy() { # LADDERS
    printf '{"version":"bench","link_base":"http://127.0.0.1","allow":["127.0.0.1"],"channels":{"hook":{"type":"webhook","url":"http://127.0.0.1:%s/hook","secret":"bench-hmac"}},"people":{"bench":{"language":"en"}},"on_duty":["bench"],"ladders":%s,"templates":%s}' \
        "$hook_port" "$1" "$templates"
}
to='"to":["assignee","on_duty"]'
on=$(policy "[{\"regime\":\"*\",\"stage\":\"*\",\"steps\":[{\"at\":\"awareness\",$to},{\"at\":\"-PT12H\",$to},{\"at\":\"-PT4H\",$to},{\"at\":\"-PT1H\",$to},{\"at\":\"due\",$to},{\"at\":\"PT1H\",\"repeat\":\"PT1H\",$to}]}]")
# off: the same channels and people, a ladder only for DORA, which these
# incidents do not owe (a policy needs a ladder)
off=$(policy "[{\"regime\":\"dora\",\"stage\":\"*\",\"steps\":[{\"at\":\"due\",$to}]}]")
# in force from the start: the built-in policy (ladders, no channels) would
# plan the imported reports, and fail and escalate every step
printf '%s\n' "$off" >"$dir/off.json"
echo "file = $dir/off.json" >>"$dir/bench.conf"
bench_serve
api() { # METHOD PATH [BODY]
    curl -s -X "$1" -H "Authorization: Bearer $MP_TOKEN" -H 'Content-Type: application/json' \
        ${3:+--data-binary "$3"} "$url$2"
}

# An essential NIS2 entity: each incident below owes an early warning (24 h)
# and a notification (72 h) with due times, and two reports without one yet.
org=$(api GET /api/v1/organisation | jq -c 'del(.version, .updated_at) + {name: "Waterbedrijf",
    sector: "drinking_water", nis2_class: "essential", annual_turnover_eur: 20000000}')
api PUT /api/v1/organisation "$org" >/dev/null
awk -v n=$(((N + 1) / 2)) -v now="$(date +%s)" 'BEGIN { for (i = 0; i < n; i++) {
    d = strftime("%Y-%m-%dT%H:%M:%SZ", now - 1800, 1)
    printf "{\"title\":\"Sabotage at pumping station %d\",\"severity\":\"high\",\"category\":\"cyber\",\"tlp\":\"amber\",\"detected_at\":\"%s\",\"aware_at\":\"%s\",\"impact\":{\"persons_health_damaged\":3,\"suspected_malicious\":true,\"cross_border\":false}}\n", i, d, d } }' \
    >"$dir/seed.jsonl"
"$BIN" import "$dir/seed.jsonl" --data "$dir/data" --batch 2000 >/dev/null 2>"$dir/import.log" ||
    { echo "bench: the import failed:"; tail -n 20 "$dir/import.log"; exit 1; }

one=$(api GET '/api/v1/incidents?limit=1' | sed -E 's/^\{"items":\[\{"id":"([^"]+)".*/\1/')
put_policy() { # DOC -> milliseconds
    t0=$(bench_now_ms)
    code=$(curl -s -o "$dir/put.out" -w '%{http_code}' -X PUT -H "Authorization: Bearer $MP_TOKEN" \
        -H 'Content-Type: application/json' --data-binary "$1" "$url/api/v1/reminders/policy")
    t1=$(bench_now_ms)
    [ "$code" = 200 ] || { echo "bench: the policy was refused ($code): $(cat "$dir/put.out")" >&2; exit 1; }
    echo $((t1 - t0))
}
planned() { grep -o 'reminders re-planned version=[0-9]* obligations=[0-9]*' "$dir/serve.log" | tail -n 1 | sed 's/.*obligations=//'; }

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "meldpunt $("$BIN" version | cut -d' ' -f2) reminders: wrk -t2 -c$C, ${SECONDS_EACH}s per run, $(nproc) cores, load average $(load)"
printf '%-34s %6s %10s %9s %9s %7s\n' call reminders req/s p50_ms p99_ms non2xx
measure() { # [warm: a warm-up, not recorded]
    warm=${1:-}
    for spec in "GET /api/v1/incidents?limit=50|/api/v1/incidents?limit=50|auth_get.lua" \
                "GET /api/v1/incidents/{id}|/api/v1/incidents/$one|auth_get.lua" \
                "POST /api/v1/incidents (durable)|/api/v1/incidents|create_incident.lua"; do
        name=${spec%%|*}
        rest=${spec#*|}
        set -- $(bench_wrk 2 "$C" "${rest%%|*}" "${rest#*|}")
        printf '%-34s %6s %10s %9s %9s %7s\n' "$name" "$label" "$1" "$2" "$3" "$4"
        [ "$warm" = warm ] || echo "$name|$label|$3" >>"$dir/p99"
    done
}
# phase off|on: the policy put in force (re-planning every open report),
# a warm-up that is not recorded (caches, and the writes the re-planning
# left in the WAL), then the calls measured.
phase() {
    sent0=$(wc -l <"$dir/posts.log")
    if [ "$1" = on ]; then
        ms=$(put_policy "$on")
        echo "  reminders on: $(planned) obligations' ladders planned in $ms ms (PUT /api/v1/reminders/policy)"
    else
        ms=$(put_policy "$off")
        echo "  reminders off: $ms ms (PUT /api/v1/reminders/policy, every planned job cancelled)"
    fi
    label=$1
    each=$SECONDS_EACH
    SECONDS_EACH=2
    measure warm >/dev/null
    SECONDS_EACH=$each
    measure
    [ "$1" = off ] || echo "  send loop: $(($(wc -l <"$dir/posts.log") - sent0)) webhooks sent meanwhile"
    [ "$1" = off ] || loop_alone
}
# What the send loop alone asks of the one writer: changes per 100 webhooks
# over 3 s without API load (machine-independent, unlike the p99).
changes() { api GET /metrics | awk '$1 == "meldpunt_db_changes_total" { print $2 }'; }
loop_alone() {
    c0=$(changes)
    p0=$(wc -l <"$dir/posts.log")
    sleep 3
    c1=$(changes)
    p1=$(wc -l <"$dir/posts.log")
    echo "  send loop alone for 3 s: $((p1 - p0)) webhooks, $((c1 - c0)) writer changes" \
        "($(awk -v c=$((c1 - c0)) -v p=$((p1 - p0)) 'BEGIN { printf "%.1f", p ? 100 * c / p : 0 }') per 100 webhooks)"
}
: >"$dir/p99"
round=0
while [ "$round" -lt "$ROUNDS" ]; do
    round=$((round + 1))
    # off first in odd rounds, on first in even ones: neither always
    # follows the other's writes
    if [ $((round % 2)) = 1 ]; then phase off; phase on; else phase on; phase off; fi
done
echo "load average at the end: $(load)"
echo "p99 with reminders on / off (mean of $ROUNDS rounds):"
awk -F'|' '{ s[$1 "|" $2] += $3; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
    END { for (i = 1; i <= n; i++) { k = order[i]; printf "  %-34s %7.3f ms / %7.3f ms = %.2f\n", k,
          s[k "|on"] / '"$ROUNDS"', s[k "|off"] / '"$ROUNDS"', s[k "|on"] / s[k "|off"] } }' "$dir/p99"
