# tests/nspawn/lib-nspawn.sh: boot a real systemd in a container (systemd-nspawn, the host's /usr,
# a volatile root), run commands in it, and power it off at exit.  Source it after tests/lib.sh.
#   ns_boot            boots; sets NS_PID (the container's PID 1); skips the suite when it cannot
#   ns_run CMD...      runs CMD inside (all namespaces), as root
#   ns_sh 'SCRIPT'     runs a shell script inside
#   ns_write PATH      writes stdin to PATH inside
#   ns_collect ARGS..  runs triage-collect inside; bundles go to $NS_OUT (host) = /out (inside)
# The tree is bound read-only at /triage, the collector's folder at /triage-bin.
# NS_ROOT=DIR boots DIR instead of the host's / (NS_VOLATILE=overlay keeps DIR unchanged: writes go to
# a tmpfs over it).

NS_MACHINE=${NS_MACHINE:-triage-t$$-$RANDOM}
# The system's python3 (a version manager's shim can cost a second per call).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
NS_PID=
NS_NSPAWN_PID=
NS_OUT=$T/out
NS_COLLECT=/triage-bin/$(basename "$COLLECT")

ns_skip() {
	echo "SKIP: $1"
	# A suite that cannot boot a container must say so, not pass silently.
	fail "nspawn-available" "$1"
	finish
}

ns_boot() {
	command -v systemd-nspawn >/dev/null || ns_skip "systemd-nspawn is not installed (apt-get install systemd-container)"
	[ "$(id -u)" = 0 ] || ns_skip "booting a container needs root"
	[ -x "$COLLECT" ] || ns_skip "no collector at $COLLECT (make first)"
	mkdir -p "$NS_OUT"
	chmod 1777 "$NS_OUT"
	systemd-nspawn --quiet --register=no --keep-unit --volatile="${NS_VOLATILE:-yes}" -D "${NS_ROOT:-/}" -M "$NS_MACHINE" -b \
		--console=pipe --bind-ro="$TOP":/triage --bind-ro="$(cd "$(dirname "$COLLECT")" && pwd)":/triage-bin \
		--bind="$NS_OUT":/out </dev/null >"$T/nspawn.log" 2>&1 &
	NS_NSPAWN_PID=$!
	at_exit ns_poweroff
	local deadline=$(( $(date +%s) + 60 )) state
	while [ "$(date +%s)" -lt "$deadline" ]; do
		NS_PID=$(pgrep -P "$NS_NSPAWN_PID" | head -1)
		if [ -n "$NS_PID" ] && nsenter -t "$NS_PID" -a true 2>/dev/null; then
			state=$(nsenter -t "$NS_PID" -a systemctl is-system-running 2>/dev/null)
			case "$state" in running|degraded) return 0 ;; esac
		fi
		kill -0 "$NS_NSPAWN_PID" 2>/dev/null || break
		sleep 0.2
	done
	ns_skip "the container did not boot: $(tail -5 "$T/nspawn.log" | tr '\n' ' ')"
}

ns_poweroff() {
	[ -n "$NS_NSPAWN_PID" ] || return 0
	if kill -0 "$NS_NSPAWN_PID" 2>/dev/null; then
		[ -n "$NS_PID" ] && nsenter -t "$NS_PID" -a systemctl poweroff --no-block >/dev/null 2>&1
		local i
		for i in $(seq 1 50); do
			kill -0 "$NS_NSPAWN_PID" 2>/dev/null || break
			sleep 0.2
		done
		kill -TERM "$NS_NSPAWN_PID" 2>/dev/null && sleep 1
		kill -KILL "$NS_NSPAWN_PID" 2>/dev/null
	fi
	wait "$NS_NSPAWN_PID" 2>/dev/null
	NS_NSPAWN_PID=
}

ns_run() { nsenter -t "$NS_PID" -a "$@"; }
ns_sh() { nsenter -t "$NS_PID" -a /bin/sh -c "$1"; }
ns_write() { nsenter -t "$NS_PID" -a /bin/sh -c "mkdir -p \"\$(dirname '$1')\" && cat > '$1'"; }
ns_collect() { nsenter -t "$NS_PID" -a "$NS_COLLECT" "$@"; }

# ns_listener: a TCP listener on the host's loopback (the container shares the host's network),
# accepting and closing for up to 120 s; sets PORT.  Stopped at exit.
ns_listener() {
	$PY -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
s.settimeout(120)
try:
    while True: s.accept()[0].close()
except Exception: pass
' >"$T/port" &
	at_exit "kill $! 2>/dev/null"
	local i
	for i in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
	PORT=$(head -1 "$T/port")
}

# ns_install_agent SCENARIO [UNIT-EXTRA]: the stand-in onboarding-agent.service, started.
ns_install_agent() {
	local scenario=$1 extra=${2:-}
	ns_write /etc/systemd/system/onboarding-agent.service <<UNIT
[Unit]
Description=Workload Onboarding Agent (test stand-in: $scenario)
StartLimitIntervalSec=60
StartLimitBurst=3

[Service]
ExecStart=/triage/tests/nspawn/agent-standin.sh $scenario
SyslogIdentifier=onboarding-agent
Restart=on-failure
RestartSec=100ms
$extra
UNIT
	ns_run systemctl daemon-reload
}

# ns_configs HOST [PORT]: onboarding.config.yaml naming HOST:PORT, agent.config.yaml with planted fake secrets.
ns_configs() {
	local host=$1 port=${2:-15443} insecure=false
	ns_write /etc/onboarding-agent/onboarding.config.yaml <<YAML
apiVersion: config.agent.onboarding.tetrate.io/v1alpha1
kind: OnboardingConfiguration
onboardingEndpoint:
  host: $host
  port: $port
  transportSecurity:
    tls:
      sni: onboarding-endpoint.example
      insecureSkipVerify: $insecure
workloadGroup:
  namespace: bookinfo
  name: ratings
workload:
  labels:
    version: v5
settings:
  connectedOver: VPC
YAML
	ns_write /etc/onboarding-agent/agent.config.yaml <<YAML
apiVersion: config.agent.onboarding.tetrate.io/v1alpha1
kind: AgentConfiguration
host:
  custom:
    credential:
    - plugin:
        name: jwt-credential
        path: /usr/local/bin/jwt-credential-plugin
        env:
        - name: EXT_JWT_CLIENT_ID
          value: ratings-client
        - name: EXT_JWT_CLIENT_SECRET
          value: FAKE-plugin-secret-7Hq2Zr9Lx
        args:
        - --client-secret=FAKE-arg-secret-Pw4Kd8Ns
sidecar:
  istio:
    revision: stable
settings:
  connection:
    timeout: 30s
YAML
	echo "FAKE-token-cache-file-contents" | ns_write /var/lib/onboarding-agent/session.cache
	echo "-----BEGIN FAKE KEY-----" | ns_write /etc/onboarding-agent/client.key
}

# The planted fake secrets: none may appear in any bundle.
NS_SECRETS="FAKE-plugin-secret-7Hq2Zr9Lx FAKE-arg-secret-Pw4Kd8Ns FAKE-token-cache-file-contents FAKE-unit-env-secret-Qm3Vt FAKE-logged-token-Xc8Jp2 FAKE-argv-token-Jr6Bn FAKE-spaced"
