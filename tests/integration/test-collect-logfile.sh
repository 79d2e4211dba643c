#!/usr/bin/env bash
# tests/integration/test-collect-logfile.sh: hosts without systemd (AWS ECS): --log-file from a pipe,
# ONBOARDING_CONFIG / AGENT_CONFIG from the environment, a probe of the configured endpoint on
# loopback, and Ctrl-C in the middle of a run leaving nothing behind.
source "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
BC="$PY $TOP/tests/nspawn/bundle-check.py"
U=onboarding-agent.service
TAB=$(printf '\t')

cat >"$T/agent.log" <<LOG
2026-11-26T05:00:00.123456Z info${TAB}agent${TAB}obtaining discovery information from the Workload Onboarding Plane ...
2026-11-26T05:00:01Z error${TAB}agent${TAB}RPC failed: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy

warn${TAB}agent${TAB}retrying; plugin env CLIENT_SECRET=FAKE-logfile-secret-Hy6 was rejected
error${TAB}agent${TAB}failed to obtain authorization to onboard using platform-specific credential procured by any of the plugins
LOG
ONB='{"kind":"OnboardingConfiguration","onboardingEndpoint":{"host":"localhost","port":1},"workloadGroup":{"namespace":"ns","name":"wg"}}'
AGC=$(printf 'kind: AgentConfiguration\nhost:\n  custom:\n    credential:\n    - plugin:\n        name: jwt\n        env:\n        - name: EXT_JWT_CLIENT_SECRET\n          value: FAKE-env-plugin-secret-Ud4\n')
rc=0
cat "$T/agent.log" | ONBOARDING_CONFIG=$ONB AGENT_CONFIG=$AGC "$COLLECT" --log-file - -o "$T/a.tar.gz" 2>"$T/a.err" || rc=$?
check "log-file: exit 0" test "$rc" = 0
B=$T/a.tar.gz
check "log-file: bundle valid" $BC verify "$B"
check "log-file: four entries (blank line dropped)" sh -c "$BC get $B 'len(jl(\"journal/$U.jsonl\"))' | grep -qx 4"
check "log-file: timestamp from the line" sh -c "$BC get $B 'jl(\"journal/$U.jsonl\")[0][\"__REALTIME_TIMESTAMP\"]' | grep -qx 1795669200123456"
check "log-file: PRIORITY from the level word" sh -c "$BC get $B '[e.get(\"PRIORITY\") for e in jl(\"journal/$U.jsonl\")]' | grep -qx \"\\['6', '3', '4', '3'\\]\""
check "log-file: MESSAGE is the line without its timestamp" sh -c "$BC get $B 'jl(\"journal/$U.jsonl\")[1][\"MESSAGE\"].startswith(\"error\\tagent\\tRPC failed\")' | grep -qx True"
check "log-file: marked as from a log file" sh -c "$BC get $B 'all(e[\"_SOURCE_TRIAGE\"] == \"log-file\" for e in jl(\"journal/$U.jsonl\"))' | grep -qx True"
check "log-file: manifest says log_file" sh -c "$BC get $B 'm[\"collection\"][\"log_file\"]' | grep -qx True"
check "env: ONBOARDING_CONFIG collected as YAML" sh -c "$BC get $B 'src(\"env/ONBOARDING_CONFIG\")[\"status\"]' | grep -qx ok"
check "env: endpoint kept" sh -c "$BC get $B 'f(\"config/env/ONBOARDING_CONFIG.yaml\")' | grep -q localhost"
check "env: AGENT_CONFIG collected" test -n "$($BC get "$B" 'f("config/env/AGENT_CONFIG.yaml")')"
check "no planted secret (log line, env config)" $BC absent "$B" FAKE-logfile-secret-Hy6 FAKE-env-plugin-secret-Ud4
check "probe: the endpoint from ONBOARDING_CONFIG resolves on loopback" sh -c "$BC get $B 'json.loads(f(\"resolver/probes.json\"))[\"probes\"][0][\"resolve\"][\"ok\"]' | grep -qx True"
check "probe: connection to port 1 refused, recorded" sh -c "$BC get $B 'json.loads(f(\"resolver/probes.json\"))[\"probes\"][0][\"connect\"][0][\"error\"]' | grep -qi refused"
check "summary names the file and says what to do" grep -q "attach this file to your support ticket" "$T/a.err"

# --log-file PATH (a regular file) and the same lines
expect_status "log-file PATH: exit 0" 0 "$COLLECT" -q --no-probe --log-file "$T/agent.log" -o "$T/b.tar.gz"
check "log-file PATH: four entries" sh -c "$BC get $T/b.tar.gz 'len(jl(\"journal/$U.jsonl\"))' | grep -qx 4"
# A --log-file the user named but that cannot be read: refused as a missing --ecs-json is (exit 1,
# one line naming it, no bundle): a bundle without the log they meant to give looks like an answer.
expect_status "log-file missing: exit 1" 1 "$COLLECT" -q --no-probe --log-file "$T/nope.log" -o "$T/c.tar.gz"
check "log-file missing: one line naming it" grep -q -- "--log-file '$T/nope.log': No such file or directory; no bundle written" "$T/.err"
check "log-file missing: no bundle" test ! -e "$T/c.tar.gz"
expect_status "log-file a folder: exit 1" 1 "$COLLECT" -q --no-probe --log-file "$T" -o "$T/c.tar.gz"
check "log-file a folder: says so" grep -q "Is a directory; no bundle written" "$T/.err"

# --max-size on a pipe: the lines are spooled and a second pass keeps the warnings and the newest
$PY -c '
import hashlib
for i in range(20000):
    h = hashlib.sha256(str(i).encode()).hexdigest()
    print(("warn" if i % 10 == 0 else "info") + "\tagent\trequest %d id=%s trace %s" % (i, h[:32], h[32:]))
' >"$T/many.log"
rc=0
"$COLLECT" -q --no-probe --log-file - --max-size 200K -o "$T/m.tar.gz" <"$T/many.log" || rc=$?
check "log-file budget: exit 0" test "$rc" = 0
check "log-file budget: within 200K ($(stat -c %s "$T/m.tar.gz" 2>/dev/null) bytes)" test "$(stat -c %s "$T/m.tar.gz")" -le 204800
check "log-file budget: truncated, omitted counted" sh -c "$BC get $T/m.tar.gz '(lambda s: s[\"status\"] == \"truncated\" and s[\"omitted\"] + s[\"entries\"] == 20000 and s[\"entries\"] == len(jl(\"journal/$U.jsonl\")))(src(\"journal/$U\"))' | grep -qx True"
check "log-file budget: every warning kept, then the newest, in order" sh -c "$BC get $T/m.tar.gz '(lambda n: sum(n[i] % 10 == 0 for i in range(len(n))) == 2000 and n[-1] == 19999 and n == sorted(n))([int(x[\"MESSAGE\"].split()[3]) for x in jl(\"journal/$U.jsonl\")])' | grep -qx True"

# Other wordings, through both programs: a lookup without a DNS server, grpc-go's newer
# "Error while dialing: dial tcp", a policy refusal worded differently, a vendor token.
cat >"$T/other.log" <<EOF
2026-11-26T05:00:01Z error${TAB}agent${TAB}lookup wop.example.net: Name or service not known
2026-11-26T05:00:02Z error${TAB}agent${TAB}RPC failed: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 192.0.2.10:15443: connect: connection refused"
2026-11-26T05:00:03Z error${TAB}agent${TAB}onboarding failed: rpc error: code = PermissionDenied desc = workload i-0abc: not authorized by OnboardingPolicy
2026-11-26T05:00:04Z debug${TAB}agent${TAB}plugin fetched with ghp_FAKEotherWording0123456789abcdefghijk
EOF
expect_status "other wordings: collect" 0 "$COLLECT" -q --no-probe --log-file "$T/other.log" -o "$T/o.tar.gz"
check "other wordings: the token is redacted" $BC absent "$T/o.tar.gz" ghp_FAKEotherWording0123456789abcdefghijk
# The DNS, connection and policy findings are at error or above: exit 1.
expect_run "other wordings: analyze" 1 "$T/o.json" "$ANALYZE" -f json "$T/o.tar.gz"
cp "$T/.err" "$T/o.err"
for id in endpoint-dns-unresolvable endpoint-connection-failed onboarding-policy-denied; do
	check "other wordings: $id raised" "$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if any(f["rule"] == sys.argv[2] for f in r["findings"]) else 1)' "$T/o.json" "$id"
done
check "other wordings: no secret left for the analyzer" sh -c "! grep -q bundle-contains-secret '$T/o.json'"
check "other wordings: no unknown DNS server in the message" sh -c "! grep -q 'through DNS server (unknown)' '$T/o.json'"

# ---- the forms customers save (issue 14) ----
# holds B EXPR: the Python expression over the bundle (bundle-check.py get) is True.
holds() { [ "$($BC get "$1" "$2" 2>&1)" = True ]; }
J="jl(\"journal/$U.jsonl\")"
S="src(\"journal/$U\")"
ESC=$(printf '\033')
collect() { # NAME FILE [ARGS...]: collects FILE (piped) into $T/NAME.tar.gz, exit 0 expected
	local n=$1 f=$2; shift 2
	expect_status "$n: collect" 0 sh -c 'f=$1; shift; "$@" <"$f"' sh "$f" "$COLLECT" -q --no-probe --log-file - -o "$T/$n.tar.gz" "$@"
}

# aws logs tail (detailed, with the colours of a terminal or --color on): the stream name leaves MESSAGE,
# the group mixes the agent's stream with the application's: only the agent's are kept.
cat >"$T/tail.log" <<EOF
${ESC}[32m2024-03-05T10:21:10.447000+00:00${ESC}[0m ${ESC}[36mecs/onboarding-agent/3a151358f03a4e32bf8cd401c1c74653${ESC}[0m error${TAB}agent${TAB}RPC failed: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy
${ESC}[32m2024-03-05T10:21:11.000000+00:00${ESC}[0m ${ESC}[36mecs/ratings/3a151358f03a4e32bf8cd401c1c74653${ESC}[0m ERROR lookup reviews: no such host
2024-03-05T10:22:12.250000+00:00 ecs/onboarding-agent/3a151358f03a4e32bf8cd401c1c74653 info${TAB}agent${TAB}obtaining discovery information
EOF
collect tail "$T/tail.log"
check "tail: the application's stream left out, counted" holds "$T/tail.tar.gz" "len($J) == 2 and $S['other_containers_left_out'] == 1 and $S['containers_kept'] == 'onboarding-agent'"
check "tail: colours gone, stream in LOG_STREAM not in MESSAGE" holds "$T/tail.tar.gz" "$J[0]['MESSAGE'].startswith('error\tagent\tRPC failed') and $J[0]['LOG_STREAM'] == 'ecs/onboarding-agent/3a151358f03a4e32bf8cd401c1c74653' and $J[0]['CONTAINER_NAME'] == 'onboarding-agent' and not any('\x1b' in e['MESSAGE'] or 'ecs/' in e['MESSAGE'] for e in $J)"
check "tail: each entry's own time and level" holds "$T/tail.tar.gz" "[(e['__REALTIME_TIMESTAMP'], e['PRIORITY']) for e in $J] == [('1709634070447000', '3'), ('1709634132250000', '6')]"
check "tail: recognised as aws-logs-tail" holds "$T/tail.tar.gz" "$S['formats'] == {'aws-logs-tail': 3} and $S['status'] == 'ok'"
# A group without the agent's container (a renamed container): everything kept, each marked.
sed 's/onboarding-agent/ob-sidecar/' "$T/tail.log" >"$T/tail2.log"
collect tail2 "$T/tail2.log"
check "tail: no agent stream: all kept, CONTAINER_NAME says which" holds "$T/tail2.tar.gz" "[e['CONTAINER_NAME'] for e in $J] == ['ob-sidecar', 'ratings', 'ob-sidecar'] and $S['containers_kept'] == 'all'"
# A stream name holding a secret (a plain line whose second word has two '/' reads as aws logs tail):
# redacted in LOG_STREAM, CONTAINER_NAME and the manifest's container counts, also when left out.
cat >"$T/tail3.log" <<EOF
2024-03-05T10:21:10Z ecs/onboarding-agent/3a15 info${TAB}agent${TAB}starting
2024-03-05T10:21:11Z ecs/token=Zk3qT9vLx2Rw8sPaQ9/x error${TAB}app${TAB}failed
2024-03-05T10:21:12Z ecs/onboarding-agent/password=Hq7ZtR2mXw9Lp4Vd info${TAB}agent${TAB}ok
EOF
collect tail3 "$T/tail3.log"
check "tail: a secret in a stream name is in no field and not in the manifest" sh -c "! tar -xzOf '$T/tail3.tar.gz' | grep -aqE 'Zk3qT9vLx2Rw8sPaQ9|Hq7ZtR2mXw9Lp4Vd'"
check "tail: the redacted stream still names its container" holds "$T/tail3.tar.gz" "$J[-1]['CONTAINER_NAME'] == 'onboarding-agent' and $J[-1]['LOG_STREAM'].startswith('ecs/onboarding-agent/password=<redacted:')"
# --format short: UTC without a zone, no stream.
printf '2024-03-05T10:21:10 warn\tagent\tretrying\n%s[32m2024-03-05T10:21:11%s[0m error\tagent\tfailed\n' "$ESC" "$ESC" >"$T/short.log"
collect short "$T/short.log"
check "tail --format short: UTC times, levels, colours gone" holds "$T/short.tar.gz" "[(e['__REALTIME_TIMESTAMP'], e['PRIORITY'], e['MESSAGE']) for e in $J] == [('1709634070000000', '4', 'warn\tagent\tretrying'), ('1709634071000000', '3', 'error\tagent\tfailed')]"

# aws logs get-log-events (CLI v2 layout: 4-space indent; no stream per event) and filter-log-events
# (a stream per event, the group mixing containers).  Epoch milliseconds; a multi-line event is split.
cat >"$T/gle.json" <<'EOF'
{
    "events": [
        {
            "timestamp": 1709634070512,
            "message": "error\tagent\tRPC failed: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy\ngoroutine 1 [running]:\nmain.main()",
            "ingestionTime": 1709634071120
        },
        {
            "timestamp": 1709634080000,
            "message": "info\tagent\tstill trying \"quoted\" \\ backslash }{ ][",
            "ingestionTime": 1709634081000
        }
    ],
    "nextForwardToken": "f/38130283941270498541939431238549287342116587624402878464/s",
    "nextBackwardToken": "b/38130283941270498541939431238549287342116587624402878464/s"
}
EOF
collect gle "$T/gle.json"
check "get-log-events: one entry per line of each event, the event's time" holds "$T/gle.tar.gz" "[(e['__REALTIME_TIMESTAMP'], e['MESSAGE'][:20]) for e in $J] == [('1709634070512000', 'error\tagent\tRPC fail'), ('1709634070512000', 'goroutine 1 [running'), ('1709634070512000', 'main.main()'), ('1709634080000000', 'info\tagent\tstill try')]"
check "get-log-events: quotes and brackets inside a message survive" holds "$T/gle.tar.gz" "$J[3]['MESSAGE'].endswith('\"quoted\" \\\\ backslash }{ ][')"
check "get-log-events: the level word as PRIORITY (continuation lines take the event's)" holds "$T/gle.tar.gz" "[e.get('PRIORITY') for e in $J] == ['3', '3', '3', '6']"
check "get-log-events: recognised, lines counted" holds "$T/gle.tar.gz" "$S['formats'] == {'aws-logs-json': 4} and $S['lines'] == $(wc -l <"$T/gle.json") and $S['json_not_events'] == 0"
cat >"$T/fle.json" <<'EOF'
{"events": [{"logStreamName": "ecs/ratings/3a151358f03a4e32bf8cd401c1c74653", "timestamp": 1709634070000, "message": "ERROR upstream connect error", "ingestionTime": 1709634071120, "eventId": "1"},
{"logStreamName": "ecs/onboarding-agent/3a151358f03a4e32bf8cd401c1c74653", "timestamp": 1709634070512.0, "message": "error\tagent\tRPC failed: lookup wop.example.net on 10.0.0.2:53: no such host", "ingestionTime": 1709634071120, "eventId": "2"},
{"logStreamName": "ecs/onboarding-agent/3a151358f03a4e32bf8cd401c1c74653", "timestamp": "2024-03-05T05:21:11.5-05:00", "message": "warn\tagent\tISO time with an offset", "eventId": "3"},
{"logStreamName": "ecs/ratings/3a151358f03a4e32bf8cd401c1c74653", "timestamp": 1.709634072e12, "message": "ERROR after the agent", "eventId": "4"}],
 "searchedLogStreams": [{"logStreamName": "ecs/onboarding-agent/3a151358f03a4e32bf8cd401c1c74653", "searchedCompletely": true}]}
EOF
collect fle "$T/fle.json"
check "filter-log-events: only the agent's stream, stream name as a field" holds "$T/fle.tar.gz" "[e['LOG_STREAM'].split('/')[1] for e in $J] == ['onboarding-agent'] * 2 and all('ecs/' not in e['MESSAGE'] for e in $J) and $S['other_containers_left_out'] == 2"
check "filter-log-events: integer, float, exponent and ISO times" holds "$T/fle.tar.gz" "[e['__REALTIME_TIMESTAMP'] for e in $J] == ['1709634070512000', '1709634071500000']"
# Pages saved one after another (>>) and a bare array (--query events): still events.
{ cat "$T/gle.json"; printf '[{"timestamp": 1709634090000, "message": "error\\tagent\\tfrom --query events"}]\n'; } >"$T/pages.json"
collect pages "$T/pages.json"
check "JSON pages in a row and a bare events array" holds "$T/pages.tar.gz" "len($J) == 5 and $J[-1]['__REALTIME_TIMESTAMP'] == '1709634090000000'"
# A JSON document cut short: the events before the cut are kept, the rest counted.
head -c 400 "$T/gle.json" >"$T/cut.json"
collect cut "$T/cut.json"
check "JSON cut short: the whole events before it kept, counted" holds "$T/cut.tar.gz" "len($J) == 3 and $S['json_not_events'] >= 1"

# A text log whose first line starts with a bracket (Envoy's own format) is text, not JSON.
printf '[2024-03-05 10:21:10.447][14][warning][config] gRPC config stream closed\n{"not": "an event"\n2024-03-05T10:21:11Z error\tagent\tafter\n' >"$T/envoy.log"
collect envoy "$T/envoy.log"
check "text starting with '[' stays text, every line kept" holds "$T/envoy.tar.gz" "[e['MESSAGE'][:8] for e in $J] == ['[2024-03', '{\"not\": ', 'error\tag'] and $J[0]['PRIORITY'] == '4' and $J[0]['__REALTIME_TIMESTAMP'] == '1709634070447000'"

# ecs-cli logs: an empty line after every event; with --timestamps TIME<TAB>MESSAGE (RFC 3339 in
# local time, no fraction).  A line of a multi-line event without a time takes the previous time.
printf 'info\tagent\tstarting\n\nerror\tagent\tRPC failed: Not authorized by OnboardingPolicy\n\n' >"$T/ecscli.log"
collect ecscli "$T/ecscli.log"
check "ecs-cli logs: blank separators dropped, counted, untimed lines counted" holds "$T/ecscli.tar.gz" "len($J) == 2 and $S['blank_lines'] == 2 and $S['untimed'] == 2 and $S['lines'] == 4 and all(e['_TRIAGE_TIME'] == 'collection' for e in $J)"
printf '2024-03-05T05:21:10-05:00\tinfo\tagent\tstarting\n\n2024-03-05T10:21:11Z\terror\tagent\tpanic: x\ngoroutine 7\n\n' >"$T/ecscli-ts.log"
collect ecscli-ts "$T/ecscli-ts.log"
check "ecs-cli logs --timestamps: local offset and Z, continuation takes the previous time" holds "$T/ecscli-ts.tar.gz" "[(e['__REALTIME_TIMESTAMP'], e.get('_TRIAGE_TIME')) for e in $J] == [('1709634070000000', None), ('1709634071000000', None), ('1709634071000000', 'previous-line')] and $S['untimed'] == 1 and $S['formats']['time-tab'] == 2"

# docker logs --timestamps (RFC 3339 with nanoseconds) and CRI (TIME stdout|stderr F|P MESSAGE, partials joined).
printf '2024-03-05T10:21:10.123456789Z error\tagent\tdocker line\n2024-03-05T10:21:11.000000001Z info\tagent\tnext\n' >"$T/docker.log"
collect docker "$T/docker.log"
check "docker logs --timestamps: time to the microsecond, level" holds "$T/docker.tar.gz" "[(e['__REALTIME_TIMESTAMP'], e['PRIORITY'], e['_TRIAGE_FORMAT']) for e in $J] == [('1709634070123456', '3', 'docker'), ('1709634071000000', '6', 'docker')]"
printf '2024-03-05T10:21:10.5Z stderr P error\tagent\tRPC failed: lookup wop.example.net on 10.0.0.2:53: \n2024-03-05T10:21:10.6Z stderr F no such host\n2024-03-05T10:21:12+00:00 stdout F info\tagent\tok\n' >"$T/cri.log"
collect cri "$T/cri.log"
check "CRI: partials joined into one entry with the first piece's time" holds "$T/cri.tar.gz" "[(e['__REALTIME_TIMESTAMP'], e['MESSAGE'], e['PRIORITY']) for e in $J] == [('1709634070500000', 'error\tagent\tRPC failed: lookup wop.example.net on 10.0.0.2:53: no such host', '3'), ('1709634072000000', 'info\tagent\tok', '6')]"
expect_run "CRI: analyze (the DNS finding)" 1 "$T/cri.json" "$ANALYZE" -f json "$T/cri.tar.gz"
check "CRI: the analyzer reads the joined line (DNS finding)" grep -q '"endpoint-dns-unresolvable"' "$T/cri.json"

# The analyzer's first_seen/last_seen are the log lines' own times, not the collection time.
expect_run "first/last seen: analyze (the DNS finding)" 1 "$T/fle-r.json" "$ANALYZE" -f json "$T/fle.tar.gz"
check "first_seen/last_seen from the lines' own times" "$PY" -c 'import json, sys
f = [x for x in json.load(open(sys.argv[1]))["findings"] if x["rule"] == "endpoint-dns-unresolvable"]
sys.exit(0 if f and f[0]["first_seen"].startswith("2024-03-05T10:21:10") and f[0]["last_seen"].startswith("2024-03-05T10:21:10") else 1)' "$T/fle-r.json"

# --since/--until apply to the entries' own times.
expect_status "window: collect" 0 "$COLLECT" -q --no-probe --log-file "$T/docker.log" --since 2024-03-05T10:21:10.5Z --until 2024-03-05T10:22:00Z -o "$T/win.tar.gz"
check "window: the entry before --since left out, counted" holds "$T/win.tar.gz" "[e['MESSAGE'] for e in $J] == ['info\tagent\tnext'] and $S['outside_window'] == 1"

# Relative times count from a saved file's newest entry (10:21:12 here), not from now.
expect_status "window, relative: collect" 0 "$COLLECT" -q --no-probe --log-file "$T/fle.json" --since -1s -o "$T/rel.tar.gz"
check "window, relative: from the file's newest entry" holds "$T/rel.tar.gz" "[e['__REALTIME_TIMESTAMP'] for e in $J] == ['1709634071500000'] and $S['window_base'] == '2024-03-05T10:21:12.000000Z'"
# A window that holds no entry of the log: unavailable, where the entries are, no empty journal file.
expect_status "window, empty: collect" 0 "$COLLECT" -q --no-probe --log-file "$T/docker.log" --since 2025-01-01 -o "$T/empty.tar.gz"
check "window, empty: unavailable, says where the entries are, no journal file" holds "$T/empty.tar.gz" "$S['status'] == 'unavailable' and $S['unit_first'] == '2024-03-05T10:21:10Z' and 'widen the window' in $S['detail'] and not any(e['path'].startswith('journal/') for e in m['entries'])"
# No config on this host: onboarding-config-missing (critical), exit 1.
expect_run "window, empty: analyze" 1 "$T/empty.json" "$ANALYZE" -f json "$T/empty.tar.gz"
check "window, empty: the journal rules are not evaluated" "$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if any(n["rule"] == "endpoint-dns-unresolvable" for n in r["not_evaluated"]) else 1)' "$T/empty.json"

# Issue 12.6: a line over 64 KiB stays one entry, cut with a marker, with its own time; the manifest
# counts input lines.
"$PY" -c '
import sys
sys.stdout.write("2024-03-05T10:21:10Z error\tagent\t" + "\u00e9" * 60000 + " END\n")
sys.stdout.write("2024-03-05T10:21:11Z info\tagent\tafter the long one\n")
sys.stdout.write("2024-03-05T10:21:12Z info\tagent\t" + "x" * 200000)' >"$T/long.log"
collect long "$T/long.log"
check "long lines: one entry each, own times, marker, valid UTF-8" holds "$T/long.tar.gz" "len($J) == 3 and [e['__REALTIME_TIMESTAMP'] for e in $J] == ['1709634070000000', '1709634071000000', '1709634072000000'] and $J[0]['MESSAGE'].endswith('[truncated by triage-collect: 120016 bytes in all]') and isinstance($J[0]['MESSAGE'], str) and $J[0]['_TRIAGE_TRUNCATED'] == '120016' and 'END' not in $J[0]['MESSAGE']"
check "long lines: line count is the input's, cut lines counted" holds "$T/long.tar.gz" "$S['lines'] == 3 and $S['long_lines'] == 2 and $S['status'] == 'ok'"
check "long lines: the level of a cut line is kept" holds "$T/long.tar.gz" "$J[0]['PRIORITY'] == '3'"

# Issue 12.4: bounded input and spool.  /dev/zero stops at 100 x --max-size with truncated and the reason.
expect_status "/dev/zero: exit 0" 0 "$COLLECT" -q --no-probe --max-size 1M --log-file /dev/zero -o "$T/zero.tar.gz"
check "/dev/zero: truncated, the cap named" holds "$T/zero.tar.gz" "$S['status'] == 'truncated' and 'stopped after 104857600 bytes' in $S['detail'] and $S['bytes_read'] == 104857600"
check "/dev/zero: bundle within the budget" test "$(stat -c %s "$T/zero.tar.gz")" -le 1048576
# A regular file over the cap is read from its newest part (100 x 64K = 6,400 KiB of an 8 MiB file).
"$PY" "$TOP/tests/bench/gen-agentlog.py" 8 >"$T/eight.log"
tail -1 "$T/eight.log" | cut -d' ' -f2- | tr -d '\n' >"$T/eight.last"
expect_status "regular file over the cap: exit 0" 0 "$COLLECT" -q --no-probe --max-size 64K --log-file "$T/eight.log" -o "$T/eight.tar.gz"
check "regular file over the cap: the newest part read, truncated, the older bytes counted" holds "$T/eight.tar.gz" "$S['status'] == 'truncated' and $S['bytes_read'] == 6553600 and 'older bytes skipped' in $S['detail'] and $J[-1]['MESSAGE'] == open('$T/eight.last').read()"
# TMPDIR is honoured: a TMPDIR that cannot hold a file is named in the source's error, no empty journal.
# A source that could not be read is the manifest's, not the run's: the bundle is written, exit 0.
expect_run "TMPDIR unusable: the collector still writes the bundle" 0 /dev/null \
	env TMPDIR="$T/nope" "$COLLECT" -q --no-probe --log-file - -o "$T/nt.tar.gz" <<<"info${TAB}agent${TAB}x"
check "TMPDIR: an unusable TMPDIR is the source's error, named" holds "$T/nt.tar.gz" "$S['status'] == 'error' and '$T/nope' in $S['detail'] and 'journal/$U.jsonl' not in repr(m['entries'])"
# A small tmpfs as TMPDIR (8 MiB) and a 60 MiB piped log under --max-size 5M: the spool stays within the
# budget (it took the whole input's size before), the bundle is whole, the newest and the warnings kept.
if [ "$(id -u)" = 0 ] && mkdir "$T/tmpfs" && mount -t tmpfs -o size=8m tmpfs "$T/tmpfs" 2>/dev/null; then
	at_exit "umount '$T/tmpfs' 2>/dev/null"
	"$PY" "$TOP/tests/bench/gen-agentlog.py" 60 >"$T/big.log"
	tail -1 "$T/big.log" | cut -d' ' -f2- | tr -d '\n' >"$T/big.last"
	rc=0
	TMPDIR=$T/tmpfs "$COLLECT" -q --no-probe --max-size 5M --log-file - -o "$T/big.tar.gz" <"$T/big.log" || rc=$?
	check "small tmpfs: exit 0" test "$rc" = 0
	check "small tmpfs: bundle valid and within 5M" sh -c "$BC verify $T/big.tar.gz && test \$(stat -c %s $T/big.tar.gz) -le 5242880"
	check "small tmpfs: spool peak within the budget, nothing left in TMPDIR" holds "$T/big.tar.gz" "0 < $S['spool_peak_bytes'] <= 5242880 and __import__('os').listdir('$T/tmpfs') == []"
	check "small tmpfs: every line read and counted, the newest kept" holds "$T/big.tar.gz" "$S['lines'] == $(wc -l <"$T/big.log") and $S['status'] == 'truncated' and $S['omitted'] + $S['entries'] == $S['lines'] and $J[-1]['MESSAGE'] == open('$T/big.last').read()"
	check "small tmpfs: warnings and errors kept first (all of them fit)" holds "$T/big.tar.gz" "sum(e['PRIORITY'] in ('3', '4') for e in $J) == $(grep -cE '^[^ ]+ (warn|error)'"$TAB" "$T/big.log") and len($J) > $(grep -cE '^[^ ]+ (warn|error)'"$TAB" "$T/big.log")"
	# A TMPDIR too small even for that: reading stops, truncated with the reason; what was spooled is kept.
	umount "$T/tmpfs" && mount -t tmpfs -o size=1m tmpfs "$T/tmpfs"
	rc=0
	TMPDIR=$T/tmpfs "$COLLECT" -q --no-probe --max-size 20M --log-file - -o "$T/full.tar.gz" <"$T/big.log" || rc=$?
	check "TMPDIR full: exit 0, bundle valid" sh -c "test $rc = 0 && $BC verify $T/full.tar.gz"
	check "TMPDIR full: truncated, the reason names TMPDIR" holds "$T/full.tar.gz" "$S['status'] == 'truncated' and 'TMPDIR $T/tmpfs' in $S['detail'] and 'No space left' in $S['detail'] and len($J) > 0"
else
	fail "small tmpfs" "needs root to mount a tmpfs"
fi

# nopiece BUNDLE VALUE...: no VALUE, nor any 10-character piece of one, in the decompressed bundle
# (in UTF-8, UTF-16 or UTF-32, plain or base64), nested gzip members included.
nopiece() {
	"$PY" - "$@" <<'PYEOF'
import base64, gzip, json, sys, tarfile
path, values = sys.argv[1], sys.argv[2:]
blobs = []
with tarfile.open(path, "r:gz") as t:
    for m in t.getmembers():
        if m.isfile():
            d = t.extractfile(m).read()
            if d[:2] == b"\x1f\x8b":
                d = gzip.decompress(d)
            blobs.append((m.name, d))
            # journal fields kept as byte arrays (not UTF-8): their bytes too
            if m.name.endswith(".jsonl"):
                for ln in d.splitlines():
                    try:
                        e = json.loads(ln)
                    except ValueError:
                        continue
                    for k, x in e.items():
                        if isinstance(x, list) and all(isinstance(i, int) for i in x):
                            blobs.append((f"{m.name} {k}", bytes(i & 255 for i in x)))
for v in values:
    pieces = {v} | {v[i:i + 10] for i in range(len(v) - 9)}
    for p in pieces:
        forms = {p.encode(), base64.b64encode(p.encode()).decode().rstrip("=").encode()}
        for enc in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
            forms.add(p.encode(enc))
        for name, d in blobs:
            for f in forms:
                if f in d:
                    sys.exit(f"{name} holds {p!r} of a planted secret")
PYEOF
}

# docker json-file: a record whose "log" has no trailing newline is part of a line (docker cuts lines
# at 16 KiB; the last output before an exit): joined with the next records so the line is redacted whole.
cat >"$T/dkpart.log" <<'DKEOF'
{"log":"2024-03-05T10:21:10Z error\tagent\tconnecting with password=Dk7pQ2xLmZ","stream":"stderr","time":"2024-03-05T10:21:10.100Z"}
{"log":"Rw9tY4vBnH ok\n","stream":"stderr","time":"2024-03-05T10:21:10.200Z"}
{"log":"info\tagent\tconnecting with pass","stream":"stdout","time":"2024-03-05T10:21:11Z"}
{"log":"word=Hq3sV8kNcXWp2mTz then retrying\n","stream":"stdout","time":"2024-03-05T10:21:11.1Z"}
{"log":"error\tagent\tlookup wop.example.net on 10.0.0.2:53: no such host\n","stream":"stderr","time":"2024-03-05T10:21:12Z"}
DKEOF
collect dkpart "$T/dkpart.log"
check "docker json-file partials: no piece of a secret cut across records" nopiece "$T/dkpart.tar.gz" Dk7pQ2xLmZRw9tY4vBnH Hq3sV8kNcXWp2mTz
check "docker json-file partials: joined into one entry each, first record's time, lines survive" holds "$T/dkpart.tar.gz" "[(e['__REALTIME_TIMESTAMP'], e['MESSAGE'].split('=')[0], e.get('PRIORITY')) for e in $J] == [('1709634070100000', 'error\tagent\tconnecting with password', '3'), ('1709634071000000', 'info\tagent\tconnecting with password', '6'), ('1709634072000000', 'error\tagent\tlookup wop.example.net on 10.0.0.2:53: no such host', '3')] and 'then retrying' in $J[1]['MESSAGE'] and all('<redacted:' in e['MESSAGE'] for e in $J[:2])"
# The same records after a text line (read line by line), and a partial at the end of the input.
{ echo "info${TAB}agent${TAB}starting"; head -2 "$T/dkpart.log"; printf '{"log":"last words password=Zx8cV7bN6mQw","stream":"stdout","time":"2024-03-05T10:21:13Z"}\n'; } >"$T/dkpart2.log"
collect dkpart2 "$T/dkpart2.log"
check "docker json-file partials after text lines, and at the end: no piece of a secret" nopiece "$T/dkpart2.tar.gz" Dk7pQ2xLmZRw9tY4vBnH Zx8cV7bN6mQw
check "docker json-file partials after text lines: three entries" holds "$T/dkpart2.tar.gz" "len($J) == 3 and $J[2]['MESSAGE'].startswith('last words password=<redacted:')"

# A log saved on Windows (PowerShell: UTF-16LE with a byte-order mark, CRLF) is transcoded while read,
# then parsed and redacted as any other; so are UTF-16BE without a mark, UTF-32 and a UTF-8 mark.
"$PY" - "$T" <<'PYEOF'
import sys
t = sys.argv[1]
lines = ["2024-03-05T10:21:10Z error\tagent\tconnecting password=W16secretQx7Lp2Vb ok",
         "2024-03-05T10:21:11Z error\tagent\tRPC failed: lookup wop.example.net on 10.0.0.2:53: no such host",
         "2024-03-05T10:21:12Z info\tagent\tAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.W16tokenBodyKx93.sigW16Zq8 sent, caf\u00e9 \u2713"]
text = "\r\n".join(lines) + "\r\n"
open(t + "/u16le.log", "wb").write(b"\xff\xfe" + text.encode("utf-16-le"))
open(t + "/u16be.log", "wb").write(text.encode("utf-16-be"))
open(t + "/u32le.log", "wb").write(b"\xff\xfe\x00\x00" + text.encode("utf-32-le"))
open(t + "/u8bom.log", "wb").write(b"\xef\xbb\xbf" + text.encode())
PYEOF
for e in u16le:UTF-16LE u16be:UTF-16BE u32le:UTF-32LE u8bom:; do
	n=${e%%:*} enc=${e#*:}
	collect "$n" "$T/$n.log"
	expect_status "$n: collect (PATH)" 0 "$COLLECT" -q --no-probe --log-file "$T/$n.log" -o "$T/$n-p.tar.gz"
	for b in "$T/$n.tar.gz" "$T/$n-p.tar.gz"; do
		check "$n: no piece of a planted secret ($(basename "$b"))" nopiece "$b" W16secretQx7Lp2Vb W16tokenBodyKx93 sigW16Zq8
		check "$n: three entries with their times, levels and text ($(basename "$b"))" holds "$b" "[(e['__REALTIME_TIMESTAMP'], e['PRIORITY']) for e in $J] == [('1709634070000000', '3'), ('1709634071000000', '3'), ('1709634072000000', '6')] and all(isinstance(e['MESSAGE'], str) for e in $J) and $J[0]['MESSAGE'].startswith('error\tagent\tconnecting password=<redacted:') and $J[1]['MESSAGE'] == 'error\tagent\tRPC failed: lookup wop.example.net on 10.0.0.2:53: no such host' and $J[2]['MESSAGE'].endswith(' sent, caf\u00e9 \u2713') and $S['lines'] == 3"
	done
	if [ -n "$enc" ]; then
		check "$n: the manifest says it was transcoded from $enc" holds "$T/$n.tar.gz" "$S.get('transcoded_from') == '$enc' and 'transcoded from $enc' in $S['detail']"
	else
		check "$n: the UTF-8 mark dropped, nothing transcoded" holds "$T/$n.tar.gz" "'transcoded_from' not in $S and $S.get('utf8_bom') is True"
	fi
done
expect_status "u16le: relative --since: collect" 0 "$COLLECT" -q --no-probe --log-file "$T/u16le.log" --since -1s -o "$T/u16le-w.tar.gz"
check "u16le: relative --since counts from the newest transcoded entry" holds "$T/u16le-w.tar.gz" "len($J) == 2 and $S['window_base'] == '2024-03-05T10:21:12.000000Z'"
expect_run "UTF-16LE: analyze (the DNS finding)" 1 "$T/u16le.json" "$ANALYZE" -f json "$T/u16le.tar.gz"
check "UTF-16LE: the analyzer reads the transcoded line (DNS finding)" grep -q '"endpoint-dns-unresolvable"' "$T/u16le.json"
# A lone surrogate and an odd byte at the end: replaced with U+FFFD, counted, the rest kept.
"$PY" -c 'import sys; open(sys.argv[1], "wb").write(b"\xff\xfe" + "info\tagent\ta\r\n".encode("utf-16-le") + b"\x00\xd8" + "b password=OddSecretZ9x8c7 ok\r\n".encode("utf-16-le") + b"x")' "$T/u16bad.log"
collect u16bad "$T/u16bad.log"
check "UTF-16LE with invalid units: replaced, counted, redacted" holds "$T/u16bad.tar.gz" "$S['invalid_characters'] == 2 and $J[1]['MESSAGE'].startswith('\ufffdb password=<redacted:')"
check "UTF-16LE with invalid units: no piece of the secret" nopiece "$T/u16bad.tar.gz" OddSecretZ9x8c7

# Ctrl-C while reading a fifo that never closes: no bundle, no temporary file
mkdir "$T/out"
mkfifo "$T/fifo"
exec 7<>"$T/fifo"
echo "info${TAB}agent${TAB}waiting" >&7
"$COLLECT" -q --no-probe --log-file "$T/fifo" -o "$T/out/int.tar.gz" 2>/dev/null &
pid=$!
sleep 1
check "ctrl-c: still running (waiting on the fifo)" kill -0 $pid
kill -INT $pid
rc=0; wait $pid || rc=$?
exec 7>&-
check "ctrl-c: died of the signal" test "$rc" -ne 0
check "ctrl-c: nothing left in the output folder" test -z "$(ls -A "$T/out")"
finish
