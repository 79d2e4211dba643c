#!/usr/bin/env bash
# tests/golden/test-suppress.sh: --suppress FILE: a matching entry moves the finding to
# "suppressed" (own section, not counted for the exit status); an expired entry is not
# applied and the report says so; a bad file is exit 2 with FILE:LINE:COL.
. "$(dirname "$0")/../lib.sh"
S=$TOP/samples

cat >"$T/s.yaml" <<'Y'
# DNS is being moved on these hosts; the collector probe failure is part of it.
- rule: endpoint-dns-unresolvable
  host: "vm-ratings-*"
  match: 'through DNS server 192\.0\.2\.53'
  reason: Customer is moving DNS (ticket 4711)
  expires: 2099-12-31
- rule: endpoint-unresolvable-at-collection
  reason: Same DNS move
  expires: 2099-12-31
Y
rc=0; "$ANALYZE" -f json --suppress "$T/s.yaml" "$S/dns-failure.tar.gz" >"$T/a.json" 2>"$T/err" || rc=$?
check "applied: every finding suppressed, exit 0" test "$rc" = 0
check "applied: findings moved to suppressed with reason and expires" $PY - "$T/a.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["findings"] == [], d["findings"]
s = {x["rule"]: x for x in d["suppressed"]}
assert sorted(s) == ["endpoint-dns-unresolvable", "endpoint-unresolvable-at-collection"], s
x = s["endpoint-dns-unresolvable"]
assert x["reason"] == "Customer is moving DNS (ticket 4711)" and x["expires"] == "2099-12-31", x
assert x["count"] == 3 and x["evidence"] and x["severity"] == "critical", x
P
# Every finding suppressed: exit 0 (in each format).
expect_run "analyze --suppress s.yaml dns-failure.tar.gz" 0 "$T/a.md" "$ANALYZE" --suppress "$T/s.yaml" "$S/dns-failure.tar.gz"
check "applied: markdown has a Suppressed section with the reason" bash -c \
	"grep -q '^## Suppressed' '$T/a.md' && grep -q 'Customer is moving DNS (ticket 4711) | 2099-12-31 |' '$T/a.md' && ! grep -q '^## Findings' '$T/a.md'"
expect_run "analyze -f html --suppress s.yaml dns-failure.tar.gz" 0 "$T/a.html" "$ANALYZE" -f html --suppress "$T/s.yaml" "$S/dns-failure.tar.gz"
check "applied: HTML has a Suppressed section with the reason" bash -c \
	"grep -q '<h2>Suppressed</h2>' '$T/a.html' && grep -q 'Customer is moving DNS (ticket 4711)' '$T/a.html'"
expect_run "analyze -f text --suppress s.yaml dns-failure.tar.gz" 0 "$T/a.txt" env COLUMNS=200 "$ANALYZE" -f text --suppress "$T/s.yaml" "$S/dns-failure.tar.gz"
check "applied: the text report lists it with the reason" grep -q '^  - critical endpoint-dns-unresolvable: Customer is moving DNS (ticket 4711) (until 2099-12-31)' "$T/a.txt"

# host and match narrow an entry: another host, or a message that does not match, keeps the finding.
sed 's/vm-ratings-\*/other-host-*/' "$T/s.yaml" >"$T/host.yaml"
# The critical finding stays: exit 1.
expect_run "analyze -f json --suppress host.yaml dns-failure.tar.gz" 1 "$T/h.json" "$ANALYZE" -f json --suppress "$T/host.yaml" "$S/dns-failure.tar.gz"
check "host glob: another host's entry does not apply" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [f["rule"] for f in d["findings"]] == ["endpoint-dns-unresolvable"], d["findings"]' "$T/h.json"
sed 's/192\\\.0\\\.2\\\.53/10\\.9\\.9\\.9/' "$T/s.yaml" >"$T/match.yaml"
# The critical finding stays: exit 1.
expect_run "analyze -f json --suppress match.yaml dns-failure.tar.gz" 1 "$T/m.json" "$ANALYZE" -f json --suppress "$T/match.yaml" "$S/dns-failure.tar.gz"
check "match: a message the pattern misses keeps the finding" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [f["rule"] for f in d["findings"]] == ["endpoint-dns-unresolvable"], d["findings"]' "$T/m.json"

# Expired: not applied, said in the report, the finding counts.
cat >"$T/old.yaml" <<'Y'
- rule: onboarding-policy-denied
  reason: Policy rollout pending
  expires: 2020-01-31
Y
rc=0; "$ANALYZE" -f json --suppress "$T/old.yaml" "$S/policy-denied.tar.gz" >"$T/e.json" || rc=$?
check "expired: not applied, exit 1" test "$rc" = 1
check "expired: the report says so" $PY - "$T/e.json" "$T/old.yaml" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert [f["rule"] for f in d["findings"]] == ["onboarding-policy-denied"]
assert d["suppressed"] == []
n = d["suppressions_not_applied"]
assert len(n) == 1 and "expired on 2020-01-31" in n[0] and sys.argv[2] + ":1" in n[0], n
P
# An expired entry suppresses nothing: the critical finding, exit 1.
expect_run "analyze --suppress old.yaml policy-denied.tar.gz" 1 "$T/e.md" "$ANALYZE" --suppress "$T/old.yaml" "$S/policy-denied.tar.gz"
check "expired: markdown says it" grep -q 'expired on 2020-01-31: not applied' "$T/e.md"
expect_run "expired suppression on healthy (no finding)" 0 "$T/e2.json" "$ANALYZE" -f json --suppress "$T/old.yaml" "$S/healthy.tar.gz"
check "expired: said even when the rule did not fire" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["findings"] == [] and len(d["suppressions_not_applied"]) == 1' "$T/e2.json"
# Two files: both apply.
printf -- '- rule: agent-restarting\n  reason: known flapping\n  expires: 2099-01-01\n' >"$T/one.yaml"
printf -- '- rule: agent-unit-not-active\n  reason: host being rebuilt\n  expires: 2099-01-01\n' >"$T/two.yaml"
expect_status "--suppress is repeatable: both files apply (exit 0)" 0 "$ANALYZE" --suppress "$T/one.yaml" --suppress "$T/two.yaml" "$S/unit-failed.tar.gz"

# A reason with markup and control bytes is escaped in every format.
printf -- '- rule: onboarding-policy-denied\n  reason: "<script>x</script> | \\e[31m \\u202e"\n  expires: 2099-01-01\n' >"$T/evil.yaml"
# The one finding is suppressed: exit 0 in every format.
for f in markdown html text json; do
	expect_run "hostile reason: -f $f --suppress runs" 0 "$T/evil.$f" "$ANALYZE" -f $f --suppress "$T/evil.yaml" "$S/policy-denied.tar.gz"
done
check "a hostile reason is escaped in markdown, HTML, text and JSON" $PY - "$T"/evil.markdown "$T"/evil.html "$T"/evil.text "$T"/evil.json <<'P'
import json, sys
for f in sys.argv[1:]:
    b = open(f, "rb").read()
    assert b"\x1b" not in b and "\u202e".encode() not in b, f
    assert b"<script>x" not in b or f.endswith((".json", ".text")), f   # markup matters in md and HTML
assert b"\\<script\\>x" in open(sys.argv[1], "rb").read()
assert json.load(open(sys.argv[4]))["suppressed"][0]["reason"].startswith("<script>x</script> | ")
P

# Invalid files: exit 2, one line FILE:LINE:COL: what.
bad() { # NAME WANT-REGEX YAML
	printf '%s' "$3" >"$T/bad.yaml"
	local rc=0
	"$ANALYZE" --suppress "$T/bad.yaml" "$S/healthy.tar.gz" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" = 2 ] && [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -Eq "^triage-analyze: $T/bad.yaml:$2" "$T/err"; then
		pass "invalid: $1"
	else
		fail "invalid: $1" "exit $rc: $(cat "$T/err")"
	fi
}
bad "no reason" "1:3: 'reason' is required" $'- rule: agent-restarting\n  expires: 2099-01-01\n'
bad "no expires" "1:3: 'expires' .* is required" $'- rule: agent-restarting\n  reason: x\n'
bad "not a date" "3:12: expires: a date written YYYY-MM-DD, not '2099-02-30'" $'- rule: agent-restarting\n  reason: x\n  expires: 2099-02-30\n'
bad "unknown rule" "1:9: rule 'no-such-rule' is not loaded" $'- rule: no-such-rule\n  reason: x\n  expires: 2099-01-01\n'
bad "unknown key" "4:3: unknown key 'hots'" $'- rule: agent-restarting\n  reason: x\n  expires: 2099-01-01\n  hots: a\n'
bad "bad regex" "2:15: match: bad regular expression at offset 4" $'- rule: agent-restarting\n  match: \'ab(c\'\n  reason: x\n  expires: 2099-01-01\n'
bad "not a list" "1:1: a suppressions file is a list" $'rule: agent-restarting\n'
bad "bad YAML" "2:1: invalid YAML" $'- rule: [a\n'
rc=0; "$ANALYZE" --suppress "$T/none.yaml" "$S/healthy.tar.gz" >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" = 2 ] && grep -q "^triage-analyze: $T/none.yaml: cannot read" "$T/err"; then pass "invalid: missing file"; else fail "invalid: missing file" "exit $rc: $(cat "$T/err")"; fi
finish
