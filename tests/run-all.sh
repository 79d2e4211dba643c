#!/usr/bin/env bash
# tests/run-all.sh: every suite of `make check`, then one line over all of them.
# A suite line "SUMMARY: text" is echoed below the suite's own line.
# Unit tests are cmocka binaries (run twice: plain and ASan+UBSan); the shell
# suites print PASS:/FAIL: lines (tests/lib.sh).
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
passed=0 failed=0
failures=()
log=$(mktemp -d /tmp/triage-check.XXXXXX)
trap 'rm -rf "$log"' EXIT

export ASAN_OPTIONS=detect_stack_use_after_return=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_unit() { # SUITE BINARY
	local suite=$1 bin=$2 name out p f rc=0
	name=$suite/$(basename "$bin")
	out=$log/$(echo "$name" | tr / _).log
	"$bin" >"$out" 2>&1 || rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	passed=$((passed + p)) failed=$((failed + f))
	printf '%-40s %3d passed, %d failed\n' "$name" "$p" "$f"
	if [ "$f" != 0 ]; then failures+=("$name"); sed 's/^/    /' "$out" | tail -40; fi
}

run_shell() { # SUITE SCRIPT
	local suite=$1 script=$2 name out p f rc=0 start
	name=$suite/$(basename "$script" .sh)
	out=$log/$(echo "$name" | tr / _).log
	start=$(date +%s)
	BUILD=${SUITE_BUILD:-$TOP/build} bash "$script" >"$out" 2>&1 || rc=$?
	p=$(grep -c '^PASS: ' "$out")
	f=$(grep -c '^FAIL: ' "$out")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "FAIL: $name: exited $rc" >>"$out"; fi
	if [ "$p" = 0 ] && [ "$f" = 0 ]; then f=1; echo "FAIL: $name: checked nothing" >>"$out"; fi
	passed=$((passed + p)) failed=$((failed + f))
	printf '%-40s %3d passed, %d failed (%ds)\n' "$name" "$p" "$f" $(( $(date +%s) - start ))
	# A suite's own totals (e.g. the redaction corpus' 'N forms × K kinds: …') shown under its line.
	sed -n 's/^SUMMARY: /    /p' "$out"
	if [ "$f" != 0 ]; then failures+=("$name"); grep -E '^FAIL: ' "$out" | sed 's/^/    /' | head -20; tail -15 "$out" | sed 's/^/    | /'; fi
}

# tests/run-all.sh SUITE...: only those shell suites (make check-dist runs `dist`).
suites="integration redact golden hostile nspawn fuzz dist"
if [ $# -gt 0 ]; then suites=$*; else
	for b in build/tests/test_*; do [ -x "$b" ] && run_unit unit "$b"; done
	for b in build-asan/tests/test_*; do [ -x "$b" ] && run_unit unit-asan "$b"; done
fi
for suite in $suites; do
	for s in tests/$suite/test-*.sh; do
		[ -f "$s" ] && run_shell "$suite" "$s"
	done
done

echo
if [ ${#failures[@]} -gt 0 ]; then echo "failed suites: ${failures[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
