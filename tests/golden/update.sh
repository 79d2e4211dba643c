#!/usr/bin/env bash
# tests/golden/update.sh: regenerates the expected reports (markdown, JSON, text, and the Chinese
# markdown and HTML) of every spec bundle and sample.  Review the diff (git diff) before committing it.
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
golden_cases | while read -r name dir prefix; do
	# Run from the bundle's folder with a relative path: reports name the bundle as given.
	(cd "$dir" && "$ANALYZE" "$name.tar.gz" >"$prefix.expected.md" || [ $? = 1 ])
	(cd "$dir" && "$ANALYZE" -f json "$name.tar.gz" >"$prefix.expected.json" || [ $? = 1 ])
	# The Chinese reports (tests/golden/test-zh.sh).
	(cd "$dir" && "$ANALYZE" --lang zh "$name.tar.gz" >"$prefix.expected.zh.md" || [ $? = 1 ])
	(cd "$dir" && "$ANALYZE" --lang zh -f html "$name.tar.gz" >"$prefix.expected.zh.html" || [ $? = 1 ])
	(cd "$dir" && COLUMNS=80 "$ANALYZE" --lang zh -f text "$name.tar.gz" >"$prefix.expected.zh.txt" || [ $? = 1 ])
	(cd "$dir" && COLUMNS=80 "$ANALYZE" -f text "$name.tar.gz" >"$prefix.expected.txt" || [ $? = 1 ])
	(cd "$dir" && COLUMNS=80 "$ANALYZE" -f text --color=always "$name.tar.gz" >"$prefix.expected.color.txt" || [ $? = 1 ])
	echo "updated $prefix.expected.{md,json,txt,color.txt,zh.md,zh.html,zh.txt}"
done
baseline_cases | while read -r name old new; do
	for fmt in md html json txt; do
		f=markdown; [ $fmt = md ] || f=$fmt; [ $fmt = txt ] && f=text
		(cd "$TOP/samples" && COLUMNS=80 "$ANALYZE" -f $f --baseline "$old.tar.gz" "$new.tar.gz" \
			>"$GOLDEN/expected/baseline-$name.expected.$fmt" || [ $? = 1 ])
	done
	echo "updated $GOLDEN/expected/baseline-$name.expected.{md,html,json,txt}"
done
