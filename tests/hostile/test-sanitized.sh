#!/usr/bin/env bash
# test-sanitized.sh: the golden inputs (samples/*.tar.gz) and a few hostile bundles through the
# ASan+UBSan build of triage-analyze (same output as the plain build, no sanitizer report) and
# through valgrind on the plain build (no error, no leak); then triage-collect, both builds, on a
# system tree with --root, and its bundle analyzed.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/hostile-lib.sh"

ASAN_BUILD=${ASAN_BUILD:-$TOP/build-asan}
AANALYZE=$ASAN_BUILD/triage-analyze
ACOLLECT=$ASAN_BUILD/triage-collect
export ASAN_OPTIONS=detect_stack_use_after_return=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
VALGRIND=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,possible
	--errors-for-leak-kinds=definite,possible --suppressions="$HDIR/valgrind.supp")
for b in "$AANALYZE" "$ACOLLECT"; do
	[ -x "$b" ] || { fail "sanitizer build" "$b is missing (make BUILD=build-asan SAN=1 all)"; finish; }
done
command -v valgrind >/dev/null || { fail "valgrind" "not installed (scripts/deps.sh)"; finish; }

inputs=()
for s in "$TOP"/samples/*.tar.gz; do [ -f "$s" ] && inputs+=("$s"); done
gen_many neutralise journal-message-types integrity-hash config-alias-bomb journal-nul || fail generators "gen.py failed"
for c in neutralise journal-message-types integrity-hash config-alias-bomb journal-nul; do inputs+=("$T/in/$c"); done

# same NAME: runs the plain and the sanitized analyzer with ARGS; same stdout and status, clean stderr.
same() {
	local name=$1; shift
	local rc1=0 rc2=0 why=""
	(cd "$T" && "$ANALYZE" "$@" >"$T/plain.out" 2>"$T/plain.err") || rc1=$?
	(cd "$T" && "$AANALYZE" "$@" >"$T/asan.out" 2>"$T/asan.err") || rc2=$?
	[ "$rc1" = "$rc2" ] || why+="exit $rc1 plain, $rc2 sanitized; "
	case $rc1 in 0|1) ;; *) why+="exit $rc1; " ;; esac
	cmp -s "$T/plain.out" "$T/asan.out" || why+="output differs: $(diff "$T/plain.out" "$T/asan.out" | head -3 | tr '\n' ' '); "
	if grep -qE 'Sanitizer|runtime error' "$T/asan.err"; then why+="$(grep -m2 -E 'Sanitizer|runtime error' "$T/asan.err" | tr '\n' ' '); "; fi
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

# clean NAME: valgrind on the plain build: no memory error, no leak.
clean() {
	local name=$1; shift
	local rc=0
	(cd "$T" && "${VALGRIND[@]}" "$@" >/dev/null 2>"$T/vg.err") || rc=$?
	if [ "$rc" != 99 ] && ! grep -q '^==[0-9]*== ' "$T/vg.err"; then pass "$name"; else
		fail "$name" "valgrind: $(grep -m3 '^==' "$T/vg.err" | tr '\n' ' ')"; fi
}

for in in "${inputs[@]}"; do
	n=$(basename "$in" .tar.gz)
	for fmt in markdown html json text; do
		same "asan $n $fmt" -f "$fmt" "$in"
	done
	COLUMNS=33 same "asan $n text (colour, 33 columns)" -f text --color=always "$in"
	clean "valgrind $n" "$ANALYZE" -f html "$in"
	# The text writer under valgrind on the hostile inputs (the samples run it under ASan above).
	case $in in "$T"/in/*) clean "valgrind $n text" "$ANALYZE" -f text --color=always "$in" ;; esac
done
same "asan check-rules" --check-rules
clean "valgrind check-rules" "$ANALYZE" --check-rules
# Refusals under the sanitizers and valgrind too.
check "generate the refusal cases" gen_many dotdot manifest-deep truncated flood-dirs
for c in dotdot manifest-deep truncated flood-dirs; do
	rc=0; "$AANALYZE" "$T/in/$c" >/dev/null 2>"$T/asan.err" || rc=$?
	if [ "$rc" = 2 ] && ! grep -qE 'Sanitizer|runtime error' "$T/asan.err"; then pass "asan refuses $c"; else
		fail "asan refuses $c" "exit $rc: $(head -c 300 "$T/asan.err")"; fi
	rc=0; "${VALGRIND[@]}" "$ANALYZE" "$T/in/$c" >/dev/null 2>"$T/vg.err" || rc=$?
	if [ "$rc" = 2 ] && ! grep -q '^==[0-9]*== ' "$T/vg.err"; then pass "valgrind refuses $c"; else
		fail "valgrind refuses $c" "exit $rc: $(grep -m3 '^==' "$T/vg.err" | tr '\n' ' ')"; fi
done

# The collector on a system tree (--root; no bus, no probes), sanitized and under valgrind.
R=$T/root
mkdir -p "$R/etc/onboarding-agent" "$R/etc/systemd/system"
cat >"$R/etc/onboarding-agent/onboarding.config.yaml" <<'YAML'
apiVersion: config.agent.onboarding.tetrate.io/v1alpha1
kind: OnboardingConfiguration
onboardingEndpoint:
  host: onboarding.example.invalid
workloadGroup: {namespace: bookinfo, name: ratings}
credentials:
  - env: [{name: EXT_JWT_CLIENT_SECRET, value: s3cr3t-fuzz-value}]
password: &pw hunter2-fuzz
again: *pw
YAML
printf '[Service]\nEnvironment=TOKEN=abc-fuzz-token\nExecStart=/usr/bin/onboarding-agent\n' \
	>"$R/etc/systemd/system/onboarding-agent.service"
printf 'nameserver 127.0.0.53\n' >"$R/etc/resolv.conf"
for b in plain asan valgrind; do
	case $b in
	plain) cmd=("$COLLECT") ;;
	asan) cmd=("$ACOLLECT") ;;
	valgrind) cmd=("${VALGRIND[@]}" "$COLLECT") ;;
	esac
	rc=0
	"${cmd[@]}" -q --root "$R" --no-probe -o "$T/c-$b.tar.gz" >/dev/null 2>"$T/c.err" || rc=$?
	why=""
	[ "$rc" = 0 ] || why+="exit $rc; "
	if grep -qE 'Sanitizer|runtime error|^==[0-9]+== ' "$T/c.err"; then why+="$(grep -m3 -E 'Sanitizer|runtime error|^==' "$T/c.err" | tr '\n' ' '); "; fi
	if [ -z "$why" ]; then pass "collect --root ($b)"; else fail "collect --root ($b)" "$why$(head -c 200 "$T/c.err")"; fi
	[ -f "$T/c-$b.tar.gz" ] && same "asan analyze collected ($b)" -f json "$T/c-$b.tar.gz"
	# Again with the analysis after collection (the analyzer beside each collector, a child process).
	rc=0
	"${cmd[@]}" --analyze --root "$R" --no-probe -o "$T/d-$b.tar.gz" >/dev/null 2>"$T/d.err" || rc=$?
	why=""
	[ "$rc" = 0 ] || why+="exit $rc; "
	grep -q 'What we found:' "$T/d.err" || why+="no analysis shown; "
	if grep -qE 'Sanitizer|runtime error|^==[0-9]+== ' "$T/d.err"; then why+="$(grep -m3 -E 'Sanitizer|runtime error|^==' "$T/d.err" | tr '\n' ' '); "; fi
	if [ -z "$why" ]; then pass "collect --root --analyze ($b)"; else fail "collect --root --analyze ($b)" "$why$(head -c 200 "$T/d.err")"; fi
done
finish
