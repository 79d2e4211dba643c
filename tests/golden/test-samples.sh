#!/usr/bin/env bash
# tests/golden/test-samples.sh: each sample of samples/ (real bundles from triage-collect) yields
# exactly the findings its scenario calls for, whatever the golden files say: the guide's
# symptoms with the host and DNS server captured, and a healthy agent with nothing at error.
. "$(dirname "$0")/../lib.sh"
S=$TOP/samples
if ! ls "$S"/*.tar.gz >/dev/null 2>&1; then
	fail "samples exist" "no samples/*.tar.gz (make samples)"
	finish
fi
# sample NAME EXIT "rule rule ..." [PYTHON-CHECK]: the set of finding ids is exactly the list.
sample() {
	local name=$1 want_rc=$2 want=$3 extra=${4:-True} rc=0
	if [ ! -e "$S/$name.tar.gz" ]; then fail "sample $name" "missing"; return; fi
	"$ANALYZE" -f json "$S/$name.tar.gz" >"$T/$name.json" 2>"$T/$name.err" || rc=$?
	if [ "$rc" != "$want_rc" ]; then fail "sample $name: exit $want_rc" "exit $rc $(head -c 200 "$T/$name.err")"; return; fi
	if python3 - "$T/$name.json" "$want" "$extra" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted(f["rule"] for f in d["findings"])
want = sorted(sys.argv[2].split())
f = {x["rule"]: x for x in d["findings"]}
if got != want:
    print("findings", got, "wanted", want)
    sys.exit(1)
if not eval(sys.argv[3]):
    print("check failed:", sys.argv[3])
    sys.exit(1)
PY
	then pass "sample $name: exactly ${want:-no findings} (exit $rc)"; else fail "sample $name" "$(python3 -c 'import json,sys; print([x["rule"] for x in json.load(open(sys.argv[1]))["findings"]])' "$T/$name.json")"; fi
}
sample healthy 0 ""
sample dns-failure 1 "endpoint-dns-unresolvable endpoint-unresolvable-at-collection" \
	'"through DNS server 192.0.2.53" in f["endpoint-dns-unresolvable"]["message"] and "resolve onboarding.example.invalid" in f["endpoint-dns-unresolvable"]["message"] and "is the configured onboardingEndpoint.host" in f["endpoint-dns-unresolvable"]["message"]'
sample policy-denied 1 "onboarding-policy-denied" \
	'"not authorized by OnboardingPolicy" in f["onboarding-policy-denied"]["message"] and "credential-plugins-failed" not in f'
sample unit-failed 1 "agent-unit-not-active agent-restarting" \
	'"failed" in f["agent-unit-not-active"]["message"]'
sample not-installed 1 "agent-unit-not-found onboarding-config-missing"
# AWS ECS, collected away from the task with --ecs-cluster (tests/ecs/make-samples.sh).
sample ecs-running 0 "" '"ECS service ratings: ACTIVE, 1 of 1 tasks running" in open(sys.argv[1]).read()'
sample ecs-dns-exit 1 "ecs-no-running-tasks endpoint-dns-unresolvable ecs-agent-container-exited ecs-deployment-failed" \
	'"through DNS server 10.40.0.2" in f["endpoint-dns-unresolvable"]["message"] and "resolv.conf" not in f["endpoint-dns-unresolvable"]["message"] and "exited with code 1" in f["ecs-agent-container-exited"]["message"] and f["endpoint-dns-unresolvable"]["first_seen"] == "2026-11-26T05:01:11Z"'
sample ecs-pull-failure 1 "ecs-no-running-tasks ecs-image-pull-failed" \
	'"CannotPullContainerError" in f["ecs-image-pull-failed"]["message"] and f["ecs-image-pull-failed"]["first_seen"] == "2026-11-26T05:01:35Z"'
sample ecs-role-policy 1 "ecs-task-role-missing onboarding-policy-denied" \
	'"ECS" in f["onboarding-policy-denied"]["remedy"] or "ecs" in f["onboarding-policy-denied"]["remedy"]'
sample ecs-logfile 1 "endpoint-dns-unresolvable endpoint-unresolvable-at-collection" \
	'"is the configured onboardingEndpoint.host" in f["endpoint-dns-unresolvable"]["message"] and "agent-unit-not-found" in [n["rule"] for n in d["not_evaluated"]]'
# No sample leaks a secret or fails its integrity check.
for f in "$S"/*.tar.gz; do
	n=$(basename "$f" .tar.gz)
	check "sample $n: verified, no leaked secret" $PY -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["integrity"]["verified"], "integrity not verified: %s" % d["integrity"]
bad = [x["rule"] for x in d["findings"] if x["rule"].startswith("bundle-")]
assert not bad, "findings: %s" % bad' "$T/$n.json"
done
finish
