#!/usr/bin/env bash
# tests/redact/test-leaks.sh: the corpus through triage-collect; no planted secret in any form in the bundle.
source "$(dirname "$0")/../lib.sh"
C=$TOP/tests/redact/corpus

if [ ! -x "$COLLECT" ]; then
	fail "collector" "$COLLECT not built"
	finish
fi

# A system tree: both agent configs, the unit and a drop-in, and secret files that must be skipped.
R=$T/root
mkdir -p "$R/etc/onboarding-agent" "$R/etc/systemd/system/onboarding-agent.service.d" \
	"$R/var/lib/onboarding-agent"
cp "$C/agent.config.yaml" "$C/onboarding.config.yaml" "$R/etc/onboarding-agent/"
cp "$C/onboarding-agent.service" "$R/etc/systemd/system/"
cp "$C/10-env.conf" "$R/etc/systemd/system/onboarding-agent.service.d/"
printf -- '-----BEGIN PRIVATE KEY-----\nPl4ntSkippedKeyFile0090\n-----END PRIVATE KEY-----\n' \
	>"$R/etc/onboarding-agent/client.key"
printf 'Pl4ntSkippedTokenCache0091\n' >"$R/var/lib/onboarding-agent/jwt.cache"
printf 'nameserver 127.0.0.53\n' >"$R/etc/resolv.conf"
# paths the configs name exist on the host (default-deny keeps a path only when it exists)
mkdir -p "$R/usr/local/bin" "$R/var/log/onboarding-agent"
: >"$R/usr/local/bin/jwt-credential-plugin"
: >"$R/var/log/onboarding-agent/sidecar.out"

expect_status "collect --root" 0 "$COLLECT" --root "$R" --no-probe -q -o "$T/b1.tar.gz"
# The host without systemd: log lines and the environment configs.
expect_status "collect --log-file + env configs" 0 env \
	ONBOARDING_CONFIG="$(cat "$C/env-onboarding-config.json")" \
	AGENT_CONFIG="$(cat "$C/env-agent-config.json")" \
	"$COLLECT" --log-file "$C/journal.txt" --no-probe -q -o "$T/b2.tar.gz"

mkdir -p "$T/x1" "$T/x2"
check "bundle 1 extracts" tar -xzf "$T/b1.tar.gz" -C "$T/x1"
check "bundle 2 extracts" tar -xzf "$T/b2.tar.gz" -C "$T/x2"
cat_all() { find "$T/x1" "$T/x2" -type f -print0 | xargs -0 cat; }
cat_all >"$T/all"
[ -s "$T/all" ] || fail "bundle content" "nothing extracted"

# urlenc VALUE: sets URLENC (no subshell: forks are dear on a loaded machine)
urlenc() {
	local s=$1 i c h
	URLENC=
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) URLENC+=$c ;;
		*) printf -v h '%%%02X' "'$c"; URLENC+=$h ;;
		esac
	done
}

# Every planted value, as is, URL-encoded, and base64 at each alignment (stable part): all forms
# go into one pattern file for one grep; a hit is then traced back to its value.  The base64 forms
# come from one base64 run: chunks of whole 3-byte groups encode independently.
: >"$T/forms"
: >"$T/chunks"
n=0 vals=() lens=()
while IFS= read -r v; do
	case $v in '#'* | '') continue ;; esac
	n=$((n + 1))
	urlenc "$v"
	printf '%s\t%s\n%s\t%s\n' "$v" "$v" "$URLENC" "$v" >>"$T/forms"
	for a in 0 1 2; do
		s=${v:a}
		k=$(( ${#s} / 3 * 3 ))
		if [ "$k" -ge 6 ]; then
			printf '%s' "${s:0:k}" >>"$T/chunks"
			vals+=("$v")
			lens+=($(( k / 3 * 4 )))
		fi
	done
done <"$TOP/tests/redact/planted.txt"
enc=$(base64 -w0 "$T/chunks")
off=0
for i in "${!vals[@]}"; do
	printf '%s\t%s\n' "${enc:off:${lens[i]}}" "${vals[i]}" >>"$T/forms"
	off=$((off + lens[i]))
done
# the slicing above is right: the first chunk reads as base64 of the first value does
first=$(printf '%s' "${vals[0]}" | base64 -w0)
case $first in "${enc:0:${lens[0]}}"*) pass "base64 forms computed" ;; *) fail "base64 forms computed" "'${enc:0:${lens[0]}}' vs '$first'" ;; esac
for v in Pl4ntSkippedKeyFile0090 Pl4ntSkippedTokenCache0091; do printf '%s\t%s\n' "$v" "$v" >>"$T/forms"; done
cut -f1 "$T/forms" | sort -u >"$T/patterns"
leaks=0
while IFS= read -r f; do
	v=$(awk -F'\t' -v f="$f" '$1 == f { print $2; exit }' "$T/forms")
	fail "no leak: $v" "found as '$f' in $(grep -rlF -- "$f" "$T/x1" "$T/x2" | sed "s|$T/||" | head -3 | tr '\n' ' ')"
	leaks=$((leaks + 1))
done < <(grep -ohF -f "$T/patterns" "$T/all" | sort -u)
[ "$leaks" = 0 ] && pass "none of $n planted values in the bundles (plain, URL-encoded, base64), nor the skipped files"

# Every keep value that the collected inputs hold survives.
lost=0 kept=0
inputs=("$C/agent.config.yaml" "$C/onboarding.config.yaml" "$C/onboarding-agent.service" "$C/10-env.conf"
	"$C/journal.txt" "$C/env-agent-config.json" "$C/env-onboarding-config.json")
while IFS= read -r v; do
	case $v in '#'* | '') continue ;; esac
	grep -qF -- "$v" "${inputs[@]}" || continue
	# JSON escapes quotes in journal MESSAGEs; YAML may re-quote: look for the bare words too
	alt=${v//\"/\\\"}
	if grep -qF -- "$v" "$T/all" || grep -qF -- "$alt" "$T/all"; then
		kept=$((kept + 1))
	else
		fail "keep: $v" "lost"
		lost=$((lost + 1))
	fi
done <"$TOP/tests/redact/keep.txt"
[ "$lost" = 0 ] && pass "all $kept keep values survived"

# The manifest says what was redacted (never values), and that comments were dropped.
m1=$(find "$T/x1" -name manifest.json | head -1)
m2=$(find "$T/x2" -name manifest.json | head -1)
check "manifest lists redactions" grep -q '"redactions"' "$m1"
check "manifest names redaction rules" grep -q '"default-deny"' "$m1"
check "manifest says what default-deny kept" grep -q '"kept": {' "$m1"
check "manifest: comments dropped" grep -q '"comments_dropped"' "$m1"
check "manifest: skipped key file by name" grep -q 'client.key' "$m1"
check "manifest 2 lists redactions" grep -q '"redactions"' "$m2"
check "journal lines redacted" grep -q '<redacted:bearer:' "$T/x2"/*/journal/*.jsonl
# The same secret in several files of one bundle: one marker.
mk=$(grep -rhoE 'DB_PASSWORD=<redacted:password:[0-9a-f]{6}>' "$T/x1"/*/config/etc/systemd/system/*.d/10-env.conf |
	head -1 | sed 's/DB_PASSWORD=//')
if [ -n "$mk" ] && grep -rqF -- "$mk" "$T/x1"/*/config/etc/onboarding-agent/; then
	pass "same secret, same marker across files"
else
	fail "same secret, same marker across files" "marker '${mk:-none}' not in the agent configs"
fi
# Two bundles of the same host: different keys, different markers.
expect_status "collect --root again" 0 "$COLLECT" --root "$R" --no-probe -q -o "$T/b3.tar.gz"
mkdir -p "$T/x3" && tar -xzf "$T/b3.tar.gz" -C "$T/x3"
mk3=$(grep -rhoE 'DB_PASSWORD=<redacted:password:[0-9a-f]{6}>' "$T/x3"/*/config/etc/systemd/system/*.d/10-env.conf |
	head -1)
if [ -n "$mk3" ] && [ "DB_PASSWORD=$mk" != "$mk3" ]; then pass "two bundles, different markers"
else fail "two bundles, different markers" "'$mk' vs '$mk3'"; fi
# The analyzer's leak check finds nothing in either bundle.
if [ -x "$ANALYZE" ]; then
	for b in b1 b2; do
		# --fail-on none: exit 0 whatever the findings; 2 would be a bundle it refused.
		rc=0; "$ANALYZE" -f json --fail-on none "$T/$b.tar.gz" >"$T/$b.json" 2>"$T/$b.err" || rc=$?
		if [ "$rc" != 0 ]; then
			fail "analyzer finds no secret in $b" "exit $rc, wanted 0 (--fail-on none): $(head -c 200 "$T/$b.err")"
		elif grep -q '"bundle-contains-secret"' "$T/$b.json"; then
			fail "analyzer finds no secret in $b" "$(grep -o '"evidence".\{0,200\}' "$T/$b.json" | head -2)"
		elif [ -s "$T/$b.json" ]; then
			pass "analyzer finds no secret in $b"
		else
			fail "analyzer finds no secret in $b" "exit 0 but an empty report"
		fi
	done
fi
finish
