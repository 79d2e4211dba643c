#!/usr/bin/env bash
# tests/nspawn/test-systemd.sh: triage-collect against a real systemd booted in a container, one
# scenario after another (healthy, two units, dns, policy, failed, not-installed, masked, unprivileged).
# Each bundle is checked against CONTRACT.md and against what systemd itself reports (systemctl show,
# journalctl -u -o json, timedatectl), and no planted fake secret may appear in it.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib-nspawn.sh"
BC="$PY $TOP/tests/nspawn/bundle-check.py"
U=onboarding-agent.service
SHOW=LoadState,ActiveState,SubState,Result,NRestarts,FragmentPath,Type

echo "# $(date +%T.%N) boot"; ns_boot; echo "# $(date +%T.%N) booted"
# Names resolve from files only: no network, no waiting on a DNS server.
# Debian's stock nsswitch.conf, but names resolve from files only (no network, no waiting on DNS).
ns_write /etc/nsswitch.conf <<'NSS'
passwd:         files systemd
group:          files systemd
shadow:         files
gshadow:        files

hosts:          files
networks:       files

protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
NSS
printf '127.0.0.1 localhost\n127.0.0.1 onboarding.example.test\n' | ns_write /etc/hosts

# A TCP listener on loopback standing in for the onboarding endpoint (healthy scenario).
ns_listener

# prepare NAME AGENT-SCENARIO HOST [PORT]: a clean slate, configs, the unit, started.
prepare() {
	echo "# $(date +%T.%N) prepare $1"
	ns_sh "systemctl stop $U 2>/dev/null; systemctl reset-failed $U 2>/dev/null;
	       rm -rf /etc/onboarding-agent /var/lib/onboarding-agent /etc/systemd/system/$U; systemctl daemon-reload"
	T0=$(date +%s)
	sleep 1
	[ "$2" = none ] && return 0
	ns_configs "$3" "${4:-15443}"
	ns_install_agent "$2" "Environment=API_TOKEN=FAKE-unit-env-secret-Qm3Vt \"CLIENT_SECRET=FAKE-spaced secret-Wd5\"
ExecStartPre=/bin/true --token FAKE-argv-token-Jr6Bn"
	ns_run systemctl start "$U"
}

# wait_for WHAT CMD...: up to 15 s.
wait_for() {
	local what=$1 i; shift
	for i in $(seq 75); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
	fail "$what" "timed out waiting"
	return 1
}

# collect NAME [ARGS...]: runs the collector inside, then asks systemd the same questions.
collect() {
	local name=$1; shift
	# Every line waited for was logged at least a second ago: the window [T0, T1] is closed.
	sleep 1
	T1=$(date +%s)
	local rc=0
	ns_collect -q -o "/out/$name.tar.gz" --since "@$T0" --until "@$T1" "$@" 2>"$T/$name.err" || rc=$?
	if [ "$rc" = 0 ]; then pass "$name: collector exits 0"; else fail "$name: collector exits 0" "exit $rc: $(head -3 "$T/$name.err")"; fi
	B=$NS_OUT/$name.tar.gz
	ns_run journalctl -u "$U" -o json --all --since "@$T0" --until "@$T1" >"$T/$name.jc" 2>/dev/null
	ns_run systemctl show -p "$SHOW" "$U" >"$T/$name.show"
}

# common_checks NAME: valid bundle, journal and unit agree with systemd, no planted secret.
common_checks() {
	local name=$1
	check "$name: bundle is valid, hashes verify" $BC verify "$B"
	check "$name: journal equals journalctl -u -o json" $BC journal "$B" "$U" "$T/$name.jc"
	check "$name: unit equals systemctl show" $BC unit "$B" "$U" "$T/$name.show"
	# shellcheck disable=SC2086
	check "$name: no planted secret in the bundle" $BC absent "$B" $NS_SECRETS
}

# said FILE PHRASE: FILE holds PHRASE, wherever the report's wrapping broke its lines.
said() { tr -s ' \n' '  ' <"$1" | grep -qF -- "$2"; }

# analyzed NAME TITLE REMEDY [ARGS...]: collected as a customer does (no -q), the collector's output names
# the finding and its remedy after its summary, and ends with the file to attach.
analyzed() {
	local name=$1 title=$2 remedy=$3 rc=0 err; shift 3
	err=$T/$name-seen.err
	ns_collect -o "/out/$name-seen.tar.gz" --since "@$T0" --until "@$T1" "$@" 2>"$err" || rc=$?
	check "$name: collector exits 0 with the analysis" test "$rc" = 0
	check "$name: output names the finding" said "$err" "$title"
	check "$name: output says what to do" said "$err" "What to do: $remedy"
	check "$name: findings after the summary" sh -c "grep -A1000 'attach this file to your support ticket' '$err' | grep -q 'What we found:'"
	check "$name: ends with the file to attach" sh -c "tail -1 '$err' | grep -qx 'If the problem stays, attach this file to your support ticket: /out/$name-seen.tar.gz'"
}

# expect NAME WHAT EXPR WANT: a value read from the bundle.
expect() {
	local got
	got=$($BC get "$B" "$3" 2>&1)
	if [ "$got" = "$4" ]; then pass "$1: $2"; else fail "$1: $2" "got '$got', wanted '$4'"; fi
}

# ---- healthy: active, running, success lines; the endpoint resolves and accepts connections
prepare healthy healthy onboarding.example.test "$PORT"
# timedated running: host.json's NTP state comes over D-Bus from it.
ns_run systemctl start systemd-timedated.service >/dev/null 2>&1
wait_for "healthy: agent logs success" sh -c "nsenter -t $NS_PID -a journalctl -u $U --since @$T0 -o cat | grep -q successfully"
collect healthy
common_checks healthy
expect healthy "unit active/running" 'json.loads(f("units/onboarding-agent.service.json"))["SubState"]' running
expect healthy "journal has the success line" 'any("successfully onboarded" in e["MESSAGE"] for e in jl("journal/onboarding-agent.service.jsonl"))' True
expect healthy "probe resolves to 127.0.0.1" 'json.loads(f("resolver/probes.json"))["probes"][0]["resolve"]["addresses"]' "['127.0.0.1']"
expect healthy "probe connects" 'json.loads(f("resolver/probes.json"))["probes"][0]["connect"][0]["ok"]' True
expect healthy "config collected" 'src("config/etc/onboarding-agent/onboarding.config.yaml")["status"]' ok
expect healthy "endpoint host kept" '"onboarding.example.test" in f("config/etc/onboarding-agent/onboarding.config.yaml")' True
expect healthy "unit file collected" '"config/etc/systemd/system/onboarding-agent.service" in files' True
expect healthy "key file skipped by name" '[s["path"] for s in m["skipped"]]' "['/etc/onboarding-agent/client.key', '/var/lib/onboarding-agent/session.cache']"
NTP=$(ns_run timedatectl show -p NTPSynchronized --value 2>/dev/null)
expect healthy "NTP state as timedatectl reports it" '{True: "yes", False: "no"}.get(json.loads(f("host.json"))["ntp_synchronized"])' "${NTP:-unknown}"
expect healthy "systemd version from the manager" 'json.loads(f("host.json"))["systemd"]["version"].split(".")[0].isdigit()' True
expect healthy "nsswitch.conf collected as is (its passwd: line is no password)" '"passwd:         files systemd" in f("resolver/nsswitch.conf")' True
expect healthy "host.json says systemd runs" 'json.loads(f("host.json"))["systemd"]["running"]' True

# ---- two units at once (-u, repeatable; a name without a suffix is a service)
ns_collect -q -o /out/multi.tar.gz -u onboarding-agent -u systemd-journald.service --no-probe --since "@$T0" --until "@$T1" 2>/dev/null
ns_run journalctl -u systemd-journald.service -o json --all --since "@$T0" --until "@$T1" >"$T/multi-journald.jc" 2>/dev/null
ns_run systemctl show -p "$SHOW" systemd-journald.service >"$T/multi-journald.show"
B=$NS_OUT/multi.tar.gz
check "two units: bundle valid" $BC verify "$B"
check "two units: agent journal as before" $BC journal "$B" "$U" "$T/healthy.jc"
check "two units: journald journal equals journalctl" $BC journal "$B" systemd-journald.service "$T/multi-journald.jc"
check "two units: journald unit equals systemctl show" $BC unit "$B" systemd-journald.service "$T/multi-journald.show"

# ---- dns: the agent cannot resolve the endpoint; neither can the probe
prepare dns dns onboarding.example.invalid
wait_for "dns: three lookups logged" sh -c "[ \$(nsenter -t $NS_PID -a journalctl -u $U --since @$T0 -o cat | grep -c 'no such host') -ge 3 ]"
collect dns
common_checks dns
expect dns "journal has 'no such host'" 'sum("no such host" in e["MESSAGE"] for e in jl("journal/onboarding-agent.service.jsonl"))' 3
expect dns "probe does not resolve" 'json.loads(f("resolver/probes.json"))["probes"][0]["resolve"]["ok"]' False
expect dns "probe source names host:port" 'src("probe/onboarding.example.invalid:15443")["status"]' ok
analyzed dns "The agent cannot resolve the Workload Onboarding Endpoint" "Check \`onboardingEndpoint.host\` in"
# Nothing of the kind with --no-analyze, or from a collector shipped alone (no analyzer beside it or on PATH).
ns_collect -o /out/dns-quiet.tar.gz --since "@$T0" --until "@$T1" --no-analyze 2>"$T/dns-quiet.err"
check "dns --no-analyze: no finding printed" sh -c "! grep -qE 'What we found|What to do|If the problem stays' '$T/dns-quiet.err'"
check "dns --no-analyze: the summary as before" grep -q '^triage-collect: attach this file to your support ticket: /out/dns-quiet.tar.gz$' "$T/dns-quiet.err"
mkdir -p "$NS_OUT/alone" "$NS_OUT/nobin"
cp "$COLLECT" "$NS_OUT/alone/triage-collect"
ns_run env PATH=/out/nobin /out/alone/triage-collect -o /out/dns-alone.tar.gz --since "@$T0" --until "@$T1" 2>"$T/dns-alone.err"
check "dns, collector alone: bundle written" test -s "$NS_OUT/dns-alone.tar.gz"
check "dns, collector alone: no finding printed" sh -c "! grep -qE 'What we found|What to do|If the problem stays|triage-analyze' '$T/dns-alone.err'"

# ---- policy: PermissionDenied by OnboardingPolicy; the agent logs a token, which must not survive
prepare policy policy onboarding.example.test
wait_for "policy: denial logged" sh -c "nsenter -t $NS_PID -a journalctl -u $U --since @$T0 -o cat | grep -q EXT_JWT_TOKEN"
collect policy --no-probe
common_checks policy
expect policy "journal has PermissionDenied" 'sum("Not authorized by OnboardingPolicy" in e["MESSAGE"] for e in jl("journal/onboarding-agent.service.jsonl"))' 2
expect policy "--no-probe recorded" 'src("probes")["status"]' unavailable
analyzed policy "No OnboardingPolicy allows this workload" "Create an \`OnboardingPolicy\` that allows this workload" --no-probe

# ---- failed: exits 1, restarts until systemd gives up
prepare failed failed onboarding.example.test
wait_for "failed: unit failed" sh -c "nsenter -t $NS_PID -a systemctl show -p ActiveState --value $U | grep -qx failed"
collect failed --no-probe
common_checks failed
expect failed "ActiveState failed" 'json.loads(f("units/onboarding-agent.service.json"))["ActiveState"]' failed
expect failed "NRestarts > 0" 'json.loads(f("units/onboarding-agent.service.json"))["NRestarts"] > 0' True
expect failed "Result is not success" 'json.loads(f("units/onboarding-agent.service.json"))["Result"] != "success"' True
expect failed "PID 1's messages about the unit are in the slice" 'any(e.get("_PID") == "1" for e in jl("journal/onboarding-agent.service.jsonl"))' True
analyzed failed "The agent is installed but not running" "Look at why it stopped" --no-probe
# The same host read as a tree (--root /): no unit status without the bus, but its journal shows the
# restarts, and the unit rules are listed as not checked, with the reason.
analyzed failed-root "The agent keeps restarting" "A restart loop hides the real error" --root /
check "failed-root: the unit's state is said to be not checked" said "$T/failed-root-seen.err" "agent-unit-not-found, agent-unit-not-active"

# ---- not-installed: no unit, no config
prepare not-installed none
collect not-installed --no-probe
check "not-installed: bundle is valid" $BC verify "$B"
check "not-installed: unit equals systemctl show" $BC unit "$B" "$U" "$T/not-installed.show"
check "not-installed: journal equals journalctl" $BC journal "$B" "$U" "$T/not-installed.jc"
expect not-installed "LoadState not-found" 'json.loads(f("units/onboarding-agent.service.json"))["LoadState"]' not-found
expect not-installed "unit file unavailable" 'src("unit-file/onboarding-agent.service")["status"]' unavailable
expect not-installed "onboarding config not found" 'src("config/etc/onboarding-agent/onboarding.config.yaml")["detail"]' "not found"

# ---- masked: the unit file is a link to /dev/null
ns_run systemctl mask "$U" >/dev/null 2>&1
ns_collect -q -o /out/masked.tar.gz --no-probe --since "@$T0" 2>/dev/null
ns_run systemctl show -p "$SHOW" "$U" >"$T/masked.show"
B=$NS_OUT/masked.tar.gz
check "masked: unit equals systemctl show" $BC unit "$B" "$U" "$T/masked.show"
expect masked "LoadState masked" 'json.loads(f("units/onboarding-agent.service.json"))["LoadState"]' masked
expect masked "unit file: masked, said plainly" 'src("unit-file/onboarding-agent.service")["detail"].startswith("the unit is masked")' True
ns_run systemctl unmask "$U" >/dev/null 2>&1

# ---- unprivileged: a user outside systemd-journal; a config only root may read
prepare unprivileged dns onboarding.example.invalid
ns_run chmod 0600 /etc/onboarding-agent/agent.config.yaml
wait_for "unprivileged: agent logged" sh -c "nsenter -t $NS_PID -a journalctl -u $U --since @$T0 -o cat | grep -q 'no such host'"
sleep 1
T1=$(date +%s)
rc=0
ns_run setpriv --reuid=65534 --regid=65534 --clear-groups "$NS_COLLECT" -o /out/unprivileged.tar.gz --no-probe \
	--since "@$T0" --until "@$T1" 2>"$T/unpriv.err" || rc=$?
B=$NS_OUT/unprivileged.tar.gz
if [ "$rc" = 0 ]; then pass "unprivileged: collector exits 0"; else fail "unprivileged: collector exits 0" "exit $rc $(head -3 "$T/unpriv.err")"; fi
check "unprivileged: bundle is valid" $BC verify "$B"
expect unprivileged "journal says why" '"permission denied; run as root or as a member of systemd-journal" in src("journal/onboarding-agent.service")["detail"]' True
expect unprivileged "unreadable config says why" 'src("config/etc/onboarding-agent/agent.config.yaml")["detail"]' "permission denied; run as root"
expect unprivileged "unit status still read over the bus" 'json.loads(f("units/onboarding-agent.service.json"))["ActiveState"]' active
check "unprivileged: stderr names the journal problem" grep -q "systemd-journal" "$T/unpriv.err"
expect unprivileged "the unread journal is not in the bundle as an empty file" '"journal/onboarding-agent.service.jsonl" in files' False
expect unprivileged "journal source unavailable" 'src("journal/onboarding-agent.service")["status"]' unavailable
check "unprivileged: journal rules not evaluated, with the reason" sh -c "'$ANALYZE' -f json '$B' | $PY -c '
import json, sys
r = json.load(sys.stdin)
ne = {x[\"rule\"]: x[\"reason\"] for x in r[\"not_evaluated\"]}
sys.exit(0 if \"permission denied\" in ne.get(\"endpoint-dns-unresolvable\", \"\") else 1)'"
# shellcheck disable=SC2086
check "unprivileged: no planted secret" $BC absent "$B" $NS_SECRETS

# ---- transient: a unit made over D-Bus (systemd-run), no unit file to learn values from: each place
# systemd keeps a value someone wrote holds a planted secret under a name nobody lists, and the
# bundle (units/*.json with its byte arrays, the journal, every file) must hold none of them
prepare transient none
TR_STDIN=$(printf 'Si3StdinWq6Ez\n' | base64)	# systemd-run takes StandardInputData= as base64
TR_SECRETS="Vq7LicenciaXw2Rt cuatro-palabras Kd8CredZp3Wm Lg5FieldNb2Qx Ds9DescrYh4Tc Ar6ArgvJk3Pl Ag2EqualsMn7Bv Un4SetRt8Gh Si3StdinWq6Ez"
ns_run systemd-run -q --unit=onboarding-agent --description="Agent stand-in Ds9DescrYh4Tc" \
	-p SyslogIdentifier=onboarding-agent \
	-p 'Environment=LICENCIA=Vq7LicenciaXw2Rt "CLAVE=cuatro-palabras muy secretas"' \
	-p UnsetEnvironment=OLD_ENROLMENT=Un4SetRt8Gh \
	-p SetCredential=dbpass:Kd8CredZp3Wm \
	-p LogExtraFields=ENROLMENT=Lg5FieldNb2Qx \
	-p StandardInput=data -p StandardInputData="$TR_STDIN" \
	/bin/sh -c 'echo transient agent started; exec sleep 300' agent --licencia Ar6ArgvJk3Pl --clave=Ag2EqualsMn7Bv
wait_for "transient: unit active" sh -c "nsenter -t $NS_PID -a systemctl show -p ActiveState --value $U | grep -qx active"
wait_for "transient: unit logged" sh -c "nsenter -t $NS_PID -a journalctl -u $U --since @$T0 -o cat | grep -q 'transient agent started'"
collect transient --no-probe
check "transient: bundle is valid" $BC verify "$B"
check "transient: journal equals journalctl (redacted fields aside)" $BC journal "$B" "$U" "$T/transient.jc"
check "transient: unit equals systemctl show" $BC unit "$B" "$U" "$T/transient.show"
# systemd holds each planted value (else the absence below proves nothing); names, ids and flags stay
P='json.loads(f("units/onboarding-agent.service.json"))'
expect transient "a transient unit (its only file is systemd's, under /run)" "$P[\"Transient\"] and $P[\"FragmentPath\"].startswith(\"/run/systemd/transient/\")" True
expect transient "Environment names stay" "[e.split(\"=\")[0] for e in $P[\"Environment\"]]" "['LICENCIA', 'CLAVE']"
expect transient "UnsetEnvironment name stays" "[e.split(\"=\")[0] for e in $P[\"UnsetEnvironment\"]]" "['OLD_ENROLMENT']"
expect transient "SetCredential id stays, value a marker" "[(c[0], c[1].startswith(\"<redacted:\")) for c in $P[\"SetCredential\"]]" "[('dbpass', True)]"
expect transient "LogExtraFields name stays, value a marker" "[e.startswith(\"ENROLMENT=<redacted:\") for e in $P[\"LogExtraFields\"]]" "[True]"
expect transient "StandardInputData a marker" "$P[\"StandardInputData\"].startswith(\"<redacted:\")" True
expect transient "ExecStart program and flags stay" "[a.split(\"=\")[0] for a in $P[\"ExecStart\"][0][1] if a.startswith((\"-\", \"/\"))]" "['/bin/sh', '-c', '--licencia', '--clave']"
expect transient "systemd's transient unit file collected, its credential redacted" '"SetCredential=dbpass:<redacted:" in f("config/run/systemd/transient/onboarding-agent.service")' True
# shellcheck disable=SC2086
check "transient: no planted secret in the bundle (byte arrays decoded)" $BC absent "$B" $TR_SECRETS $NS_SECRETS "$TR_STDIN"
ns_run systemctl stop "$U" >/dev/null 2>&1

nspawn_pid=$NS_NSPAWN_PID
ns_poweroff
check "container powered off, no process left" sh -c "! kill -0 $nspawn_pid 2>/dev/null && ! pgrep -P $nspawn_pid >/dev/null"
echo "# $(date +%T.%N) end"; finish
