#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# install-and-start.sh - the Debian package, installed into a throwaway root
# and started: `make deb-test` (after `make deb`).
#
# The .deb is unpacked with dpkg-deb into a temporary root (no dpkg database
# and no root rights needed; the maintainer script's one action, making the
# signing-key credential, is replayed).  Then: the files land where Debian
# and the unit expect them, /etc files are conffiles, the installed config
# passes --check-config, the unit's exposure score is at most 2.0, and the
# installed binary serves with the credential as its signing key: /readyz
# answers 200 and SIGTERM stops it with exit 0.
set -eu

deb=${1:?usage: install-and-start.sh PACKAGE.deb}
root=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT
fail() {
    echo "deb-test: FAILED: $*" >&2
    exit 1
}

dpkg-deb -x "$deb" "$root/fs"
dpkg-deb -e "$deb" "$root/control"
fs=$root/fs

for f in usr/bin/meldpunt etc/meldpunt/meldpunt.conf etc/meldpunt/rules/nis2.json \
         etc/meldpunt/detection etc/meldpunt/assessment/questions.json \
         usr/share/man/man8/meldpunt.8.gz usr/share/man/man5/meldpunt.conf.5.gz \
         lib/systemd/system/meldpunt.service usr/share/doc/meldpunt/OPERATIONS.md.gz \
         usr/share/doc/meldpunt/INTEGRATION.md.gz usr/share/doc/meldpunt/copyright; do
    [ -e "$fs/$f" ] || fail "/$f is not in the package"
done
grep -qx /etc/meldpunt/meldpunt.conf "$root/control/conffiles" || fail "meldpunt.conf is not a conffile"
grep -qx /etc/meldpunt/rules/nis2.json "$root/control/conffiles" || fail "the rules are not conffiles"
grep -q 'meldpunt key generate /etc/credstore/meldpunt.signing.key' "$root/control/postinst" ||
    fail "postinst does not make the signing key"
grep -qx 'data_dir = /var/lib/meldpunt' "$fs/etc/meldpunt/meldpunt.conf" || fail "data_dir"
sed -n '/^\[rules\]/,/^\[/p' "$fs/etc/meldpunt/meldpunt.conf" | grep -qx 'dir = /etc/meldpunt/rules' ||
    fail "rules dir"
sed -n '/^\[detection\]/,/^\[/p' "$fs/etc/meldpunt/meldpunt.conf" | grep -qx 'dir = /etc/meldpunt/detection' ||
    fail "detection dir"
sed -n '/^\[assessment\]/,/^\[/p' "$fs/etc/meldpunt/meldpunt.conf" | grep -qx 'dir = /etc/meldpunt/assessment' ||
    fail "assessment dir"
man -l "$fs/usr/share/man/man8/meldpunt.8.gz" 2>/dev/null | grep -q 'restore FILE' ||
    fail "meldpunt(8) does not render"

# hardening flags from dpkg-buildflags reached the binary
if command -v hardening-check >/dev/null 2>&1; then
    hardening-check "$fs/usr/bin/meldpunt" || fail "hardening-check"
else
    readelf -d "$fs/usr/bin/meldpunt" | grep -q 'BIND_NOW' || fail "no BIND_NOW (relro/now)"
    readelf -h "$fs/usr/bin/meldpunt" | grep -q 'DYN' || fail "not PIE"
    nm -D "$fs/usr/bin/meldpunt" | grep -q '__stack_chk_fail' || fail "no stack protector"
    nm -D "$fs/usr/bin/meldpunt" | grep -q '_chk@' || fail "no fortified functions"
fi

# the unit's exposure score
score=$(systemd-analyze security --offline=yes "$fs/lib/systemd/system/meldpunt.service" 2>/dev/null |
        sed -n 's/.*Overall exposure level for meldpunt.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || fail "systemd-analyze gave no score"
awk "BEGIN { exit !($score <= 2.0) }" || fail "exposure $score > 2.0"
echo "deb-test: systemd-analyze security exposure $score"

# the installed paths, moved into the throwaway root
conf=$root/meldpunt.conf
sed -e "s|^data_dir = /var/lib/meldpunt|data_dir = $root/state|" \
    -e "s|^dir = /etc/meldpunt/rules|dir = $fs/etc/meldpunt/rules|" \
    -e "s|^dir = /etc/meldpunt/detection|dir = $fs/etc/meldpunt/detection|" \
    -e "s|^dir = /etc/meldpunt/assessment|dir = $fs/etc/meldpunt/assessment|" \
    "$fs/etc/meldpunt/meldpunt.conf" > "$conf"
bin=$fs/usr/bin/meldpunt
"$bin" version
"$bin" serve --check-config --config "$conf" || fail "--check-config"

# postinst's credential, then the service's start
mkdir -m 0700 "$root/credentials"
"$bin" key generate "$root/credentials/signing.key"
CREDENTIALS_DIRECTORY=$root/credentials "$bin" serve --config "$conf" --listen 127.0.0.1:0 \
    > "$root/stdout" 2> "$root/stderr" &
pid=$!
url=
for _ in $(seq 1 100); do
    url=$(sed -n 's/.*msg=listening url=\(http:[^ ]*\).*/\1/p' "$root/stderr")
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$root/stderr" >&2; fail "serve exited"; }
    sleep 0.1
done
[ -n "$url" ] || { cat "$root/stderr" >&2; fail "serve did not listen"; }
code=$(curl -s -o "$root/readyz" -w '%{http_code}' "$url/readyz")
[ "$code" = 200 ] || { cat "$root/readyz" >&2; fail "/readyz answered $code"; }
token=$(head -n 1 "$root/stdout")
curl -sf -H "Authorization: Bearer $token" "$url/api/v1/signing-key" > "$root/key.json" ||
    fail "GET /api/v1/signing-key"
curl -sf -H "Authorization: Bearer $token" "$url/api/v1/openapi.json" | grep -q '"openapi":"3.1.0"' ||
    fail "GET /api/v1/openapi.json"
# the release build has no test clock: time cannot be set from outside
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"advance":"P1D"}' "$url/api/v1/test/clock")
[ "$code" = 404 ] || fail "POST /api/v1/test/clock answered $code in the release build"
grep -q "signing key from the credential" "$root/stderr" || fail "the credential was not used"
[ ! -e "$root/state/signing.key" ] || fail "a signing key was written into the state directory"
kill -TERM "$pid"
wait "$pid" || fail "serve exited $? on SIGTERM"
pid=
echo "deb-test: OK ($(basename "$deb") installed into a throwaway root, started, ready, stopped)"
