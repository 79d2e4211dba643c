#!/bin/sh
# tests/nspawn/agent-standin.sh SCENARIO: prints the Workload Onboarding Agent's tab-separated log
# lines for a scenario (the lines of its troubleshooting guide), then runs on or exits as the real
# agent would.  Used as ExecStart= of the test onboarding-agent.service.
T=$(printf '\t')
say() { printf '%s%sagent%s%s\n' "$1" "$T" "$T" "$2"; }
host=$(sed -n 's/^  host: //p' /etc/onboarding-agent/onboarding.config.yaml 2>/dev/null)
host=${host:-onboarding.example.invalid}

case "$1" in
healthy)
	say info "obtaining discovery information from the Workload Onboarding Plane ..."
	say info "using platform-specific credential procured by \"jwt-credential\" plugin to request authorization for onboarding ..."
	say info "successfully onboarded the workload: connected to $host:15443"
	exec sleep infinity ;;
dns)
	for i in 1 2 3; do
		say info "obtaining discovery information from the Workload Onboarding Plane ..."
		say error "RPC failed: rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing dial tcp: lookup $host on 192.0.2.53:53: no such host\""
		sleep 0.2
	done
	exec sleep infinity ;;
policy)
	say info "obtaining discovery information from the Workload Onboarding Plane ..."
	say info "using platform-specific credential procured by \"aws-ec2-credential\" plugin to request authorization for onboarding ..."
	say error "RPC failed: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy"
	say error "failed to obtain authorization for onboarding using platform-specific credential procured by \"aws-ec2-credential\" plugin: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy"
	say error "failed to obtain authorization to onboard using platform-specific credential procured by any of the plugins"
	# The agent logs a token it was handed: the redactor must catch it.
	say debug "plugin env: EXT_JWT_TOKEN=FAKE-logged-token-Xc8Jp2"
	exec sleep infinity ;;
failed)
	say info "obtaining discovery information from the Workload Onboarding Plane ..."
	say error "failed to load configuration: open /etc/onboarding-agent/agent.config.yaml: permission denied"
	exit 1 ;;
*)
	say error "unknown scenario '$1'"
	exit 2 ;;
esac
