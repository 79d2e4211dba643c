#!/usr/bin/env bash
# tests/integration/test-truth-config.sh: an onboarding config the agent cannot read (a directory, a
# FIFO, a symbolic link loop, over the size cap) is a finding, onboarding-config-unreadable, with the
# reason as evidence (issue 12 item 9) - not only a missing input, and never "missing".
source "$(dirname "$0")/../lib.sh"
BC="$PY $TOP/tests/nspawn/bundle-check.py"
F=/etc/onboarding-agent/onboarding.config.yaml
for kind in directory fifo loop huge; do
	R=$T/root-$kind
	mkdir -p "$R/etc/onboarding-agent"
	echo "tree-$kind" >"$R/etc/hostname"
	case $kind in
	directory) mkdir "$R$F" ;;
	fifo) mkfifo "$R$F" ;;
	loop) ln -s onboarding.config.yaml "$R$F" ;;
	huge) { echo "kind: OnboardingConfiguration"; head -c 5000000 /dev/zero | tr '\0' '#'; echo; } >"$R$F" ;;
	esac
	B=$T/$kind.tar.gz
	expect_status "$kind: collector exits 0" 0 timeout 60 "$COLLECT" -q --root "$R" -o "$B"
	check "$kind: source says the agent cannot read it" sh -c "$BC get $B 'src(\"config$F\")[\"status\"] + \" \" + src(\"config$F\")[\"detail\"]' | grep -q '^error the agent cannot read it'"
	# onboarding-config-unreadable is critical: exit 1.
	expect_run "$kind: the analyzer reads the bundle" 1 "$T/$kind.json" "$ANALYZE" -f json "$B"
	check "$kind: finding onboarding-config-unreadable, not 'missing'" $PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
rules = {f["rule"]: f for f in r["findings"]}
f = rules.get("onboarding-config-unreadable")
ok = f is not None and "onboarding-config-missing" not in rules and any("cannot read it" in e["text"] for e in f["evidence"])
sys.exit(0 if ok else 1)' "$T/$kind.json"
done
# Permission denied for an unprivileged collector is not the agent's problem: no finding.
R=$T/root-perm
mkdir -p "$R/etc/onboarding-agent" && echo "kind: OnboardingConfiguration" >"$R$F" && chmod 0600 "$R$F"
chmod 0755 "$T" "$R" "$R/etc" "$R/etc/onboarding-agent"; mkdir -m 0777 "$T/out"
expect_status "unprivileged: collector exits 0" 0 setpriv --reuid=65534 --regid=65534 --clear-groups "$COLLECT" -q --root "$R" -o "$T/out/perm.tar.gz"
# No finding (the check below): exit 0.
expect_run "unprivileged: the analyzer reads the bundle" 0 "$T/perm.json" "$ANALYZE" -f json "$T/out/perm.tar.gz"
check "unprivileged: no onboarding-config-unreadable finding" $PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(1 if any(f["rule"] == "onboarding-config-unreadable" for f in r["findings"]) else 0)' "$T/perm.json"
finish
