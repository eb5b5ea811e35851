#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# install-deps.sh - install the Debian packages meldpunt's build, tests and
# benchmarks need.  Idempotent and quiet when everything is there; installs
# only what is missing.  Needs root (or sudo) only when something is missing.
#   packaging/install-deps.sh       what make run, make test and make install need
#   packaging/install-deps.sh deb   also what make deb needs (debhelper, lintian)
set -eu

PACKAGES="build-essential pkg-config
libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libinih-dev libarchive-dev libyaml-dev libcurl4-openssl-dev liboath-dev libgnutls28-dev libfido2-dev libcbor-dev check
sqlite3 curl wrk faketime nginx nodejs minisign prometheus prometheus-alertmanager clang-format unzip openssl scdoc python3 python3-icalendar python3-aiosmtpd python3-jsonschema npm chromium
clang-14 libclang-rt-14-dev
glewlwyd
postgresql libpq-dev"
if [ "${1:-}" = deb ]; then
    PACKAGES="$PACKAGES dpkg-dev debhelper lintian fakeroot pkgconf"
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# A newer Node.js from elsewhere on PATH is fine too (it brings npx, which
# make lint-openapi uses; Debian's nodejs needs the npm package for it).
case " $missing " in
*" nodejs "*) command -v node >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ nodejs//') ;;
esac
# Node.js from elsewhere brings its own npm.
case " $missing " in
*" npm "*) command -v npm >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ npm//') ;;
esac

[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "install-deps: these Debian packages are missing:$missing" >&2
        echo "install-deps: run as root, or: apt-get install$missing" >&2
        exit 1
    fi
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done" >&2
