#!/usr/bin/env bash
# tests/golden/test-ecs-rules.sh: every ECS rule through a real bundle.  For each scenario of
# tests/ecs/fixtures the real collector runs with --ecs-cluster against the stand-in `aws`
# (tests/ecs/aws; never AWS), the analyzer reads the bundle, and its findings (rule, severity,
# count, first and last seen, message) and not-evaluated rule ids must equal
# tests/ecs/expected/<scenario>.txt.  UPDATE=1 rewrites those files.  Every rule of
# rules/ecs.yaml must fire in at least one scenario.
. "$(dirname "$0")/../lib.sh"
FX=$TOP/tests/ecs/fixtures EXP=$TOP/tests/ecs/expected
summ() { # JSON report -> the lines compared
	$PY -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    print("finding %s %s count=%s first=%s last=%s" % (f["rule"], f["severity"], f["count"], f.get("first_seen"), f.get("last_seen")))
    print("  " + re.sub(r"<redacted:([a-z-]+):[0-9a-f]+>", r"<redacted:\1>", f["message"]))
print("not_evaluated " + " ".join(sorted(n["rule"] for n in d["not_evaluated"])))
' "$1"
}
for d in "$FX"/*/; do
	case=$(basename "$d")
	[ "$case" = planted ] && continue
	rc=0
	AWS_STANDIN_DIR=$d PATH=$TOP/tests/ecs:/usr/bin:/bin "$COLLECT" -q --no-analyze -o "$T/$case.tar.gz" --ecs-cluster bookinfo \
		--ecs-service ratings --ecs-region us-east-1 --since 2026-11-26 --until 2026-11-27 2>"$T/$case.err" || rc=$?
	if [ "$rc" != 0 ]; then fail "$case: collect" "exit $rc: $(head -c 300 "$T/$case.err")"; continue; fi
	rc=0
	"$ANALYZE" -f json -o "$T/$case.json" "$T/$case.tar.gz" 2>"$T/$case.aerr" || rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then fail "$case: analyze" "exit $rc: $(head -c 300 "$T/$case.aerr")"; continue; fi
	summ "$T/$case.json" >"$T/$case.txt"
	if [ "${UPDATE:-}" = 1 ]; then cp "$T/$case.txt" "$EXP/$case.txt"; fi
	if diff -u "$EXP/$case.txt" "$T/$case.txt" >"$T/diff"; then pass "ecs golden $case"; else
		fail "ecs golden $case" "findings differ from tests/ecs/expected/$case.txt"; head -40 "$T/diff"; fi
done
for id in $(sed -n 's/^  - id: //p' "$TOP/rules/ecs.yaml"); do
	if grep -qx "finding $id .*" "$EXP"/*.txt 2>/dev/null || grep -q "^finding $id " "$EXP"/*.txt; then
		pass "rule $id fires in a real bundle"
	else
		fail "rule $id fires in a real bundle" "no scenario of tests/ecs/fixtures raises it"
	fi
done
# The learned rules: the ECS branch of onboarding-config-missing, the inline ONBOARDING_CONFIG, the log as a journal.
for want in "no-config:onboarding-config-missing" "not-root:onboarding-config-invalid" "not-root:tls-verification-disabled" \
	"dns-exit:endpoint-dns-unresolvable" "role-policy:onboarding-policy-denied"; do
	check "${want%%:*}: ${want#*:} fires" grep -q "^finding ${want#*:} " "$EXP/${want%%:*}.txt"
done
check "secrets-logging: ONBOARDING_CONFIG in secrets is not missing" sh -c "! grep -q '^finding onboarding-config-missing' $EXP/secrets-logging.txt"
check "dns-exit: the DNS finding never names the collecting host's resolv.conf" sh -c "! grep -qi 'resolv.conf' $EXP/dns-exit.txt"
finish
