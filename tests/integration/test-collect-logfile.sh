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
expect_status "log-file missing: exit 0, source error" 0 "$COLLECT" -q --no-probe --log-file "$T/nope.log" -o "$T/c.tar.gz"
check "log-file missing: recorded" sh -c "$BC get $T/c.tar.gz 'src(\"journal/$U\")[\"status\"]' | grep -qx error"

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
"$ANALYZE" -f json "$T/o.tar.gz" >"$T/o.json" 2>"$T/o.err" || true
for id in endpoint-dns-unresolvable endpoint-connection-failed onboarding-policy-denied; do
	check "other wordings: $id raised" "$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if any(f["rule"] == sys.argv[2] for f in r["findings"]) else 1)' "$T/o.json" "$id"
done
check "other wordings: no secret left for the analyzer" sh -c "! grep -q bundle-contains-secret '$T/o.json'"
check "other wordings: no unknown DNS server in the message" sh -c "! grep -q 'through DNS server (unknown)' '$T/o.json'"

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
