#!/usr/bin/env bash
# tests/fuzz/run.sh: `make fuzz FUZZ_SECONDS=N` — builds the libFuzzer targets and runs each for N seconds.
# usage: tests/fuzz/run.sh SECONDS [TARGET...]   (TARGET: bundle_reader, manifest, ...; default all)
# New inputs accumulate in build-fuzz/work/<target>/ (the seeds in tests/fuzz/corpus/<target>/ are
# read, never written); a crash is saved as tests/fuzz/artifacts/<target>-crash-*.  One job per
# target, one target at a time.  Exit status 1 when any target found something.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-60}
[ $# -gt 0 ] && shift	# the seconds; the rest are targets
if [ -z "${FUZZ_NOBUILD:-}" ]; then	# FUZZ_NOBUILD=1: use the targets as built (parallel runs)
	make --no-print-directory -s fuzz-build >/dev/null || { echo "fuzz: building the targets failed" >&2; exit 1; }
fi

targets=("$@")
if [ ${#targets[@]} = 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do t=${f#tests/fuzz/fuzz_}; targets+=("${t%.c}"); done
fi
mkdir -p tests/fuzz/artifacts
bad=0
for t in "${targets[@]}"; do
	bin=build-fuzz/fuzz_$t
	[ -x "$bin" ] || { echo "fuzz_$t: no such target" >&2; bad=1; continue; }
	work=build-fuzz/work/$t
	log=build-fuzz/work/$t.log
	mkdir -p "$work" "tests/fuzz/corpus/$t"
	rc=0
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="tests/fuzz/artifacts/$t-" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -aoE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
	if [ "$rc" = 0 ]; then
		echo "fuzz_$t: ${runs:-?} executions in ${secs}s, ${cov:-no coverage line}, corpus $(ls "$work" | wc -l), no crash"
	else
		bad=1
		echo "fuzz_$t: FOUND A PROBLEM after ${runs:-?} executions (exit $rc); log $log"
		grep -aE '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)|Test unit written' "$log" | head -5 | sed 's/^/    /'
	fi
done
exit $bad
