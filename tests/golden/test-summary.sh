#!/usr/bin/env bash
# tests/golden/test-summary.sh: --summary over a queue: every sample plus copies under other
# names, an extracted folder, an unreadable bundle, a hostile one; from bundles and from
# -f json reports the rows are the same; -j 1 and -j N agree; every format; exit status.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=common.sh
. "$TOP/tests/golden/common.sh"
S=$TOP/samples
build_mkbundle 2>/dev/null && build_specs 2>/dev/null || fail "build the hostile spec bundle"

Q=$T/queue
mkdir -p "$Q/sub" "$T/reports"
for b in "$S"/*.tar.gz; do
	n=$(basename "$b" .tar.gz)
	cp "$b" "$Q/$n.tar.gz"
	cp "$b" "$Q/sub/ticket-$RANDOM-$n.tgz"	# the same bundle under another name, one folder down
done
mkdir "$Q/extracted" && tar xzf "$S/unit-failed.tar.gz" -C "$Q/extracted"
head -c 3000 "$S/healthy.tar.gz" >"$Q/truncated.tar.gz"
cp "$T/bundles/hostile.tar.gz" "$Q/hostile.tar.gz"
n_inputs=$(( $(ls "$S"/*.tar.gz | wc -l) * 2 + 3 ))

rc=0; "$ANALYZE" --summary -f json -j 2 "$Q" >"$T/b.json" 2>"$T/err" || rc=$?
check "summary over a folder of bundles: exit 1 (findings), nothing on stderr off a terminal" \
	bash -c "[ $rc = 1 ] && [ ! -s '$T/err' ]"
check "schema triage-summary/1, one row per bundle, exactly the contract's keys" $PY - "$T/b.json" "$n_inputs" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["schema", "bundles", "rules", "groups"], list(d)
assert d["schema"] == "triage-summary/1"
assert len(d["bundles"]) == int(sys.argv[2]), len(d["bundles"])
for b in d["bundles"]:
    assert list(b) == ["path", "hostname", "collected_at", "agent", "worst", "rules", "error"], list(b)
for r in d["rules"]:
    assert list(r) == ["rule", "severity", "bundles", "hosts"], list(r)
for g in d["groups"]:
    assert list(g) == ["rules", "bundles"], list(g)
P
check "rows: copies agree, the extracted folder is a bundle, errors are rows" $PY - "$T/b.json" <<'P'
import json, sys, os
d = json.load(open(sys.argv[1]))
rows = {os.path.basename(b["path"]): b for b in d["bundles"]}
def twin(n):
    return [r for k, r in rows.items() if k.endswith("-" + n + ".tgz")][0]
for n in ["dns-failure", "healthy", "not-installed", "policy-denied", "unit-failed"]:
    a, b = rows[n + ".tar.gz"], twin(n)
    for k in ["hostname", "collected_at", "agent", "worst", "rules", "error"]:
        assert a[k] == b[k], (n, k, a[k], b[k])
assert rows["healthy.tar.gz"]["rules"] == [] and rows["healthy.tar.gz"]["worst"] == "none"
assert rows["dns-failure.tar.gz"]["rules"] == ["endpoint-dns-unresolvable", "endpoint-unresolvable-at-collection"]
assert rows["policy-denied.tar.gz"]["worst"] == "critical"
assert rows["extracted"]["rules"] == rows["unit-failed.tar.gz"]["rules"], rows["extracted"]
t = rows["truncated.tar.gz"]
assert t["error"] and t["rules"] == [] and t["worst"] is None and t["hostname"] is None, t
r = {x["rule"]: x for x in d["rules"]}
# policy-denied and ecs-role-policy (AWS ECS, collected on support-laptop), each twice
assert r["onboarding-policy-denied"]["bundles"] == 4 and r["onboarding-policy-denied"]["hosts"] == ["support-laptop", "vm-ratings-01"], r["onboarding-policy-denied"]
assert r["endpoint-dns-unresolvable"]["severity"] == "critical"
g = [x for x in d["groups"] if x["rules"] == ["onboarding-policy-denied"]]
assert len(g) == 1 and len(g[0]["bundles"]) == 2, g
assert sum(len(x["bundles"]) for x in d["groups"]) == len(d["bundles"]) - 1   # all but the error row
P

# The same queue as -f json reports (the per-bundle step run elsewhere), then the merge.
bad=""
for b in $($PY -c 'import json,sys; [print(b["path"]) for b in json.load(open(sys.argv[1]))["bundles"] if not b["error"]]' "$T/b.json"); do
	rc=0; "$ANALYZE" -f json -o "$T/reports/$(echo "$b" | tr / _).json" "$b" 2>"$T/err" || rc=$?
	case $rc in 0|1) ;; *) bad+="$b: exit $rc ($(head -c 100 "$T/err")); " ;; esac
done
if [ -z "$bad" ]; then pass "each readable bundle of the queue gives its -f json report (exit 0 or 1)"
else fail "each readable bundle of the queue gives its -f json report" "$bad"; fi
# The queue has findings at error and unreadable bundles: exit 1 from the reports as from the bundles.
expect_run "--summary over the -f json reports" 1 "$T/r.json" "$ANALYZE" --summary -f json "$T/reports"
check "from -f json reports: the same rows, rules and groups" $PY - "$T/b.json" "$T/r.json" <<'P'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ra = sorted((x for x in a["bundles"] if not x["error"]), key=lambda x: x["path"])
rb = sorted(b["bundles"], key=lambda x: x["path"])
for x in rb:
    assert list(x) == ["path", "hostname", "collected_at", "agent", "worst", "rules", "error"], list(x)
assert ra == rb, [(x, y) for x, y in zip(ra, rb) if x != y][:2]
assert a["rules"] == b["rules"], (a["rules"], b["rules"])
norm = lambda gs: sorted((g["rules"], sorted(g["bundles"])) for g in gs)
assert norm(a["groups"]) == norm(b["groups"])
P

# A summary written into the reports folder is output, not input, on the next run.
expect_run "--summary -o into the reports folder" 1 /dev/null "$ANALYZE" --summary -f json -o "$T/reports/summary.json" "$T/reports"
expect_run "--summary over the reports folder again" 1 "$T/r2.json" "$ANALYZE" --summary -f json "$T/reports"
check "a summary inside the folder is not read as an input" cmp "$T/r.json" "$T/r2.json"
expect_run "--summary -j 1" 1 "$T/j1.json" "$ANALYZE" --summary -f json -j 1 "$Q"
check "-j 1 and -j 2 give the same summary" cmp "$T/b.json" "$T/j1.json"

# Every format.
expect_run "--summary (markdown)" 1 "$T/s.md" "$ANALYZE" --summary "$Q"
check "markdown: bundles, rules and groups sections" bash -c \
	"grep -q '^## Bundles' '$T/s.md' && grep -q '^## Rules' '$T/s.md' && grep -q '^- 2 bundles (1 host): onboarding-policy-denied' '$T/s.md'"
check "markdown: a group says what its bundles share (the common start of the worst rule's message)" bash -c \
	"grep -q '^- 2 bundles (1 host): onboarding-policy-denied: The onboarding endpoint refused this workload: not authorized by OnboardingPolicy (' '$T/s.md' &&
	 grep -q ': endpoint-dns-unresolvable, endpoint-unresolvable-at-collection: The agent could not resolve onboarding.example.invalid through DNS server' '$T/s.md'"
check "markdown: the hostile hostname is escaped" bash -c "grep -qF '\\<b\\>evil\\</b\\>\\|host\\\`' '$T/s.md' && ! grep -q '<b>evil' '$T/s.md'"
expect_run "--summary -f html -o" 1 /dev/null "$ANALYZE" --summary -f html -o "$T/s.html" "$Q"
check "HTML: written with -o, hostile text escaped, no script" bash -c \
	"grep -q '<h2>Groups: bundles with the same findings</h2>' '$T/s.html' && grep -qF '&lt;b&gt;evil&lt;/b&gt;' '$T/s.html' && ! grep -q '<b>evil\\|<script' '$T/s.html'"
expect_run "--summary -f csv" 1 "$T/s.csv" "$ANALYZE" --summary -f csv "$Q"
check "CSV: a header and one record per bundle, same rows as the JSON" $PY - "$T/s.csv" "$T/b.json" <<'P'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
d = json.load(open(sys.argv[2]))
assert len(rows) == len(d["bundles"])
for r, j in zip(rows, d["bundles"]):
    assert r["path"] == j["path"] and r["rules"].split() == j["rules"], (r, j)
    assert (r["error"] != "") == (j["error"] is not None)
P

# Exit status over all bundles: --fail-on; an unreadable bundle is not clean; 2 only for usage.
expect_status "--fail-on none: exit 0 whatever the queue holds" 0 "$ANALYZE" --summary --fail-on none "$Q"
expect_status "only healthy bundles: exit 0" 0 "$ANALYZE" --summary "$S/healthy.tar.gz" "$Q/healthy.tar.gz"
expect_status "an unreadable bundle alone: exit 1 (not known to be clean)" 1 "$ANALYZE" --summary "$Q/truncated.tar.gz"
cat >"$T/warn.yaml" <<'Y'
rules:
  - id: agent-restarted
    title: The agent restarted
    severity: warning
    message: "The agent restarted {times}."
    when:
      journal:
        match: 'Scheduled restart job'
Y
expect_status "--fail-on critical with a warning-only queue: exit 0" 0 "$ANALYZE" --summary --fail-on critical \
	--no-builtin-rules -r "$T/warn.yaml" "$S/unit-failed.tar.gz"
expect_status "--fail-on warning with the same queue: exit 1" 1 "$ANALYZE" --summary --fail-on warning \
	--no-builtin-rules -r "$T/warn.yaml" "$S/unit-failed.tar.gz"
expect_status "--summary without INPUT: usage error" 2 "$ANALYZE" --summary
expect_status "-j 0: usage error" 2 "$ANALYZE" --summary -j 0 "$Q"
expect_status "-f csv without --summary: usage error" 2 "$ANALYZE" -f csv "$S/healthy.tar.gz"
expect_status "--summary with --baseline: usage error" 2 "$ANALYZE" --summary --baseline "$S/healthy.tar.gz" "$Q"
echo '{"schema": "something-else"}' >"$T/other.json"
# An input that could not be read is not known to be clean: exit 1.
expect_run "--summary with a JSON file that is not a report (a row not read)" 1 "$T/o.json" "$ANALYZE" --summary -f json "$T/other.json" "$S/healthy.tar.gz"
check "a JSON file that is not a report is an error row, the rest goes on" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "not a triage-analyze -f json report" in d["bundles"][0]["error"]
assert d["bundles"][1]["error"] is None and d["bundles"][1]["worst"] == "none"' "$T/o.json"
expect_run "--summary with '-' (a row not read)" 1 "$T/dash.json" "$ANALYZE" --summary -f json - "$S/healthy.tar.gz" </dev/null
check "'-' is a row with an error (the summary does not read standard input)" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["bundles"][0]["path"] == "-" and "standard input" in d["bundles"][0]["error"]' "$T/dash.json"
# Suppressions apply to every bundle of the queue.
printf -- '- rule: onboarding-policy-denied\n  reason: policy rollout\n  expires: 2099-01-01\n' >"$T/sup.yaml"
expect_status "--suppress applies in the summary (policy-denied alone: exit 0)" 0 "$ANALYZE" --summary --suppress "$T/sup.yaml" "$S/policy-denied.tar.gz"
# A worker killed mid-run: its bundle is a row with the signal, every other row is there, exit 0/1.
mkdir -p "$T/big/q" && cp -r "$GOLDEN/specs/dns" "$T/big/spec"
$PY - "$T/big/spec/files/journal/onboarding-agent.service.jsonl" <<'P'
import json, sys
src = [json.loads(l) for l in open(sys.argv[1])]
out = []
while len(out) < 20000:
    for e in src:
        e = dict(e, __REALTIME_TIMESTAMP=str(int(src[0]["__REALTIME_TIMESTAMP"]) + len(out) * 1000000))
        out.append(json.dumps(e))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
P
"$T/mkbundle" "$T/big/spec" "$T/big/one.tar.gz"
for i in $(seq -w 1 40); do cp "$T/big/one.tar.gz" "$T/big/q/b$i.tar.gz"; done
"$ANALYZE" --summary -f json -j 2 -o "$T/killed.json" "$T/big/q" & spid=$!
victim=
for _ in $(seq 100); do
	victim=$(ps -o pid= --ppid $spid 2>/dev/null | head -1 | tr -d ' ')
	[ -n "$victim" ] && break
	sleep 0.05
done
sleep 0.2
[ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null
rc=0; wait $spid || rc=$?
check "a killed worker: the run goes on (exit $rc), every bundle has its row" $PY - "$T/killed.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["bundles"]) == 40, len(d["bundles"])
errs = [b for b in d["bundles"] if b["error"]]
assert len(errs) <= 1 and all("signal 9" in b["error"] for b in errs), errs
ok = [b for b in d["bundles"] if not b["error"]]
assert all(b["rules"] == ok[0]["rules"] for b in ok) and len(ok) >= 39
P
check "a killed worker: exit status 1, not 2" test "$rc" = 1

# A progress line on a terminal (script(1) gives the run one), never in a pipe (checked above).
if command -v script >/dev/null; then
	# script -e exits with the program's status: the queue's 1.
	expect_run "--summary on a terminal (script -e)" 1 "$T/tty.out" script -qec "'$ANALYZE' --summary -o '$T/tty.md' '$Q'" /dev/null
	check "on a terminal: a progress line, erased at the end" bash -c \
		"grep -q 'triage-analyze: $n_inputs of $n_inputs bundles analyzed' '$T/tty.out' && grep -q '^# Triage summary' '$T/tty.md'"
	expect_run "-q --summary on a terminal (script -e)" 1 "$T/tty.out" script -qec "'$ANALYZE' -q --summary -o '$T/tty.md' '$Q'" /dev/null
	check "on a terminal with -q: no progress line" test ! -s "$T/tty.out"
fi
# A folder with symlink loops: each bundle once, and the walk does not multiply (review).
mkdir -p "$T/loop/sub" && cp "$S/healthy.tar.gz" "$T/loop/a.tar.gz" && cp "$S/dns-failure.tar.gz" "$T/loop/sub/b.tar.gz"
for i in 1 2 3 4 5 6 7 8; do ln -s . "$T/loop/self$i"; ln -s .. "$T/loop/sub/up$i"; done
rc=0; timeout 60 "$ANALYZE" --summary -f json -j 1 -o "$T/loop.json" "$T/loop" || rc=$?
check "symlink loops in a folder: each bundle is one row (exit $rc)" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(b["path"].rsplit("/", 1)[-1] for b in d["bundles"]) == ["a.tar.gz", "b.tar.gz"], [b["path"] for b in d["bundles"]][:5]' "$T/loop.json"

# -o onto a character device or a FIFO writes into it, never replaces it (as the report's -o does).
if mknod "$T/null" c 1 3 2>/dev/null; then
	expect_run "--summary -o onto a character device" 0 /dev/null "$ANALYZE" --summary -f csv -o "$T/null" "$S/healthy.tar.gz"
	check "-o onto a character device: still the device afterwards" test -c "$T/null"
fi
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/fifo.out" & cpid=$!
rc=0; timeout 20 "$ANALYZE" --summary -f csv -o "$T/fifo" "$S/healthy.tar.gz" || rc=$?
for _ in $(seq 50); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.1; done
kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null
check "-o onto a FIFO: the summary goes through it, the FIFO stays (exit $rc)" bash -c \
	"[ -p '$T/fifo' ] && grep -q '^path,hostname' '$T/fifo.out' && [ $rc = 0 ]"
mkdir "$T/outdir"
expect_status "-o onto a folder: exit 2" 2 "$ANALYZE" --summary -o "$T/outdir" "$S/healthy.tar.gz"

# Hostile reports: very many findings (the rule-id work was quadratic), very many tiny values
# (a 60 MB "[{},{},...]" took 4.5 GB in jansson): error rows, bounded time and memory (review).
$PY -c '
import json, sys
n = 5000
json.dump({"schema": "triage-report/1", "bundle": {"path": "x", "hostname": "h"},
           "findings": [{"rule": "r%d" % i, "severity": "info"} for i in range(n)]}, open(sys.argv[1], "w"))
open(sys.argv[2], "w").write("{\"schema\": \"triage-report/1\", \"findings\": [], \"x\": [" + ",".join(["{}"] * 300000) + "]}")
' "$T/many.json" "$T/tiny.json"
rc=0; timeout 30 /usr/bin/time -f %M -o "$T/rss" "$ANALYZE" --summary -f json -j 1 -o "$T/many.out.json" "$T/many.json" "$T/tiny.json" "$S/healthy.tar.gz" || rc=$?
check "a report with 5,000 findings, one of 300,000 values: error rows, under 64 MiB (exit $rc, $(tail -n1 "$T/rss" 2>/dev/null) KiB)" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "findings" in d["bundles"][0]["error"], d["bundles"][0]
assert "values" in d["bundles"][1]["error"], d["bundles"][1]
assert d["bundles"][2]["error"] is None
assert int(open(sys.argv[2]).read().split()[-1]) < 65536' "$T/many.out.json" "$T/rss"
# -o without -f: the format follows the file name, as the man page says for -o (review).
for o in q.html q.json q.csv; do
	expect_run "--summary -o $o (healthy)" 0 /dev/null "$ANALYZE" --summary -o "$T/$o" "$S/healthy.tar.gz"
done
expect_run "--summary -f markdown -o q2.html (healthy)" 0 /dev/null "$ANALYZE" --summary -f markdown -o "$T/q2.html" "$S/healthy.tar.gz"
check "-o q.html / q.json / q.csv without -f: HTML, JSON, CSV; -f wins over the name" bash -c \
	"head -c 15 '$T/q.html' | grep -q '<!DOCTYPE html>' && $PY -c 'import json,sys; assert json.load(open(sys.argv[1]))[\"schema\"] == \"triage-summary/1\"' '$T/q.json' &&
	 head -1 '$T/q.csv' | grep -q '^path,hostname' && grep -q '^# Triage summary' '$T/q2.html'"
# Empty strings from a report (path, hostname): the row is empty text, not unterminated memory (review;
# a heap-buffer-overflow under ASan before).
$PY -c '
import json, sys
json.dump({"schema": "triage-report/1", "bundle": {"path": "", "hostname": "", "collected_at": "", "agent_state": ""},
           "findings": [{"rule": "agent-restarting", "severity": "warning", "message": ""}]}, open(sys.argv[1], "w"))' "$T/empty.json"
rc=0; "$ANALYZE" --summary -f json -j 1 -o "$T/empty.out.json" "$T/empty.json" 2>"$T/empty.err" || rc=$?
check "a report with empty strings: a row of empty strings (exit $rc)" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
b = d["bundles"][0]
assert (b["path"], b["hostname"], b["collected_at"], b["agent"], b["rules"], b["error"]) == ("", "", "", "", ["agent-restarting"], None), b' "$T/empty.out.json"
# -o onto one of the summary's inputs (a report in the queue folder): refused, the report kept (review).
mkdir -p "$T/selfq" && "$ANALYZE" -f json -o "$T/selfq/r.json" "$S/healthy.tar.gz" && cp "$T/selfq/r.json" "$T/selfq.want"
expect_status "--summary -o onto an input report: exit 2" 2 "$ANALYZE" --summary -f json -o "$T/selfq/r.json" "$T/selfq"
check "--summary -o onto an input report: the report is intact" cmp "$T/selfq/r.json" "$T/selfq.want"
# A folder of extracted bundles (tar xzf each into one folder): one row per bundle, not one error row (review).
mkdir -p "$T/xq" && tar xzf "$S/healthy.tar.gz" -C "$T/xq" && tar xzf "$S/dns-failure.tar.gz" -C "$T/xq"
# dns-failure has findings at error: exit 1.
expect_run "--summary over a folder of extracted bundles" 1 /dev/null "$ANALYZE" --summary -f json -o "$T/xq.json" "$T/xq"
check "a folder holding two extracted bundles: two rows, no error" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(b["path"].rsplit("/", 1)[-1] for b in d["bundles"]) == ["dns-failure", "healthy"], d["bundles"]
assert all(b["error"] is None for b in d["bundles"]), d["bundles"]' "$T/xq.json"

# A folder holding bundles and their reports (samples/ does): one row per bundle, not two
mkdir "$T/withreports"
cp "$S/healthy.tar.gz" "$S/healthy.expected.json" "$S/dns-failure.tar.gz" "$T/withreports/"
expect_run "dns-failure -f json report" 1 "$T/withreports/dns-failure.json" "$ANALYZE" -f json "$S/dns-failure.tar.gz"
expect_run "unit-failed -f json report" 1 "$T/withreports/other-host.json" "$ANALYZE" -f json "$S/unit-failed.tar.gz"
expect_run "--summary over bundles and their reports" 1 "$T/wr.json" "$ANALYZE" --summary -f json "$T/withreports"
check "a report named after a bundle beside it is passed over; a lone report is a row" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
paths = sorted(b["path"].rsplit("/", 1)[-1] for b in d["bundles"])
assert paths == ["dns-failure.tar.gz", "healthy.tar.gz", "unit-failed.tar.gz"], paths' "$T/wr.json"
finish
