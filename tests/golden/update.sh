#!/usr/bin/env bash
# tests/golden/update.sh: regenerates the expected reports (markdown, JSON, HTML, text, and the Chinese
# markdown, HTML and text) of every spec bundle and sample, with their exit status and standard error.
# Review the diff (git diff) before committing it.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
ANALYZE=${ANALYZE:-$BUILD/triage-analyze}
T=$(mktemp -d /tmp/triage-golden.XXXXXX)
trap 'rm -rf "$T"' EXIT
# shellcheck source=common.sh
. "$TOP/tests/golden/common.sh"
build_mkbundle
build_specs
mkdir -p "$GOLDEN/expected"
# out PREFIX EXT DIR CMD...: runs CMD in DIR, its standard output into PREFIX.expected.EXT.  The
# markdown run (EXT md) writes its exit status and standard error (PREFIX.expected.status, .stderr;
# zh.md writes .zh.stderr): every format must give the same (tests/golden/test-golden.sh and
# test-zh.sh check each); a run that differs, or an exit status other than 0 or 1 (a report not
# written), stops the update.
out() {
	local prefix=$1 ext=$2 dir=$3 rc=0 err; shift 3
	err=$prefix.expected.stderr
	case $ext in zh.*) err=$prefix.expected.zh.stderr ;; esac
	(cd "$dir" && "$@") >"$prefix.expected.$ext" 2>"$T/err" || rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
		echo "update.sh: $* (in $dir): exit $rc: $(head -c 300 "$T/err")" >&2
		return 1
	fi
	if [ "$ext" = md ]; then echo "$rc" >"$prefix.expected.status"; fi
	if [ "$ext" = md ] || [ "$ext" = zh.md ]; then cp "$T/err" "$err"; fi
	if [ "$rc" != "$(cat "$prefix.expected.status")" ] || ! cmp -s "$T/err" "$err"; then
		echo "update.sh: $* (in $dir): exit $rc or its stderr differs from the markdown run's" >&2
		return 1
	fi
}
golden_cases | while read -r name dir prefix; do
	# Run from the bundle's folder with a relative path: reports name the bundle as given.
	out "$prefix" md "$dir" "$ANALYZE" "$name.tar.gz"
	out "$prefix" json "$dir" "$ANALYZE" -f json "$name.tar.gz"
	out "$prefix" html "$dir" "$ANALYZE" -f html "$name.tar.gz"
	out "$prefix" txt "$dir" env COLUMNS=80 "$ANALYZE" -f text "$name.tar.gz"
	out "$prefix" color.txt "$dir" env COLUMNS=80 "$ANALYZE" -f text --color=always "$name.tar.gz"
	# The Chinese reports (tests/golden/test-zh.sh).
	out "$prefix" zh.md "$dir" "$ANALYZE" --lang zh "$name.tar.gz"
	out "$prefix" zh.html "$dir" "$ANALYZE" --lang zh -f html "$name.tar.gz"
	out "$prefix" zh.txt "$dir" env COLUMNS=80 "$ANALYZE" --lang zh -f text "$name.tar.gz"
	echo "updated $prefix.expected.{md,json,html,txt,color.txt,status,stderr,zh.md,zh.html,zh.txt,zh.stderr}"
done
baseline_cases | while read -r name old new; do
	b=$GOLDEN/expected/baseline-$name
	out "$b" md "$TOP/samples" env COLUMNS=80 "$ANALYZE" -f markdown --baseline "$old.tar.gz" "$new.tar.gz"
	out "$b" html "$TOP/samples" env COLUMNS=80 "$ANALYZE" -f html --baseline "$old.tar.gz" "$new.tar.gz"
	out "$b" json "$TOP/samples" env COLUMNS=80 "$ANALYZE" -f json --baseline "$old.tar.gz" "$new.tar.gz"
	out "$b" txt "$TOP/samples" env COLUMNS=80 "$ANALYZE" -f text --baseline "$old.tar.gz" "$new.tar.gz"
	echo "updated $b.expected.{md,html,json,txt,status,stderr}"
done
# The rule-language error cases (tests/golden/rules-bad/README.md): --check-rules' stderr, exit 2.
for y in "$GOLDEN"/rules-bad/bad-*.yaml; do
	c=$(basename "$y" .yaml)
	rc=0
	(cd "$GOLDEN/rules-bad" && "$ANALYZE" --check-rules -r "$c.yaml" >/dev/null 2>"$c.err") || rc=$?
	if [ "$rc" != 2 ]; then
		echo "update.sh: --check-rules -r $y: exit $rc, wanted 2" >&2
		exit 1
	fi
done
echo "updated $GOLDEN/rules-bad/bad-*.err"
