#!/usr/bin/env bash
# test-smoke.sh: builds every libFuzzer target (clang, ASan, UBSan), replays its seed corpus (every
# hostile case and every past crash) and fuzzes it a few seconds, so CI catches a regression.
# clang and libFuzzer are dependencies (scripts/deps.sh): when missing this fails, it does not skip.
source "$(dirname "$0")/../lib.sh"

SMOKE_SECONDS=${SMOKE_SECONDS:-5}
if ! out=$(cd "$TOP" && make --no-print-directory -s fuzz-build 2>&1); then
	fail "fuzz-build" "$(printf '%s' "$out" | grep -m3 -E 'error|not found' | tr '\n' ' ')"
	finish
fi
pass "fuzz-build"

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
n=0
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c); t=${t#fuzz_}
	bin=$TOP/build-fuzz/fuzz_$t
	seeds=$TOP/tests/fuzz/corpus/$t
	n=$((n + 1))
	if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then fail "fuzz_$t" "no seed corpus in tests/fuzz/corpus/$t"; continue; fi
	mkdir -p "$T/$t" "$TOP/build-fuzz/smoke-artifacts"
	rc=0
	"$bin" -max_total_time="$SMOKE_SECONDS" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$TOP/build-fuzz/smoke-artifacts/$t-" "$T/$t" "$seeds" >"$T/$t.log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$t.log" | tail -1)
	if [ "$rc" = 0 ] && grep -q 'INITED' "$T/$t.log"; then
		pass "fuzz_$t ($(ls "$seeds" | wc -l) seeds replayed, ${runs:-?} executions)"
	else
		fail "fuzz_$t" "exit $rc: $(grep -m2 -E 'ERROR|SUMMARY|runtime error|Test unit written' "$T/$t.log" | tr '\n' ' ')"
	fi
done
[ "$n" -ge 9 ] || fail "fuzz targets" "only $n targets, wanted 9 (bundle_reader manifest journal_line rules_loader yaml_redactor text_redactor html_escape markdown_escape term_escape)"
finish
