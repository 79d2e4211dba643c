#!/usr/bin/env bash
# tests/golden/test-golden.sh: each bundle (tests/golden/specs built with the writer,
# and samples/) gives exactly its expected markdown, JSON, HTML and text (plain, coloured) report, exit
# status (PREFIX.expected.status) and standard error (PREFIX.expected.stderr); a diff on failure.
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
	# Each format: the report, exit status and stderr, byte for byte (golden_run, common.sh).
	# Run from the bundle's folder with a relative path: reports name the bundle as given.
	golden_run "$name" "$prefix" md "$dir" "$ANALYZE" "$name.tar.gz"
	golden_run "$name" "$prefix" json "$dir" "$ANALYZE" -f json "$name.tar.gz"
	golden_run "$name" "$prefix" html "$dir" "$ANALYZE" -f html "$name.tar.gz"
	# The terminal report at 80 columns, plain (piped) and coloured (forced).
	golden_run "$name" "$prefix" txt "$dir" env COLUMNS=80 "$ANALYZE" -f text "$name.tar.gz"
	golden_run "$name" "$prefix" color.txt "$dir" env COLUMNS=80 "$ANALYZE" -f text --color=always "$name.tar.gz"
	# The exit status follows the findings: 1 when one is at error or above.
	rc=0
	(cd "$dir" && "$ANALYZE" -f json -o "$T/r.json" "$name.tar.gz") 2>"$T/err" || rc=$?
	if ! want=$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(1 if any(f["severity"] in ("critical","error") for f in d["findings"]) else 0)' "$T/r.json" 2>&1); then
		fail "exit status of $name follows its findings" "exit $rc; the -o report is not JSON with findings: $want $(head -c 200 "$T/err")"
	elif [ "$rc" = "$want" ]; then pass "exit status of $name follows its findings ($rc)"
	else fail "exit status of $name follows its findings" "exit $rc, wanted $want (1 when a finding is at error or above)"; fi
done < <(golden_cases)
finish
