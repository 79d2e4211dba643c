#!/usr/bin/env bash
# tests/golden/test-cli.sh: the command line of CONTRACT.md: exit 0/1/2 only, one error line
# on bad input with no report written, -o atomic (mode 0644, nothing else left), --fail-on.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=common.sh
. "$TOP/tests/golden/common.sh"
build_mkbundle && build_specs || { fail "build the spec bundles"; finish; }
B=$T/bundles
mkdir -p "$T/out"

expect_status "dns: a critical finding exits 1" 1 "$ANALYZE" "$B/dns.tar.gz"
expect_status "healthy: exits 0" 0 "$ANALYZE" "$B/healthy.tar.gz"
expect_status "--fail-on none exits 0" 0 "$ANALYZE" --fail-on none "$B/dns.tar.gz"
expect_status "--fail-on critical: an error finding alone exits 0" 0 "$ANALYZE" --fail-on critical "$B/policy.tar.gz" -r <(sed 's/severity: critical/severity: error/' "$TOP/rules/onboarding-agent.yaml")
expect_status "--fail-on warning: unit-failed exits 1" 1 "$ANALYZE" --fail-on warning "$B/unit-failed.tar.gz"
expect_status "--fail-on bogus is a usage error" 2 "$ANALYZE" --fail-on bogus "$B/dns.tar.gz"
expect_status "unknown format is a usage error" 2 "$ANALYZE" -f pdf "$B/dns.tar.gz"
expect_status "no bundle is a usage error" 2 "$ANALYZE"
expect_status "two bundles is a usage error" 2 "$ANALYZE" "$B/dns.tar.gz" "$B/dns.tar.gz"
expect_status "unknown option is a usage error" 2 "$ANALYZE" --bogus "$B/dns.tar.gz"
expect_status "--version" 0 "$ANALYZE" --version
expect_status "--help" 0 "$ANALYZE" --help

# Bad input: exit 2, one line "triage-analyze: FILE: problem", no report at -o.
printf 'not a bundle at all\n' >"$T/bad.tar.gz"
: >"$T/empty.tar.gz"
head -c 700 "$B/dns.tar.gz" >"$T/truncated.tar.gz"
for f in "$T/bad.tar.gz" "$T/empty.tar.gz" "$T/truncated.tar.gz" "$T/missing.tar.gz"; do
	n=$(basename "$f")
	rc=0
	(cd "$T/out" && "$ANALYZE" -o report.md "$f") >"$T/o" 2>"$T/e" || rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <"$T/e")" = 1 ] && grep -q "^triage-analyze: $f: " "$T/e" &&
		[ -z "$(ls -A "$T/out")" ] && [ ! -s "$T/o" ]; then
		pass "bad input $n: exit 2, one line, nothing written"
	else
		fail "bad input $n" "exit $rc, stderr: $(head -c 200 "$T/e"), out: $(ls -A "$T/out")"
	fi
done

# -o writes atomically: the report appears whole, mode 0644 (umask 022), no temporary left.
rc=0
(umask 022; cd "$T/out" && "$ANALYZE" -f html -o r.html "$B/dns.tar.gz") || rc=$?
mode=$(stat -c %a "$T/out/r.html" 2>/dev/null)
if [ "$rc" = 1 ] && [ "$mode" = 644 ] && [ "$(ls -A "$T/out")" = r.html ] && tail -c 8 "$T/out/r.html" | grep -q '</html>'; then
	pass "-o: whole report, mode 644, no temporary file"
else
	fail "-o" "exit $rc mode $mode files: $(ls -A "$T/out")"
fi
# Into a folder that does not exist: exit 2, nothing created.
expect_status "-o into a missing folder exits 2" 2 "$ANALYZE" -o "$T/nope/r.md" "$B/dns.tar.gz"
# The analyzer reads a folder extracted from a bundle too, with the same report.
mkdir -p "$T/x" && tar -xzf "$B/dns.tar.gz" -C "$T/x"
# The dns spec's findings are at error: exit 1, from the tar.gz and from the folder alike.
expect_run "analyze dns.tar.gz -f json" 1 "$T/a.json" env -C "$B" "$ANALYZE" -f json dns.tar.gz
expect_run "analyze the extracted folder dns -f json" 1 "$T/b.json" env -C "$T/x" "$ANALYZE" -f json dns
check "an extracted folder gives the same findings" $PY - "$T/a.json" "$T/b.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["findings"], "the tar.gz's report has no finding"
assert a["findings"] == b["findings"], ([f["rule"] for f in a["findings"]], [f["rule"] for f in b["findings"]])
PY
# A modified entry: bundle-integrity-failed, and rules reading it are not evaluated.
sed -i 's/nameserver 10.0.2.3/nameserver 10.0.2.4/' "$T/x/dns/resolver/resolv.conf"
rc=0
(cd "$T/x" && "$ANALYZE" -f json dns >"$T/c.json") || rc=$?
if python3 - "$T/c.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ids = [f["rule"] for f in d["findings"]]
ne = {n["rule"]: n["reason"] for n in d["not_evaluated"]}
ok = "bundle-integrity-failed" in ids and "resolver-no-nameserver" in ne and "integrity" in ne["resolver-no-nameserver"]
ok = ok and d["integrity"]["verified"] is False
sys.exit(0 if ok else 1)
PY
then pass "a changed entry: bundle-integrity-failed, its rules not evaluated (exit $rc)"; else fail "a changed entry" "$(head -c 400 "$T/c.json")"; fi
# JSON report: the keys CONTRACT.md fixes.
check "JSON report has the contract's keys" python3 - "$T/a.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "triage-report/1"
assert set(d["bundle"]) >= {"path", "hostname", "collected_at"}
assert d["bundle"]["path"] == "dns.tar.gz"
for f in d["findings"]:
    assert set(f) >= {"rule", "severity", "title", "message", "count", "first_seen", "last_seen", "evidence", "remedy", "links"}
    assert f["severity"] in ("critical", "error", "warning", "info")
    for e in f["evidence"]:
        assert set(e) >= {"source", "text"}
for n in d["not_evaluated"]:
    assert set(n) == {"rule", "reason"}
PY
# A pattern that backtracks catastrophically on hostile lines: the limit stops it, the run goes on, the report says so.
mkdir -p "$T/cat/files/journal"
python3 - "$T/cat" <<'PY'
import json, sys
d = sys.argv[1]
lines = [json.dumps({"__REALTIME_TIMESTAMP": "1795669200000000", "MESSAGE": "a" * 50000 + "c"}) for _ in range(20)]
open(d + "/files/journal/onboarding-agent.service.jsonl", "w").write("\n".join(lines) + "\n")
json.dump({"collected_at": "2026-11-26T06:00:00Z", "host": {"hostname": "h"},
           "sources": [{"name": "journal/onboarding-agent.service", "status": "ok", "detail": "20 entries"}]},
          open(d + "/manifest.json", "w"))
PY
"$T/mkbundle" "$T/cat" "$T/cat.tar.gz"
cat >"$T/slow.yaml" <<'Y'
rules:
  - id: slow-rule
    title: Backtracks
    severity: info
    message: "slow {seen}"
    when:
      journal:
        match: '^(a|aa)+$'
    examples:
      match: ["aa", "aaa"]
      no_match: ["ab", "ccc"]
Y
rc=0
timeout 60 "$ANALYZE" -r "$T/slow.yaml" "$T/cat.tar.gz" >"$T/slow.md" 2>&1 || rc=$?
if [ "$rc" = 0 ] && grep -q 'rule slow-rule: its pattern hit the PCRE2 match limit on 20 lines' "$T/slow.md"; then
	pass "a catastrophic pattern hits the match limit, the run goes on and says so"
else
	fail "a catastrophic pattern" "exit $rc: $(tail -c 300 "$T/slow.md")"
fi
finish
