#!/usr/bin/env bash
# tests/golden/test-baseline.sh: --baseline OLD NEW on the samples: golden reports in every
# format, what each says (resolved, new, changed), the refusal of another host and --force.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=common.sh
. "$TOP/tests/golden/common.sh"
S=$TOP/samples

while read -r name old new; do
	for fmt in md html json txt; do
		f=markdown; [ $fmt = md ] || f=$fmt; [ $fmt = txt ] && f=text
		# The report, exit status and stderr, byte for byte (golden_run, common.sh).
		golden_run "baseline $name" "$GOLDEN/expected/baseline-$name" $fmt "$S" \
			env COLUMNS=80 "$ANALYZE" -f $f --baseline "$old.tar.gz" "$new.tar.gz"
	done
done < <(baseline_cases)

# What the reports say, read from the JSON (not only that they did not change).
(cd "$S" && "$ANALYZE" -f json --baseline dns-failure.tar.gz healthy.tar.gz) >"$T/a.json"; rc=$?
check "dns-failure -> healthy: exit 0 (on the new bundle's findings)" test "$rc" = 0
check "dns-failure -> healthy: the DNS findings are resolved, nothing new" $PY - "$T/a.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["baseline"] == {"path": "dns-failure.tar.gz", "hostname": "vm-ratings-01",
                         "collected_at": "2026-11-26T06:11:02Z"}, d["baseline"]
assert d["findings"] == [], d["findings"]
res = sorted(f["rule"] for f in d["resolved"])
assert res == ["endpoint-dns-unresolvable", "endpoint-unresolvable-at-collection"], res
ch = {(c["what"], c["key"]): c for c in d["changes"]}
h = ch[("config", "/etc/onboarding-agent/onboarding.config.yaml: onboardingEndpoint.host")]
assert (h["before"], h["after"]) == ("onboarding.example.invalid", "onboarding.example.test"), h
red = [c for c in d["changes"] if c.get("comparable") is False]
assert red and all(c["before"] == "redacted in both, not comparable" for c in red), red
assert any(c["what"] == "probe" and c["after"] == "resolved to 127.0.0.1" for c in d["changes"])
P
(cd "$S" && "$ANALYZE" -f json --baseline healthy.tar.gz policy-denied.tar.gz) >"$T/b.json"; rc=$?
check "healthy -> policy-denied: exit 1" test "$rc" = 1
check "healthy -> policy-denied: one new finding, none resolved" $PY - "$T/b.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
assert [(x["rule"], x["change"], x["count_before"]) for x in f] == [("onboarding-policy-denied", "new", 0)], f
assert d["resolved"] == [], d["resolved"]
P
# unit-failed's findings are at error: exit 1 (the status follows the new bundle's findings).
expect_run "unit-failed against itself" 1 "$T/c.json" env -C "$S" "$ANALYZE" -f json --baseline unit-failed.tar.gz unit-failed.tar.gz
check "a bundle against itself: every finding persisting with its count, no change" $PY - "$T/c.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["findings"] and all(x["change"] == "persisting" and x["count_before"] == x["count"] for x in d["findings"])
assert d["resolved"] == []
assert all(c.get("comparable") is False for c in d["changes"]), d["changes"]
P
expect_run "policy-denied -> unit-failed (unit-failed's findings: exit 1)" 1 "$T/d.md" env -C "$S" "$ANALYZE" --baseline policy-denied.tar.gz unit-failed.tar.gz
check "unit state changes are listed (ActiveState, NRestarts)" bash -c \
	"grep -q '^| unit | onboarding-agent.service ActiveState | active | failed |' '$T/d.md' &&
	 grep -q '^| unit | onboarding-agent.service NRestarts | 0 | 3 |' '$T/d.md'"

# Another host: refused with one line, unless --force.
rc=0
"$ANALYZE" --baseline "$S/ecs-logfile.tar.gz" "$S/healthy.tar.gz" >"$T/out" 2>"$T/err" || rc=$?
if [ "$rc" = 2 ] && [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" = 1 ] &&
	grep -q "ecs-logfile.tar.gz: the baseline is of host 'ecs-task-ratings-7f9c'.*vm-ratings-01.*--force" "$T/err"; then
	pass "another host's baseline is refused (exit 2, one line)"
else
	fail "another host's baseline is refused" "exit $rc: $(cat "$T/err")"
fi
expect_status "--force compares another host's bundle" 0 "$ANALYZE" --force --baseline "$S/ecs-logfile.tar.gz" "$S/healthy.tar.gz"
rc=0
"$ANALYZE" --baseline /nonexistent.tar.gz "$S/healthy.tar.gz" >"$T/out" 2>"$T/err" || rc=$?
if [ "$rc" = 2 ] && grep -q '^triage-analyze: /nonexistent.tar.gz: ' "$T/err"; then pass "an unreadable baseline: exit 2 naming it"; else fail "an unreadable baseline" "exit $rc: $(cat "$T/err")"; fi

# Hostile snapshot values (markup, ANSI, bidi, table pipes) are escaped in every format.
if build_mkbundle 2>/dev/null; then
	cp -r "$GOLDEN/specs/dns" "$T/evil"
	$PY - "$T/evil/files" <<'P'
import json, sys
d = sys.argv[1]
c = d + "/config/etc/onboarding-agent/onboarding.config.yaml"
open(c, "a").write('settings:\n  "<script>k|": "<img src=x onerror=alert(1)> \\x1b]0;t\\x07 \\u202e|x"\n')
u = json.load(open(d + "/units/onboarding-agent.service.json"))
u["ActiveState"] = "<b>act</b>\x1b[31m|"
json.dump(u, open(d + "/units/onboarding-agent.service.json", "w"))
p = json.load(open(d + "/resolver/probes.json"))
p["probes"][0]["host"] = "<i>evil</i>\u202e.example"
json.dump(p, open(d + "/resolver/probes.json", "w"))
P
	"$T/mkbundle" "$T/evil" "$T/evil.tar.gz" && "$T/mkbundle" "$GOLDEN/specs/dns" "$T/dns.tar.gz"
	# The hostile bundle keeps the dns spec's findings (an error): exit 1 in every format.
	for f in markdown html text json; do
		expect_run "hostile changes: -f $f --force --baseline runs" 1 "$T/e.$f" \
			"$ANALYZE" -f $f --force --baseline "$T/dns.tar.gz" "$T/evil.tar.gz"
	done
	mv "$T/e.markdown" "$T/e.md"; mv "$T/e.text" "$T/e.txt"
	check "hostile changes: markdown escapes markup and pipes (4 cells a row)" $PY - "$T/e.md" <<'P'
import re, sys
md = open(sys.argv[1]).read()
sec = md.split("## What changed since the baseline", 1)[1].split("\n## ", 1)[0]
rows = [l for l in sec.splitlines() if l.startswith("| ")]
assert len(rows) >= 5, rows
for r in rows:
    assert not re.search(r"(?<!\\)<", r), r
    cells = re.split(r"(?<!\\)\|", r)[1:-1]
    assert len(cells) == 4, (len(cells), r)
P
	check "hostile changes: HTML escapes markup" bash -c \
		"grep -qF '&lt;img src=x onerror=alert(1)&gt;' '$T/e.html' && ! grep -q '<img\|<script>k\|<b>act\|<i>evil' '$T/e.html'"
	check "hostile changes: no raw ESC or bidi control in any format" $PY - "$T/e.md" "$T/e.html" "$T/e.txt" "$T/e.json" <<'P'
import sys
for f in sys.argv[1:]:
    b = open(f, "rb").read()
    assert b"\x1b" not in b and "\u202e".encode() not in b and b"\x07" not in b, f
P
else
	fail "build mkbundle for the hostile baseline"
fi
# A hostile hostname in the refusal line: the terminal gets no control byte (review).
mkdir -p "$T/hx" && tar xzf "$S/healthy.tar.gz" -C "$T/hx"
$PY - "$T/hx"/*/manifest.json <<'P'
import json, sys
m = json.load(open(sys.argv[1]))
m["host"]["hostname"] = "evil\x1b]0;pwned\x07\x1b[2J\u202e"
json.dump(m, open(sys.argv[1], "w"))
P
rc=0; "$ANALYZE" --baseline "$S/healthy.tar.gz" "$T/hx" >"$T/out" 2>"$T/err" || rc=$?
check "another host with control bytes in its name: exit 2, one line, no raw control byte" $PY - "$T/err" "$rc" <<'P'
import sys
b = open(sys.argv[1], "rb").read()
assert sys.argv[2] == "2", sys.argv[2]
assert b.count(b"\n") == 1 and b"the baseline is of host" in b, b
assert b"\x1b" not in b and b"\x07" not in b and "\u202e".encode() not in b, b
P
finish
