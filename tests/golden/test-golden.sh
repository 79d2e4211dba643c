#!/usr/bin/env bash
# tests/golden/test-golden.sh: each bundle (tests/golden/specs built with the writer,
# and samples/) gives exactly its expected markdown, JSON and text (plain, coloured) report; a diff on failure.
# tests/golden/update.sh regenerates the expected files.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=common.sh
. "$TOP/tests/golden/common.sh"

if ! build_mkbundle 2>"$T/cc.err"; then
	fail "build mkbundle" "$(head -3 "$T/cc.err")"
	finish
fi
check "build the spec bundles with the writer" build_specs

while read -r name dir prefix; do
	for fmt in md json txt color.txt; do
		want=$prefix.expected.$fmt
		if [ ! -e "$want" ]; then
			fail "golden $name.$fmt" "no $want (run tests/golden/update.sh)"
			continue
		fi
		rc=0
		case $fmt in
		md) (cd "$dir" && "$ANALYZE" "$name.tar.gz") >"$T/got" 2>"$T/err" || rc=$? ;;
		json) (cd "$dir" && "$ANALYZE" -f json "$name.tar.gz") >"$T/got" 2>"$T/err" || rc=$? ;;
		# The terminal report at 80 columns, plain (piped) and coloured (forced).
		txt) (cd "$dir" && COLUMNS=80 "$ANALYZE" -f text "$name.tar.gz") >"$T/got" 2>"$T/err" || rc=$? ;;
		color.txt) (cd "$dir" && COLUMNS=80 "$ANALYZE" -f text --color=always "$name.tar.gz") >"$T/got" 2>"$T/err" || rc=$? ;;
		esac
		if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
			fail "golden $name.$fmt" "exit $rc: $(head -c 300 "$T/err")"
		elif diff -u "$want" "$T/got" >"$T/diff"; then
			pass "golden $name.$fmt"
		else
			fail "golden $name.$fmt" "report differs from $want"
			head -60 "$T/diff"
		fi
	done
	# The exit status follows the findings: 1 when one is at error or above.
	rc=0
	(cd "$dir" && "$ANALYZE" -f json -o "$T/r.json" "$name.tar.gz") 2>/dev/null || rc=$?
	want=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(1 if any(f["severity"] in ("critical","error") for f in d["findings"]) else 0)' "$T/r.json" 2>/dev/null)
	if [ "$rc" = "$want" ]; then pass "exit status of $name ($rc)"; else fail "exit status of $name" "exit $rc, findings say $want"; fi
done < <(golden_cases)
finish
