#!/usr/bin/env bash
# test-rules.sh: hostile rules files (-r), and every rule-language error case of tests/golden/rules-bad,
# are refused with one line FILE:LINE:COLUMN: message, writing nothing; a regex that backtracks
# catastrophically is stopped by PCRE2's limits: the rule is reported and the run goes on.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/hostile-lib.sh"

B=$(gen healthy)
# Every rule-language error case of tests/golden/rules-bad (README.md there): analysis with it is refused
# with one line, "triage-analyze: " and the first line of its .err (--check-rules' stderr, compared
# exactly by tests/golden/test-check-rules.sh), and writes nothing.  bad-check-*: what only
# --check-rules looks for; the analysis goes on.
RB=$TOP/tests/golden/rules-bad
for y in "$RB"/bad-*.yaml; do
	c=$(basename "$y" .yaml)
	case $c in bad-check-*) continue ;; esac
	# The .err names the file as given (bad-NAME.yaml); here it is given as $RB/bad-NAME.yaml.
	line=$(head -n 1 "$RB/$c.err")
	refused_line "rules $c" "triage-analyze: ${line//"$c.yaml:"/"$RB/$c.yaml:"}" "$y" "$B" -r
done
# Generated: too large or not text.  Exact lines, and --check-rules agrees (exit 2, the same problem).
while read -r c want; do
	[ -n "$c" ] || continue
	r=$(gen "$c") || { fail "$c" "generator failed"; continue; }
	refused_line "$c" "triage-analyze: $r:$want" "$r" "$B" -r
	rc=0; "$ANALYZE" --check-rules -r "$r" >"$T/cr.out" 2>"$T/cr.err" || rc=$?
	if [ "$rc" = 2 ] && [ "$(head -n 1 "$T/cr.err")" = "$r:$want" ]; then pass "$c --check-rules"; else
		fail "$c --check-rules" "exit $rc (wanted 2), first line '$(head -n 1 "$T/cr.err")', wanted '$r:$want'"; fi
done <<'CASES'
rules-deep       4:72: invalid YAML: nested deeper than 64 levels
rules-not-text   1:1: invalid YAML: control characters are not allowed
CASES

# (a+)+$ against lines of a's: the rule goes to not_evaluated (or is reported on stderr), the run ends.
r=$(gen rules-backtrack)
analyzed rules-backtrack "$(gen backtrack-bundle)" -r "$r" --fail-on none
if grep -q 'hostile-1' "$S/out/report" "$S/stderr" 2>/dev/null && [ "$RC" = 0 ]; then
	pass "rules-backtrack reports the rule"
else
	fail "rules-backtrack reports the rule" "hostile-1 named neither in the report nor on stderr (exit $RC)"
fi
finish
