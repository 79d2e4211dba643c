#!/usr/bin/env bash
# tests/golden/test-check-rules.sh: --check-rules passes on the shipped rules (built in and
# on disk), and each kind of rule-language error gives FILE:LINE:COLUMN: message and exit 2.
. "$(dirname "$0")/../lib.sh"

expect_status "--check-rules on the built-in rules" 0 "$ANALYZE" --check-rules
expect_status "--check-rules on rules/onboarding-agent.yaml" 0 "$ANALYZE" --check-rules -r "$TOP/rules/onboarding-agent.yaml"
"$ANALYZE" --list-rules >"$T/list"
for id in agent-unit-not-found agent-unit-not-active agent-restarting onboarding-config-missing \
	onboarding-config-invalid tls-verification-disabled endpoint-dns-unresolvable endpoint-connection-failed \
	endpoint-tls-failed onboarding-policy-denied credential-plugins-failed resolver-no-nameserver \
	endpoint-unresolvable-at-collection bundle-integrity-failed bundle-contains-secret; do
	if grep -q "^$id " "$T/list"; then pass "--list-rules lists $id"; else fail "--list-rules lists $id"; fi
done
# Every shipped rule carries at least two match and two no_match examples.
check "each shipped rule has >= 2 match and >= 2 no_match examples" python3 - "$TOP/rules/onboarding-agent.yaml" <<'PY'
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))["rules"]
bad = [r["id"] for r in rules if len(r["examples"].get("match", [])) < 2 or len(r["examples"].get("no_match", [])) < 2]
sys.exit(1 if bad or len(rules) < 13 else 0)
PY

# A valid rule to start from; each case breaks one thing.
good() {
	cat <<'Y'
version: 1
rules:
  - id: demo-rule
    title: Demo
    severity: error
    message: "saw {host} {seen}"
    when:
      journal:
        match: 'lookup (?<host>\S+) failed'
    examples:
      match: ["lookup a.example failed", "x lookup b.example failed y"]
      no_match: ["lookup failed", "nothing"]
Y
}

# case NAME WANT_LINE:COL WANT_TEXT SED_EXPR: applies SED_EXPR to the good rule file.
rule_case() {
	local name=$1 pos=$2 text=$3 expr=$4 f=$T/$1.yaml rc=0
	good | sed -e "$expr" >"$f"
	"$ANALYZE" --check-rules -r "$f" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" != 2 ]; then
		fail "rule error: $name" "exit $rc, wanted 2"
	elif ! grep -q "^$f:$pos: .*$text" "$T/err"; then
		fail "rule error: $name" "wanted $f:$pos: ...$text; got: $(head -c 300 "$T/err")"
	else
		pass "rule error: $name ($pos)"
	fi
	# Analysis with the same rules refuses too, with one line naming the file
	# (examples only run under --check-rules).
	[ "$name" = failing-example ] && return
	rc=0
	"$ANALYZE" -r "$f" /nonexistent.tar.gz >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q "^triage-analyze: $f:" "$T/err"; then
		pass "analysis refuses bad rules: $name"
	else
		fail "analysis refuses bad rules: $name" "exit $rc: $(head -c 200 "$T/err")"
	fi
}

check "the unbroken demo rule passes" bash -c "$(declare -f good); good >'$T/good.yaml'; '$ANALYZE' --check-rules -r '$T/good.yaml'"
rule_case unknown-key 5:5 "unknown key 'sevrity'" 's/    severity: error/    sevrity: error/'
rule_case unknown-severity 5:15 "unknown severity 'fatal'" 's/severity: error/severity: fatal/'
rule_case bad-type 6:14 "message must be a string" 's/    message: .*/    message: [a, b]/'
rule_case bad-regex 9:42 "bad regular expression at offset 25: missing closing parenthesis" "s/match: 'lookup (?<host>\\\\S+) failed'/match: 'lookup (?<host>\\\\S+ failed'/"
rule_case unknown-condition 8:7 "unknown condition 'journl'" 's/      journal:/      journl:/'
rule_case unknown-placeholder 6:14 "unknown placeholder '{hots}'" 's/saw {host}/saw {hots}/'
rule_case failing-example 11:15 "should match but does not" 's/"lookup a.example failed"/"lookup a.example worked"/'
rule_case invalid-yaml 5:13 "invalid YAML" 's/    title: Demo/    title: [Demo/'
rule_case missing-when 3:5 "'when' (the condition) is required" '/    when:/,/failed.$/d'
rule_case bad-id 3:9 "id 'Demo_Rule'" 's/id: demo-rule/id: Demo_Rule/'
rule_case javascript-link 6:13 "not an http(s) URL" 's|    message: |    links: ["javascript:alert(1)"]\n    message: |'
# A duplicate id across two files.
good >"$T/a.yaml"
good >"$T/b.yaml"
rc=0
"$ANALYZE" --check-rules -r "$T/a.yaml" -r "$T/b.yaml" >"$T/out" 2>"$T/err" || rc=$?
if [ "$rc" = 2 ] && grep -q "^$T/b.yaml:3:5: duplicate rule id 'demo-rule' (first at $T/a.yaml:3:5)" "$T/err"; then
	pass "rule error: duplicate id (3:5)"
else
	fail "rule error: duplicate id" "exit $rc: $(head -c 300 "$T/err")"
fi
# A folder of rules adds to the built-in ones; --no-builtin-rules drops those.
mkdir -p "$T/rules.d"
good >"$T/rules.d/10-demo.yaml"
"$ANALYZE" --list-rules -r "$T/rules.d" >"$T/list"
if grep -q '^demo-rule ' "$T/list" && grep -q '^endpoint-dns-unresolvable ' "$T/list"; then
	pass "-r FOLDER adds to the built-in rules"
else
	fail "-r FOLDER adds to the built-in rules" "$(cat "$T/list")"
fi
"$ANALYZE" --list-rules --no-builtin-rules -r "$T/rules.d" >"$T/list"
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
