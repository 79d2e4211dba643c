#!/usr/bin/env bash
# test-rules.sh: hostile rules files (-r) are refused with FILE:LINE:COLUMN; a regex that backtracks
# catastrophically is stopped by PCRE2's limits: the rule is reported and the run goes on.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/hostile-lib.sh"

B=$(gen healthy)
while read -r c re; do
	[ -n "$c" ] || continue
	r=$(gen "$c") || { fail "$c" "generator failed"; continue; }
	# refused checks the message names the rules file (it is the "input" here) ...
	refused "$c" "$re" "$r" "$B" -r
	# ... and --check-rules agrees.
	rc=0; "$ANALYZE" --check-rules -r "$r" >"$T/cr.out" 2>"$T/cr.err" || rc=$?
	if [ "$rc" = 2 ] && grep -qF "$r" "$T/cr.err"; then pass "$c --check-rules"; else
		fail "$c --check-rules" "exit $rc: $(head -c 200 "$T/cr.err")"; fi
done <<'CASES'
rules-invalid-yaml   :[0-9]+:[0-9]+: 
rules-unknown-key    :[0-9]+:[0-9]+: .*frobnicate
rules-bad-regex      :[0-9]+:[0-9]+: .*(regex|pattern|missing|bracket)
rules-alias-bomb     alias|anchor|:[0-9]+:[0-9]+: 
rules-alias-inside   :[0-9]+:[0-9]+: .*alias
rules-deep           deep|depth|nest|:[0-9]+:[0-9]+: 
rules-not-text       :[0-9]+:[0-9]+: |utf-8|yaml
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
