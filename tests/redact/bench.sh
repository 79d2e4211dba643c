#!/usr/bin/env bash
# tests/redact/bench.sh: ns per journal line of redact_text_maybe() and redact_text(); not part of make check.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
make --no-print-directory BUILD="$BUILD" "$BUILD/libtriage.a" >/dev/null
cc -O2 -D_GNU_SOURCE -Icommon $(pkg-config --cflags jansson) -o "$BUILD/bench-redact" \
	tests/redact/bench-redact.c "$BUILD/libtriage.a" \
	$(pkg-config --libs jansson yaml-0.1 libpcre2-8 nettle)
"$BUILD/bench-redact" "${1:-1000000}"
