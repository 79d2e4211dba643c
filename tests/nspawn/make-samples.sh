#!/usr/bin/env bash
# tests/nspawn/make-samples.sh: remakes the committed sample bundles in samples/ (`make samples`):
# five scenarios collected from a real systemd in a container, and one from a host without systemd
# (AWS ECS style: --log-file and the environment).  Prints each bundle's collection time and size.
# The analyzer's golden reports are made from these: remake them only on purpose.
set -u
source "$(dirname "$0")/../lib.sh"
NS_MACHINE=vm-ratings-01
source "$(dirname "$0")/lib-nspawn.sh"
U=onboarding-agent.service
OUT=${SAMPLES_OUT:-$TOP/samples}   # SAMPLES_OUT: try it without touching the committed ones
mkdir -p "$OUT"

ns_boot
echo "hosts: files" | ns_write /etc/nsswitch.conf
printf '127.0.0.1 localhost\n127.0.0.1 onboarding.example.test\n' | ns_write /etc/hosts
ns_listener

report() { # NAME SECONDS
	printf '%-16s %6.2f s %8d bytes\n' "$1" "$2" "$(stat -c %s "$OUT/$1.tar.gz")"
}

# sample NAME AGENT-SCENARIO HOST PORT WAIT-GREP [COUNT]
sample() {
	local name=$1 scenario=$2 host=$3 port=$4 pattern=$5 count=${6:-1} t0 t1 s e
	ns_sh "systemctl stop $U 2>/dev/null; systemctl reset-failed $U 2>/dev/null;
	       rm -rf /etc/onboarding-agent /var/lib/onboarding-agent /etc/systemd/system/$U; systemctl daemon-reload"
	t0=$(date +%s)
	sleep 1
	if [ "$scenario" != none ]; then
		ns_configs "$host" "$port"
		ns_install_agent "$scenario" "Environment=API_TOKEN=FAKE-unit-env-secret-Qm3Vt"
		ns_run systemctl start "$U"
		for _ in $(seq 75); do
			[ "$(ns_run journalctl -u $U --since "@$t0" -o cat 2>/dev/null | grep -c -- "$pattern")" -ge "$count" ] && break
			sleep 0.2
		done
	fi
	sleep 1
	t1=$(date +%s)
	rm -f "$OUT/$name.tar.gz" "/out/$name.tar.gz"
	s=$(date +%s.%N)
	ns_collect -q -o "/out/$name.tar.gz" --since "@$t0" --until "@$t1" || echo "make-samples: $name: collector failed" >&2
	e=$(date +%s.%N)
	cp "$NS_OUT/$name.tar.gz" "$OUT/$name.tar.gz"
	chmod 0644 "$OUT/$name.tar.gz"
	report "$name" "$($PY -c "print($e - $s)")"
}

sample healthy healthy onboarding.example.test "$PORT" "successfully"
sample dns-failure dns onboarding.example.invalid 15443 "no such host" 3
sample policy-denied policy onboarding.example.test "$PORT" "EXT_JWT_TOKEN"
sample unit-failed failed onboarding.example.test 15443 "Start request repeated too quickly\|Failed with result" 1
sample not-installed none none 0 none
ns_poweroff

# ECS: no systemd (hidden from the collector), the agent's log piped in, its config in the environment.
TAB=$(printf '\t')
now=$(date -u +%s)
{
	for i in 0 1 2; do
		ts=$(date -u -d "@$((now - 300 + i * 60))" +%Y-%m-%dT%H:%M:%S.000000000Z)
		echo "$ts info${TAB}agent${TAB}obtaining discovery information from the Workload Onboarding Plane ..."
		echo "$ts error${TAB}agent${TAB}RPC failed: rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing dial tcp: lookup onboarding.example.invalid on 169.254.169.253:53: no such host\""
	done
} >"$T/ecs.log"
ONB='{"apiVersion":"config.agent.onboarding.tetrate.io/v1alpha1","kind":"OnboardingConfiguration","onboardingEndpoint":{"host":"onboarding.example.invalid","port":15443,"transportSecurity":{"tls":{"sni":"onboarding-endpoint.example"}}},"workloadGroup":{"namespace":"bookinfo","name":"ratings"},"settings":{"connectedOver":"INTERNET"}}'
AGC=$(printf 'apiVersion: config.agent.onboarding.tetrate.io/v1alpha1\nkind: AgentConfiguration\nhost:\n  aws:\n    ecs: {}\nsidecar:\n  stdout: /dev/stdout\n  stderr: /dev/stderr\n')
echo "hosts: files" >"$T/nsswitch.conf"
echo "nameserver 169.254.169.253" >"$T/resolv.conf"
mkdir -p "$T/empty"
rm -f "$OUT/ecs-logfile.tar.gz"
s=$(date +%s.%N)
ONBOARDING_CONFIG=$ONB AGENT_CONFIG=$AGC unshare -mu --propagation private sh -c '
	mount --bind "$1/nsswitch.conf" /etc/nsswitch.conf && mount --bind "$1/resolv.conf" /etc/resolv.conf &&
	    hostname ecs-task-ratings-7f9c && { [ ! -d /run/systemd ] || mount --bind "$1/empty" /run/systemd; }
	exec "$2" -q --log-file - -o "$3"' sh "$T" "$COLLECT" "$OUT/ecs-logfile.tar.gz" <"$T/ecs.log"
e=$(date +%s.%N)
chmod 0644 "$OUT/ecs-logfile.tar.gz"
report ecs-logfile "$($PY -c "print($e - $s)")"

# AWS ECS: the collector away from the task (--ecs-cluster) against a stand-in aws.
"$TOP/tests/ecs/make-samples.sh"
