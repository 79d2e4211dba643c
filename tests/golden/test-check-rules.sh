#!/usr/bin/env bash
# tests/golden/test-check-rules.sh: --check-rules passes on the shipped rules (built in and
# on disk), and each rule-language error case of tests/golden/rules-bad/ gives exactly its
# FILE:LINE:COLUMN: message lines (bad-NAME.err) and exit 2.
. "$(dirname "$0")/../lib.sh"
GOLDEN=$TOP/tests/golden

expect_status "--check-rules on the built-in rules" 0 "$ANALYZE" --check-rules
expect_status "--check-rules on rules/onboarding-agent.yaml" 0 "$ANALYZE" --check-rules -r "$TOP/rules/onboarding-agent.yaml"
expect_run "analyze --list-rules" 0 "$T/list" "$ANALYZE" --list-rules
for id in agent-unit-not-found agent-unit-not-active agent-restarting onboarding-config-missing \
	onboarding-config-invalid tls-verification-disabled endpoint-dns-unresolvable endpoint-connection-failed \
	endpoint-tls-failed onboarding-policy-denied credential-plugins-failed resolver-no-nameserver \
	endpoint-unresolvable-at-collection bundle-integrity-failed bundle-contains-secret; do
	if grep -q "^$id " "$T/list"; then pass "--list-rules lists $id"; else fail "--list-rules lists $id" "no line starting '$id ' among $(wc -l <"$T/list")"; fi
done
# Every shipped rule carries at least two match and two no_match examples.
check "each shipped rule has >= 2 match and >= 2 no_match examples" python3 - "$TOP/rules/onboarding-agent.yaml" <<'PY'
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))["rules"]
bad = [r["id"] for r in rules if len(r["examples"].get("match", [])) < 2 or len(r["examples"].get("no_match", [])) < 2]
sys.exit(1 if bad or len(rules) < 13 else 0)
PY

# The rule-language errors: tests/golden/rules-bad/bad-NAME.yaml, one mistake each, and bad-NAME.err,
# the exact stderr of --check-rules (FILE:LINE:COLUMN: message, then the count), exit 2 (README.md there).
RB=$GOLDEN/rules-bad
good() { cat "$RB/good.yaml"; }
expect_status "the rule the cases start from (rules-bad/good.yaml) passes" 0 "$ANALYZE" --check-rules -r "$RB/good.yaml"
n=0
for y in "$RB"/bad-*.yaml; do
	c=$(basename "$y" .yaml)
	n=$((n + 1))
	if [ ! -e "$RB/$c.err" ]; then fail "rule error $c" "no $RB/$c.err (run tests/golden/update.sh)"; continue; fi
	rc=0
	(cd "$RB" && "$ANALYZE" --check-rules -r "$c.yaml") >"$T/out" 2>"$T/err" || rc=$?
	why=""
	[ "$rc" = 2 ] || why+="--check-rules exit $rc, wanted 2; "
	cmp -s "$RB/$c.err" "$T/err" || why+="stderr differs from $c.err: $(diff "$RB/$c.err" "$T/err" | head -6 | tr '\n' '|'); "
	if [ -z "$why" ]; then pass "rule error $c: $(head -n 1 "$T/err" | cut -d: -f2,3)"; else fail "rule error $c" "$why"; fi
	# Analysis with the same rules refuses too, with one line naming the file and the first problem;
	# bad-check-*: what only --check-rules checks (examples, the Chinese texts), the analysis goes on.
	rc=0
	(cd "$RB" && "$ANALYZE" -r "$c.yaml" "$TOP/samples/healthy.tar.gz") >"$T/out" 2>"$T/err" || rc=$?
	first="triage-analyze: $(head -n 1 "$RB/$c.err")"
	case $c in
	bad-check-*)
		if [ "$rc" = 0 ] && [ ! -s "$T/err" ] && [ -s "$T/out" ]; then pass "analysis runs (what only --check-rules checks): $c"
		else fail "analysis runs (what only --check-rules checks): $c" "exit $rc (wanted 0), stderr '$(head -c 200 "$T/err")', $(wc -c <"$T/out") bytes of report"; fi ;;
	*)
		why=""
		[ "$rc" = 2 ] || why+="exit $rc, wanted 2; "
		[ "$(wc -l <"$T/err")" = 1 ] || why+="$(wc -l <"$T/err") lines on stderr, wanted 1; "
		case $(cat "$T/err") in "$first"|"$first (and "*" more problem"*": run --check-rules)") ;;
		*) why+="the line is not '$first' [(and N more problems...)]: '$(head -c 300 "$T/err")'; " ;; esac
		[ -s "$T/out" ] && why+="a report on stdout; "
		if [ -z "$why" ]; then pass "analysis refuses bad rules: $c"; else fail "analysis refuses bad rules: $c" "$why"; fi ;;
	esac
done
if [ "$n" -ge 50 ]; then pass "$n rule-error cases in $RB"; else fail "rule-error cases in $RB" "only $n (wanted >= 50: was a case lost?)"; fi
# A duplicate id across two files (each valid alone).
cp "$RB/good.yaml" "$T/a.yaml"
cp "$RB/good.yaml" "$T/b.yaml"
rc=0
"$ANALYZE" --check-rules -r "$T/a.yaml" -r "$T/b.yaml" >"$T/out" 2>"$T/err" || rc=$?
if [ "$rc" = 2 ] && [ "$(head -n 1 "$T/err")" = "$T/b.yaml:4:5: duplicate rule id 'demo-rule' (first at $T/a.yaml:4:5)" ]; then
	pass "rule error: duplicate id across files (4:5)"
else
	fail "rule error: duplicate id across files" "exit $rc (wanted 2); first line '$(head -n 1 "$T/err")', wanted '$T/b.yaml:4:5: duplicate rule id ...'"
fi
# A folder of rules adds to the built-in ones; --no-builtin-rules drops those.
mkdir -p "$T/rules.d"
good >"$T/rules.d/10-demo.yaml"
expect_run "analyze --list-rules -r rules.d" 0 "$T/list" "$ANALYZE" --list-rules -r "$T/rules.d"
if grep -q '^demo-rule ' "$T/list" && grep -q '^endpoint-dns-unresolvable ' "$T/list"; then
	pass "-r FOLDER adds to the built-in rules"
else
	fail "-r FOLDER adds to the built-in rules" "$(cat "$T/list")"
fi
expect_run "analyze --list-rules --no-builtin-rules -r rules.d" 0 "$T/list" "$ANALYZE" --list-rules --no-builtin-rules -r "$T/rules.d"
if grep -q '^demo-rule ' "$T/list" && ! grep -q '^endpoint-dns-unresolvable ' "$T/list"; then
	pass "--no-builtin-rules -r FOLDER: only those rules"
else
	fail "--no-builtin-rules -r FOLDER: only those rules" "$(cat "$T/list")"
fi
expect_status "--no-builtin-rules without -r is a usage error" 2 "$ANALYZE" --list-rules --no-builtin-rules
# A catastrophic pattern: the match limit stops it, the run goes on and says so.
cat >"$T/slow.yaml" <<'Y'
rules:
  - id: slow-rule
    title: Backtracks
    severity: info
    message: "slow {seen}"
    when:
      journal:
        match: '(a+)+b'
    examples:
      match: ["aab", "ab"]
      no_match: ["b", "ccc"]
Y
check "a backtracking pattern passes --check-rules" "$ANALYZE" --check-rules -r "$T/slow.yaml"
finish
