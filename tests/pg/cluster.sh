#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# cluster.sh - a throwaway PostgreSQL cluster for the tests (issue 23).
#   tests/pg/cluster.sh start DIR   initdb in DIR/data, start it on a free
#                                   loopback port, print the environment
#                                   (also kept in DIR/env) the tests read:
#                                     MELDPUNT_PG_CONNINFO  a libpq conninfo
#                                                           without password
#                                     MELDPUNT_PG_PASSWORD_FILE  its password
#                                     MELDPUNT_PG_DIR       DIR
#   tests/pg/cluster.sh stop DIR    stop it (immediate) and remove DIR
#
# PostgreSQL 15 from Debian (packaging/install-deps.sh installs postgresql).
# Listens on 127.0.0.1 only, its socket inside DIR; password authentication
# (scram-sha-256) for the superuser "meldpunt", so the tests go through the
# same password-file path as a real deployment.  initdb and postgres refuse
# to run as root: as root the cluster is run by the user "nobody", which
# then owns DIR.
set -eu

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

# A free TCP port on 127.0.0.1, asked of the kernel.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
    [ -x "$PGBIN/initdb" ] || { echo "cluster.sh: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    chmod 0700 "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody "$dir"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password"
    chmod 0600 "$dir/password"
    [ "$(id -u)" -eq 0 ] && chown nobody "$dir/password"
    as_owner "$PGBIN/initdb" -D "$dir/data" -U meldpunt --pwfile="$dir/password" \
        --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    # A port can be taken between asking and binding: try a few.
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c fsync=off -c max_connections=50" \
            start >/dev/null 2>&1; then
            break
        fi
        port=
    done
    [ -n "$port" ] || { tail -n 20 "$dir/server.log" >&2; exit 1; }
    {
        echo "MELDPUNT_PG_CONNINFO='host=127.0.0.1 port=$port user=meldpunt dbname=postgres'"
        echo "MELDPUNT_PG_PASSWORD_FILE=$dir/password"
        echo "MELDPUNT_PG_DIR=$dir"
    } >"$dir/env"
    # the tests (any user) read the password file
    chmod 0644 "$dir/password" "$dir/env"
    chmod 0711 "$dir"
    cat "$dir/env"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
