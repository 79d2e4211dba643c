#!/usr/bin/env bash
# tests/golden/test-rules-own.sh: rules of one's own: -r adds to the built-in rules (a rule
# with a built-in's id replaces it, and the report's footer says so), --no-builtin-rules,
# and examples that set journal fields (PRIORITY) so rules with `priority:` can be checked.
. "$(dirname "$0")/../lib.sh"
S=$TOP/samples
EX=$TOP/docs/examples/agent-config-unreadable.yaml

check "docs/rules.md's worked example passes --check-rules (beside the built-ins)" "$ANALYZE" --check-rules -r "$EX"
check "docs/rules.md shows the example file as it is" $PY - "$TOP/docs/rules.md" "$EX" <<'P'
import re, sys
doc = open(sys.argv[1]).read()
blk = re.search(r"## A rule of your own.*?```yaml\n(.*?)```", doc, re.S).group(1)
f = "".join(l for l in open(sys.argv[2]).read().splitlines(True) if not l.startswith("#"))
assert blk == f
P
rc=0; "$ANALYZE" -f json -r "$EX" "$S/unit-failed.tar.gz" >"$T/a.json" || rc=$?
check "a rule added with -r fires on a sample, beside the built-in rules" $PY - "$T/a.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
ids = [f["rule"] for f in d["findings"]]
assert "agent-config-unreadable" in ids and "agent-unit-not-active" in ids, ids
f = [f for f in d["findings"] if f["rule"] == "agent-config-unreadable"][0]
assert f["count"] == 3 and "/etc/onboarding-agent/agent.config.yaml (permission denied)" in f["message"], f
assert "rules_replaced" not in d
P
# The example rule fires (severity error): exit 1.
expect_run "analyze -f json --no-builtin-rules -r EX unit-failed.tar.gz" 1 "$T/b.json" "$ANALYZE" -f json --no-builtin-rules -r "$EX" "$S/unit-failed.tar.gz"
check "--no-builtin-rules -r: only that rule fires" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [f["rule"] for f in d["findings"]] == ["agent-config-unreadable"], d["findings"]' "$T/b.json"

# Same id as a built-in: replaces it (in place), the footer says so in every format.
sed 's/severity: critical/severity: warning/' "$TOP/rules/onboarding-agent.yaml" |
	awk '/^  - id: onboarding-policy-denied$/{p=1} p&&/^  - id: /&&!/onboarding-policy-denied/{p=0} p' |
	sed '1i rules:' >"$T/policy.yaml"
check "the replacement rule file holds just that rule" test "$(grep -c '^  - id: ' "$T/policy.yaml")" = 1
rc=0; "$ANALYZE" -f json -r "$T/policy.yaml" "$S/policy-denied.tar.gz" >"$T/c.json" || rc=$?
check "a rule with a built-in's id replaces it (warning now: exit 0)" test "$rc" = 0
check "JSON: the finding has the new severity; rules_replaced names rule and file" $PY - "$T/c.json" "$T/policy.yaml" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert [(f["rule"], f["severity"]) for f in d["findings"]] == [("onboarding-policy-denied", "warning")], d["findings"]
assert d["rules_replaced"] == [{"rule": "onboarding-policy-denied", "file": sys.argv[2]}], d["rules_replaced"]
P
# The replacement is a warning: exit 0 in every format.
expect_run "analyze -r policy.yaml policy-denied.tar.gz" 0 "$T/c.md" "$ANALYZE" -r "$T/policy.yaml" "$S/policy-denied.tar.gz"
check "markdown footer says the built-in rule was replaced" grep -q "^_Rule \`onboarding-policy-denied\` comes from .*policy.yaml and replaces the built-in rule of that id._" "$T/c.md"
expect_run "analyze -f html -r policy.yaml policy-denied.tar.gz" 0 "$T/c.html" "$ANALYZE" -f html -r "$T/policy.yaml" "$S/policy-denied.tar.gz"
check "HTML footer says the built-in rule was replaced" grep -q "Rule <code>onboarding-policy-denied</code> comes from .*policy.yaml and replaces the built-in rule" "$T/c.html"
expect_run "analyze -f text -r policy.yaml policy-denied.tar.gz" 0 "$T/c.txt" env COLUMNS=200 "$ANALYZE" -f text -r "$T/policy.yaml" "$S/policy-denied.tar.gz"
check "text footer says the built-in rule was replaced" grep -q "^Rule onboarding-policy-denied comes from .*policy.yaml and replaces the built-in rule of that id." "$T/c.txt"
n_builtin=$("$ANALYZE" --list-rules | wc -l)
check "--list-rules: the replaced rule is listed once" test "$("$ANALYZE" --list-rules -r "$T/policy.yaml" | wc -l)" = "$n_builtin"
# Two files of one's own with one id stay an error.
cp "$T/policy.yaml" "$T/policy2.yaml"
expect_status "the same id in two -r files is still an error" 2 "$ANALYZE" --check-rules -r "$T/policy.yaml" -r "$T/policy2.yaml"

# priority: examples set PRIORITY (any journal field) as a mapping.
cat >"$T/prio.yaml" <<'Y'
rules:
  - id: agent-start-limit
    title: systemd stopped restarting the agent
    severity: warning
    message: "systemd gave up restarting the agent ({seen})."
    when:
      journal:
        match: 'Start request repeated too quickly'
        priority: warning
    examples:
      match:
        - journal:
            - {MESSAGE: "onboarding-agent.service: Start request repeated too quickly.", PRIORITY: 4}
        - journal:
            - {MESSAGE: "onboarding-agent.service: Start request repeated too quickly.", PRIORITY: "3", SYSLOG_IDENTIFIER: systemd}
      no_match:
        - journal:
            - {MESSAGE: "onboarding-agent.service: Start request repeated too quickly.", PRIORITY: 6}
        - "onboarding-agent.service: Scheduled restart job, restart counter is at 3."
Y
check "--check-rules passes a rule with priority: whose examples set PRIORITY" "$ANALYZE" --check-rules --no-builtin-rules -r "$T/prio.yaml"
# The same with `priority:` / `fields:` for every line of an example.
cat >"$T/prio2.yaml" <<'Y'
rules:
  - id: agent-start-limit
    title: systemd stopped restarting the agent
    severity: warning
    message: "systemd gave up restarting the agent ({seen})."
    when:
      journal:
        match: 'Start request repeated too quickly'
        priority: warning
    examples:
      match:
        - {priority: warning, journal: ["onboarding-agent.service: Start request repeated too quickly."]}
        - {fields: {PRIORITY: "3", SYSLOG_IDENTIFIER: systemd}, journal: ["onboarding-agent.service: Start request repeated too quickly."]}
      no_match:
        - {priority: info, journal: ["onboarding-agent.service: Start request repeated too quickly."]}
        - {fields: {PRIORITY: "7"}, journal: ["onboarding-agent.service: Start request repeated too quickly."]}
Y
check "--check-rules: examples set PRIORITY with priority: or fields: too" "$ANALYZE" --check-rules --no-builtin-rules -r "$T/prio2.yaml"
sed 's/priority: warning, journal/priority: loud, journal/' "$T/prio2.yaml" >"$T/prio3.yaml"
rc=0; "$ANALYZE" --check-rules --no-builtin-rules -r "$T/prio3.yaml" >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" = 2 ] && grep -q "bad example: priority: 0-7 or emerg" "$T/err"; then pass "an example's unknown priority is an error"; else fail "example priority error" "exit $rc: $(cat "$T/err")"; fi
# Without PRIORITY the example line is priority 6 (info): the match examples then fail, as they should.
sed 's/, PRIORITY: 4}/}/' "$T/prio.yaml" >"$T/prio6.yaml"
rc=0; "$ANALYZE" --check-rules --no-builtin-rules -r "$T/prio6.yaml" >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" = 2 ] && grep -q "prio6.yaml:12:11: rule 'agent-start-limit': the example should match but does not" "$T/err"; then
	pass "an example without PRIORITY is info (6): a warning-only rule does not match it"
else
	fail "an example without PRIORITY" "exit $rc: $(cat "$T/err")"
fi
rc=0; "$ANALYZE" -f json --no-builtin-rules -r "$T/prio.yaml" "$S/unit-failed.tar.gz" >"$T/d.json" || rc=$?
check "the priority rule fires on the sample's PRIORITY 4 line" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [(f["rule"], f["count"]) for f in d["findings"]] == [("agent-start-limit", 1)], d["findings"]' "$T/d.json"
printf 'rules:\n  - id: x\n    title: t\n    severity: info\n    message: m\n    when: {journal: {match: a}}\n    examples:\n      match: [{journal: [{PRIORITY: 3}]}]\n' >"$T/nomsg.yaml"
rc=0; "$ANALYZE" --check-rules --no-builtin-rules -r "$T/nomsg.yaml" >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" = 2 ] && grep -q "bad example: a journal entry written as a mapping needs MESSAGE" "$T/err"; then pass "a journal entry mapping without MESSAGE is an error"; else fail "entry without MESSAGE" "exit $rc: $(cat "$T/err")"; fi
finish
