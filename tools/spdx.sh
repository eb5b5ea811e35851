#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# spdx.sh - every source file names its licence (SPDX-License-Identifier:
# EUPL-1.2) in its first lines.
#   tools/spdx.sh          lists the files that do not, exit 1 when any
#   tools/spdx.sh --add    adds the line to those that do not
# The sources: what git knows of C, JavaScript, CSS, HTML, shell and Lua,
# and the Makefile (data files such as JSON cannot carry a comment); not
# web/vendor/, third-party code under its own licence.
set -eu
cd "$(dirname "$0")/.."
tag='SPDX-License-Identifier: EUPL-1.2'
add=${1:-}
missing=0
for f in $(git ls-files -co --exclude-standard -- '*.c' '*.h' '*.js' '*.mjs' '*.css' '*.html' \
        '*.sh' '*.lua' Makefile .ci/run packaging/debian/rules); do
    [ -f "$f" ] || continue
    case "$f" in web/vendor/*) continue ;; esac # third-party, under its own licence (web/vendor/README)
    head -n 3 "$f" | grep -q "$tag" && continue
    if [ "$add" != --add ]; then
        echo "spdx: $f has no '$tag' line"
        missing=1
        continue
    fi
    case "$f" in
    *.c | *.h | *.css) line="/* $tag */" ;;
    *.js | *.mjs) line="// $tag" ;;
    *.lua) line="-- $tag" ;;
    *.html) line="<!-- $tag -->" ;;
    *) line="# $tag" ;;
    esac
    first=$(head -n 1 "$f")
    case "$first" in
    '#!'* | '<!doctype'* | '<!DOCTYPE'*) # the first line must stay first
        { echo "$first"; echo "$line"; tail -n +2 "$f"; } > "$f.spdx" ;;
    *) { echo "$line"; cat "$f"; } > "$f.spdx" ;;
    esac
    cat "$f.spdx" > "$f" # keep the file's mode
    rm -f "$f.spdx"
done
exit $missing
