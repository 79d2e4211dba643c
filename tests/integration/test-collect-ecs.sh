#!/usr/bin/env bash
# tests/integration/test-collect-ecs.sh: AWS ECS collection: --ecs-json (every kind, CLI v1 and v2
# times, several documents in one file, stdin, refusals), the planted secrets of a task definition,
# and --ecs-cluster/--ecs-service against a stand-in `aws` (tests/ecs/aws) that answers from
# tests/ecs/fixtures and fails the way the real CLI does.  Never calls AWS.
source "$(dirname "$0")/../lib.sh"
BC="$PY $TOP/tests/nspawn/bundle-check.py"
FX=$TOP/tests/ecs/fixtures
U=onboarding-agent.service

# --ecs-json: every kind, recognised by shape and stored under ecs/.
rc=0
"$COLLECT" -o "$T/j.tar.gz" --ecs-json "$FX/dns-exit/describe-services.json" --ecs-json "$FX/dns-exit/describe-tasks.json" \
	--ecs-json "$FX/dns-exit/describe-task-definition.json" --ecs-json "$FX/dns-exit/list-tasks-stopped.json" 2>"$T/j.err" || rc=$?
B=$T/j.tar.gz
check "ecs-json: exit 0" test "$rc" = 0
check "ecs-json: bundle valid" $BC verify "$B"
for k in describe-services describe-tasks describe-task-definition list-tasks; do
	check "ecs-json: $k recognised and stored as ecs/$k.json" sh -c "$BC get $B 'src(\"ecs/$k\")[\"kind\"]' | grep -qx $k"
done
check "ecs-json: stderr says what each input was taken for" sh -c "grep -q \"describe-services.json': the output of aws ecs describe-services\" $T/j.err && grep -q \"list-tasks-stopped.json': the output of aws ecs list-tasks\" $T/j.err"
check "ecs-json: v2 times named" sh -c "$BC get $B 'src(\"ecs/describe-services\")[\"detail\"]' | grep -q 'CLI v2 times'"
check "ecs-json: service state in the detail" sh -c "$BC get $B 'src(\"ecs/describe-services\")[\"detail\"]' | grep -q 'ratings ACTIVE, 1 desired, 0 running'"
check "ecs-json: no host-local sources (units, resolver, host configs, probes)" sh -c "$BC get $B '[e[\"path\"] for e in m[\"entries\"] if e[\"path\"].split(\"/\")[0] in (\"units\",\"resolver\") or e[\"path\"].startswith(\"config/etc\")]' | grep -qx '\\[\\]'"
check "ecs-json: sources say what they describe" sh -c "$BC get $B 'sorted(set((s[\"name\"].split(\"/\")[0], s[\"describes\"]) for s in m[\"sources\"]))' | grep -qx \"\\[('ecs', 'task'), ('env', 'task'), ('host', 'collecting-host')\\]\""
check "ecs-json: collection.ecs.away" sh -c "$BC get $B 'm[\"collection\"][\"ecs\"][\"away\"]' | grep -qx True"
check "ecs-json: ONBOARDING_CONFIG of the task definition as config/env" sh -c "$BC get $B 'f(\"config/env/ONBOARDING_CONFIG.yaml\")' | grep -q 'host: abcdef-123456789.us-east-1.elb.amazonaws.com'"
check "ecs-json: the agent's exit code kept" sh -c "$BC get $B 'json.loads(f(\"ecs/describe-tasks.json\"))[\"tasks\"][0][\"containers\"][0][\"exitCode\"]' | grep -qx 1"

# CLI v1 epoch seconds; two documents appended to one file; standard input.
cat "$FX/pull-failure/describe-services.json" "$FX/pull-failure/describe-tasks.json" >"$T/two.json"
rc=0
"$COLLECT" -q -o "$T/v1.tar.gz" --ecs-json - <"$T/two.json" 2>"$T/v1.err" || rc=$?
check "ecs-json -: two appended documents from stdin, exit 0" test "$rc" = 0
check "ecs-json: v1 times named" sh -c "$BC get $T/v1.tar.gz 'src(\"ecs/describe-tasks\")[\"detail\"]' | grep -q 'CLI v1 times'"
check "ecs-json: v1 numbers kept as numbers" sh -c "$BC get $T/v1.tar.gz 'json.loads(f(\"ecs/describe-tasks.json\"))[\"tasks\"][0][\"stoppedAt\"]' | grep -qx 1795669295.117"
expect_run "collect -q -o two.tar.gz --ecs-json FX/healthy/describe-tasks.json --ecs-json FX/dns-exit/describe-tasks.json" 0 /dev/null "$COLLECT" -q -o "$T/two.tar.gz" --ecs-json "$FX/healthy/describe-tasks.json" --ecs-json "$FX/dns-exit/describe-tasks.json"
check "ecs-json: a second document of a kind is ecs/KIND.2.json" sh -c "$BC get $T/two.tar.gz 'src(\"ecs/describe-tasks.2\")[\"file\"]' | grep -qx ecs/describe-tasks.2.json"

# What --query leaves: a bare service, a list of tasks, the task definition object.
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d["services"][0]))' "$FX/dns-exit/describe-services.json" >"$T/q-svc.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d["tasks"]))' "$FX/dns-exit/describe-tasks.json" >"$T/q-tasks.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d["taskDefinition"]))' "$FX/dns-exit/describe-task-definition.json" >"$T/q-td.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d["taskArns"]))' "$FX/dns-exit/list-tasks-stopped.json" >"$T/q-arns.json"
rc=0
"$COLLECT" -q --no-analyze -o "$T/q.tar.gz" --ecs-json "$T/q-svc.json" --ecs-json "$T/q-tasks.json" --ecs-json "$T/q-td.json" \
	--ecs-json "$T/q-arns.json" 2>"$T/q.err" || rc=$?
check "ecs-json --query parts: accepted (exit 0)" test "$rc" = 0
check "ecs-json --query parts: each wrapped back into its command's shape" sh -c "$BC get $T/q.tar.gz 'sorted(s[\"kind\"] for s in m[\"sources\"] if s[\"name\"].startswith(\"ecs/\"))' | grep -qx \"\['describe-services', 'describe-task-definition', 'describe-tasks', 'list-tasks'\]\""
# Critical ECS findings (no running task, the agent container exited): exit 1.
expect_run "analyze -f json -o q.json q.tar.gz" 1 /dev/null "$ANALYZE" -f json -o "$T/q.json" "$T/q.tar.gz"
check "ecs-json --query parts: the rules read them" sh -c "$PY -c 'import json,sys; print(sorted(f[\"rule\"] for f in json.load(open(sys.argv[1]))[\"findings\"]))' $T/q.json | grep -q 'ecs-agent-container-exited'"

# Refusals: one line naming the file, exit 1, nothing written.
echo '{"clusters": []}' >"$T/other.json"
expect_status "ecs-json: another JSON shape refused (exit 1)" 1 "$COLLECT" -o "$T/no1.tar.gz" --ecs-json "$T/other.json"
check "ecs-json: the refusal names the file and the kinds" grep -q "other.json': not a saved output of aws ecs describe-services, list-tasks, describe-tasks or describe-task-definition (its keys: 'clusters')" "$T/.err"
check "ecs-json: nothing written on refusal" test ! -e "$T/no1.tar.gz"
printf 'SERVICES\tratings\n' >"$T/text.out"
expect_status "ecs-json: text output refused" 1 "$COLLECT" -o "$T/no2.tar.gz" --ecs-json "$T/text.out"
check "ecs-json: says to save JSON" grep -q "not JSON (save the output with --output json)" "$T/.err"
expect_status "ecs-json: log events refused" 1 "$COLLECT" -o "$T/no3.tar.gz" --ecs-json "$FX/healthy/filter-log-events.json"
check "ecs-json: log events point at --log-file" grep -q "pass it with --log-file" "$T/.err"
printf '{"services": [' >"$T/cut.json"
expect_status "ecs-json: cut JSON refused" 1 "$COLLECT" -o "$T/no4.tar.gz" --ecs-json "$T/cut.json"
check "ecs-json: cut JSON names line and column" grep -q "cut.json': not valid JSON at line 1" "$T/.err"
expect_status "ecs-json: missing file refused" 1 "$COLLECT" -o "$T/no5.tar.gz" --ecs-json "$T/nope.json"
check "ecs-json: no bundle after any refusal" sh -c "! ls $T/no*.tar.gz 2>/dev/null"
$PY -c 'print("{\"services\": " + "[" * 5000 + "]" * 5000 + "}")' >"$T/deep.json"
expect_status "ecs-json: nesting 5000 deep refused" 1 "$COLLECT" -o "$T/no6.tar.gz" --ecs-json "$T/deep.json"
check "ecs-json: the deep file named" grep -q "deep.json': not valid JSON" "$T/.err"
printf '{"tasks": [{"taskArn": "\xff\xfe"}]}' >"$T/bad-utf8.json"
expect_status "ecs-json: invalid UTF-8 refused" 1 "$COLLECT" -o "$T/no7.tar.gz" --ecs-json "$T/bad-utf8.json"
expect_status "usage: --ecs-cluster without --ecs-service" 2 "$COLLECT" --ecs-cluster c -o "$T/u.tar.gz"
expect_status "usage: --ecs-region without --ecs-cluster" 2 "$COLLECT" --ecs-region us-east-1 -o "$T/u.tar.gz"
expect_status "usage: stdin twice" 2 "$COLLECT" --ecs-json - --log-file - -o "$T/u.tar.gz"
expect_status "usage: --ecs-json with --root" 2 "$COLLECT" --ecs-json "$T/two.json" --root / -o "$T/u.tar.gz"

# Planted secrets of a task definition never reach the bundle; what support reads stays.
rc=0
"$COLLECT" -q -o "$T/p.tar.gz" --ecs-json "$FX/planted/describe-task-definition.json" 2>"$T/p.err" || rc=$?
check "planted: exit 0" test "$rc" = 0
check "planted: no planted secret anywhere (env values, private key, AGENT_CONFIG plugin secrets, ARNs, command)" \
	$BC absent "$T/p.tar.gz" FAKE-db-password-Hq73Xe FAKE-api-key-Vb62Ks FAKE-plain-looking-value-Rt48Pz FAKE-url-password-Gy39Nc \
	FAKEwJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY ghp_FAKEplantedGitHubToken0123456789abcd FAKEplantedKEYmaterialXq9Zr7Lm2Np4Kw8Vt3Ys6Hd1Jf5Gb0Cx \
	FAKE-plugin-signing-key-Zx81Qa FAKE-plugin-client-secret-Lp27Wd FAKE-plugin-arg-token-Mn55Ty FAKE-secret-arn-name-Kd93Jw \
	FAKE-ssm-param-Pq12Zu FAKE-repo-cred-Wx45Rt FAKE-cmd-password-Ty66Ui
check "planted: no 'FAKE' text at all" sh -c "! (mkdir -p $T/px && tar xzf $T/p.tar.gz -C $T/px && grep -r FAKE $T/px)"
check "planted: no PRIVATE KEY block" sh -c "! grep -r 'PRIVATE KEY' $T/px"
TD="json.loads(f(\"ecs/describe-task-definition.json\"))[\"taskDefinition\"]"
check "planted: names, image, networkMode and roles kept" sh -c "$BC get $T/p.tar.gz '[$TD[\"networkMode\"], $TD[\"taskRoleArn\"].endswith(\"bookinfoECSTaskRole\"), $TD[\"containerDefinitions\"][0][\"image\"].endswith(\"onboarding-agent:1.8.0\"), [e[\"name\"] for e in $TD[\"containerDefinitions\"][0][\"environment\"]][:3]]' | grep -qx \"\\['awsvpc', True, True, \\['ONBOARDING_CONFIG', 'ONBOARDING_AGENT_ROOT_CERTS', 'AGENT_CONFIG'\\]\\]\""
check "planted: ONBOARDING_CONFIG endpoint host kept, readable" sh -c "$BC get $T/p.tar.gz '$TD[\"containerDefinitions\"][0][\"environment\"][0][\"value\"]' | grep -q 'host: abcdef-123456789.us-east-1.elb.amazonaws.com'"
check "planted: secret names kept, ARNs redacted" sh -c "$BC get $T/p.tar.gz '$TD[\"containerDefinitions\"][0][\"secrets\"]' | grep -q \"'name': 'EXTRA_TOKEN', 'valueFrom': '<redacted:\""
check "planted: awslogs options kept" sh -c "$BC get $T/p.tar.gz '$TD[\"containerDefinitions\"][0][\"logConfiguration\"][\"options\"][\"awslogs-group\"]' | grep -qx /ecs/bookinfo_ratings"
check "planted: redactions counted in the manifest" sh -c "$BC get $T/p.tar.gz '[r[\"count\"] > 10 for r in m[\"redactions\"] if r[\"path\"] == \"ecs/describe-task-definition.json\"]' | grep -qx '\\[True\\]'"

# --dry-run: what the ECS run would do, nothing written, no AWS call.
rm -f "$T/calls"
rc=0
AWS_STANDIN_LOG=$T/calls PATH=$TOP/tests/ecs:$PATH "$COLLECT" --dry-run -o "$T/dry.tar.gz" --ecs-cluster bookinfo --ecs-service ratings \
	--ecs-json "$FX/healthy/describe-tasks.json" >"$T/dry.out" 2>&1 || rc=$?
check "dry-run: exit 0" test "$rc" = 0
check "dry-run: says the collector runs away from the task and what it would run" sh -c "grep -q 'runs away from the task' $T/dry.out && grep -q 'describe-tasks -> ecs/describe-tasks.json' $T/dry.out && grep -q 'for cluster bookinfo service ratings' $T/dry.out"
check "dry-run: no host agent sources listed, nothing written, no call made" sh -c "! grep -q '^config files:' $T/dry.out && test ! -e $T/dry.tar.gz && test ! -e $T/calls"

# Markup in AWS texts reaches the reports escaped.
cat >"$T/markup.json" <<'J'
{"tasks": [{"taskArn": "arn:aws:ecs:us-east-1:1:task/c/<img src=x onerror=alert(1)>", "lastStatus": "STOPPED",
  "stoppedReason": "CannotPullContainerError: <script>alert(1)</script> [x](javascript:alert(1)) | pipe",
  "containers": [{"name": "onboarding-agent", "exitCode": 1, "reason": "<b>bold</b>"}]}], "failures": []}
J
expect_run "collect -q --no-analyze -o mk.tar.gz --ecs-json markup.json" 0 /dev/null "$COLLECT" -q --no-analyze -o "$T/mk.tar.gz" --ecs-json "$T/markup.json"
# The agent container exited (critical): exit 1.
expect_run "analyze -f html -o mk.html mk.tar.gz" 1 /dev/null "$ANALYZE" -f html -o "$T/mk.html" "$T/mk.tar.gz"
expect_run "analyze -o mk.md mk.tar.gz" 1 /dev/null "$ANALYZE" -o "$T/mk.md" "$T/mk.tar.gz"
check "markup: no raw tag or javascript link in the HTML report" sh -c "! grep -qiE '<script>alert|<img src=x|<b>bold|href=\"javascript' $T/mk.html && grep -q 'CannotPullContainerError' $T/mk.html"
check "markup: the markdown report escapes it outside code fences" $PY -c '
import sys
fence = False
for line in open(sys.argv[1]):
    if line.startswith("```"):
        fence = not fence
    elif not fence and ("<script>" in line or "<b>bold" in line):
        sys.exit(1)
sys.exit(0 if "\\<script\\>" in open(sys.argv[1]).read() else 1)' "$T/mk.md"

# Environment values that are no secrets (a container's or the service's name, a boolean, a port) stay, and
# are never scrubbed from the rest of the bundle (container names, ARNs, JSON literals stay intact).
$PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["taskDefinition"]["containerDefinitions"][1]["environment"] = [{"name": "APP", "value": "ratings"},
    {"name": "SIDECAR", "value": "onboarding-agent"}, {"name": "ENABLED", "value": "true"}, {"name": "PORT", "value": "9080"},
    {"name": "CLUSTER_HINT", "value": "bookinfo"}, {"name": "DB_PASSWORD", "value": "true-FAKE-Gx81"}]
json.dump(d, open(sys.argv[2], "w"))' "$FX/dns-exit/describe-task-definition.json" "$T/td-env.json"
expect_run "collect -q --no-analyze -o env.tar.gz --ecs-json td-env.json --ecs-json FX/dns-exit/describe-tasks.json" 0 /dev/null "$COLLECT" -q --no-analyze -o "$T/env.tar.gz" --ecs-json "$T/td-env.json" --ecs-json "$FX/dns-exit/describe-tasks.json"
check "env: public values kept, the secret one redacted" sh -c "$BC get $T/env.tar.gz '[e[\"value\"][:10] for e in json.loads(f(\"ecs/describe-task-definition.json\"))[\"taskDefinition\"][\"containerDefinitions\"][1][\"environment\"]]' | grep -qx \"\['ratings', 'onboarding', 'true', '9080', 'bookinfo', '<redacted:'\]\""
check "env: container names, ARNs and literals elsewhere intact (valid JSON, no marker)" sh -c "$BC get $T/env.tar.gz '(json.loads(f(\"ecs/describe-tasks.json\"))[\"tasks\"][0][\"containers\"][0][\"name\"], \"redacted\" in f(\"ecs/describe-tasks.json\"), json.loads(f(\"ecs/describe-task-definition.json\"))[\"taskDefinition\"][\"containerDefinitions\"][0][\"essential\"])' | grep -qx \"('onboarding-agent', False, True)\""
check "env: the secret value appears nowhere" $BC absent "$T/env.tar.gz" true-FAKE-Gx81

# --ecs-cluster/--ecs-service with the stand-in aws.
export AWS_STANDIN_DIR=$FX/dns-exit AWS_STANDIN_LOG=$T/calls
rc=0
PATH=$TOP/tests/ecs:$PATH "$COLLECT" -o "$T/c.tar.gz" --ecs-cluster bookinfo --ecs-service ratings --ecs-region us-east-1 \
	--ecs-profile support --since 2026-11-26 --until 2026-11-27 2>"$T/c.err" || rc=$?
B=$T/c.tar.gz
check "cluster: exit 0" test "$rc" = 0
check "cluster: bundle valid" $BC verify "$B"
check "cluster: only read-only calls, with profile and region" sh -c "! grep -v -E '^--profile support --region us-east-1 --output json (ecs (describe-services|list-tasks|describe-tasks|describe-task-definition)|logs filter-log-events) ' $T/calls"
check "cluster: six calls" sh -c "test \$(wc -l <$T/calls) = 6"
check "cluster: STOPPED tasks asked for" grep -q -- "--desired-status STOPPED" "$T/calls"
check "cluster: describe-tasks names the stopped tasks" grep -q -- "describe-tasks --cluster bookinfo --tasks 7c9e0b2d41f84a6fa3d5e1c2b4a69f01 c41d7e3a9b2f4c8e8a1f6d5b3e2c7a90" "$T/calls"
check "cluster: the agent's streams from the awslogs options and task ids" grep -q -- "--log-group-name /ecs/bookinfo_ratings --log-stream-names ecs/onboarding-agent/7c9e0b2d41f84a6fa3d5e1c2b4a69f01 ecs/onboarding-agent/c41d7e3a9b2f4c8e8a1f6d5b3e2c7a90 --start-time 1795651200000 --end-time 1795737600000" "$T/calls"
for k in describe-services list-tasks-running list-tasks-stopped describe-tasks describe-task-definition; do
	check "cluster: ecs/$k ok" sh -c "$BC get $B 'src(\"ecs/$k\")[\"status\"]' | grep -qx ok"
done
check "cluster: the CloudWatch log as the agent's journal, its own times" sh -c "$BC get $B '[e[\"__REALTIME_TIMESTAMP\"] for e in jl(\"journal/$U.jsonl\")][:2]' | grep -qx \"\\['1795669270000000', '1795669271000000'\\]\""
check "cluster: level word as PRIORITY, stream as a field" sh -c "$BC get $B '[(e.get(\"PRIORITY\"), e[\"LOG_STREAM\"]) for e in jl(\"journal/$U.jsonl\")][1]' | grep -qx \"('3', 'ecs/onboarding-agent/7c9e0b2d41f84a6fa3d5e1c2b4a69f01')\""
check "cluster: the fetched events went through the log-file reader" sh -c "$BC get $B '(src(\"journal/$U\")[\"origin\"], src(\"journal/$U\")[\"formats\"], src(\"journal/$U\")[\"detail\"].startswith(\"9 entries from\"))' | grep -qx \"('cloudwatch', {'aws-logs-json': 9}, True)\""
check "cluster: the journal describes the task" sh -c "$BC get $B 'src(\"journal/$U\")[\"describes\"]' | grep -qx task"
check "cluster: --since/--until bound the log events" sh -c "$BC get $B 'len(jl(\"journal/$U.jsonl\"))' | grep -qx 9"

# The CLI's own error line when a call fails; the bundle is still written.
for mode in "creds:Unable to locate credentials. You can configure credentials by running" \
	"denied:An error occurred (AccessDeniedException) when calling the DescribeServices operation" \
	"throttle:An error occurred (ThrottlingException) when calling the DescribeServices operation (reached max retries: 2): Rate exceeded" \
	"garbage:the answer is not the expected JSON"; do
	m=${mode%%:*} want=${mode#*:}
	rc=0
	AWS_STANDIN_FAIL=$m AWS_STANDIN_FAIL_ON=describe-services PATH=$TOP/tests/ecs:$PATH "$COLLECT" -o "$T/f-$m.tar.gz" \
		--ecs-cluster bookinfo --ecs-service ratings 2>"$T/f.err" || rc=$?
	check "cluster $m: bundle written (exit 0)" test "$rc" = 0
	check "cluster $m: the source says the CLI's error" sh -c "$BC get $T/f-$m.tar.gz 'src(\"ecs/describe-services\")[\"status\"] + \" \" + src(\"ecs/describe-services\")[\"detail\"]' | grep -qF -- 'error aws --output json ecs describe-services --cluster bookinfo --services ratings: ' && $BC get $T/f-$m.tar.gz 'src(\"ecs/describe-services\")[\"detail\"]' | grep -qF -- '$want'"
	check "cluster $m: on stderr too" grep -qF -- "$want" "$T/f.err"
done
check "cluster denied: the other calls still ran" sh -c "$BC get $T/f-denied.tar.gz 'src(\"ecs/describe-tasks\")[\"status\"]' | grep -qx ok"
printf 'name: t\ntimeouts:\n  source: 2s\n' >"$T/short.yaml"
rc=0
s=$(date +%s)
AWS_STANDIN_FAIL=hang AWS_STANDIN_FAIL_ON=describe-services PATH=$TOP/tests/ecs:$PATH "$COLLECT" -q --profile "$T/short.yaml" \
	-o "$T/hang.tar.gz" --ecs-cluster bookinfo --ecs-service ratings 2>/dev/null || rc=$?
check "cluster: a call that hangs ends at its time limit" sh -c "test $rc = 0 && test \$(( \$(date +%s) - $s )) -lt 30"
check "cluster: the hung call's source says so" sh -c "$BC get $T/hang.tar.gz 'src(\"ecs/describe-services\")[\"detail\"]' | grep -q 'no answer within the time limit'"
rc=0
PATH=/usr/bin:/bin "$COLLECT" -o "$T/noaws.tar.gz" --ecs-cluster bookinfo --ecs-service ratings 2>"$T/noaws.err" || rc=$?
check "no aws on PATH: bundle written" test "$rc" = 0
check "no aws on PATH: said clearly, with what to do" grep -q "the AWS CLI ('aws') is not on PATH: install it" "$T/noaws.err"
finish
