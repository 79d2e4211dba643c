#!/usr/bin/env bash
# tests/integration/test-collect-cli.sh: the command line of CONTRACT.md (exit 0/1/2), --dry-run writing
# nothing and printing no value, a plain run on this host, an invalid profile, an unwritable output.
source "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
BC="$PY $TOP/tests/nspawn/bundle-check.py"
U=onboarding-agent.service

expect_status "--help exits 0" 0 "$COLLECT" --help
check "--help lists the options" grep -q -- "--journal-dir" "$T/.out"
expect_status "--version exits 0" 0 "$COLLECT" --version
check "--version prints the version" grep -q "^triage-collect [0-9]" "$T/.out"
expect_status "unknown option: exit 2" 2 "$COLLECT" --frobnicate
expect_status "stray argument: exit 2" 2 "$COLLECT" extra
expect_status "bad --since: exit 2" 2 "$COLLECT" --since "last tuesday"
check "bad --since: says which and why" grep -q -- "--since: cannot parse 'last tuesday'" "$T/.err"
expect_status "bad --max-size: exit 2" 2 "$COLLECT" --max-size 12Q
expect_status "--since after --until: exit 2" 2 "$COLLECT" --since 2026-11-26 --until 2026-11-01
expect_status "--log-file with --root: exit 2" 2 "$COLLECT" --log-file - --root /
expect_status "missing option argument: exit 2" 2 "$COLLECT" -o

# --dry-run writes nothing and never prints a value
mkdir "$T/dry"
(cd "$T/dry" && AGENT_CONFIG='token: FAKE-dryrun-token-Lp0' "$COLLECT" --dry-run --no-probe >"$T/dry.out" 2>&1)
check "dry-run: exit 0" test $? = 0
check "dry-run: nothing written" test -z "$(ls -A "$T/dry")"
check "dry-run: says what would be redacted" grep -q "redacted" "$T/dry.out"
check "dry-run: lists the config files" grep -q "/etc/onboarding-agent/onboarding.config.yaml" "$T/dry.out"
check "dry-run: no value printed" sh -c "! grep -q FAKE-dryrun-token-Lp0 $T/dry.out"

# A profile that does not parse: exit 1, a clear message naming the file
printf 'units: [a\n' >"$T/bad.yaml"
expect_status "bad profile: exit 1" 1 "$COLLECT" --profile "$T/bad.yaml" -o "$T/x.tar.gz"
check "bad profile: names the file and line" grep -q "bad.yaml: line" "$T/.err"
printf 'units: [a.service]\nbogus: 1\n' >"$T/bad2.yaml"
expect_status "unknown profile key: exit 1" 1 "$COLLECT" --profile "$T/bad2.yaml" -o "$T/x.tar.gz"
check "no bundle after a bad profile" test ! -e "$T/x.tar.gz"

# An output folder that does not exist: exit 1, nothing written
expect_status "unwritable output: exit 1" 1 "$COLLECT" -q --no-probe -o "$T/missing/dir/b.tar.gz"

# A custom profile: another unit, another config folder, a small budget
mkdir -p "$T/prof/etc"
cat >"$T/profile.yaml" <<YAML
units: [other-agent.service]
config:
  expect: [$T/prof/etc/other.yaml]
  include: ["$T/prof/etc/*.yaml"]
  secret: ["$T/prof/etc/*.key"]
resolver: [/etc/hosts]
budget: {max_size: 1M}
timeouts: {bus: 2s, probe: 1s, source: 30s, run: 60s}
YAML
printf 'password: FAKE-profile-pw-Tq1\nname: keep-me\n' >"$T/prof/etc/other.yaml"
printf 'x' >"$T/prof/etc/private.key"
printf 'kind: OnboardingConfiguration\nonboardingEndpoint:\n  host: a.example\n bad: [indent\npassword: FAKE-broken-pw-Rz5\n' >"$T/prof/etc/broken.yaml"
printf '# a comment with token=FAKE-comment-token-Wq8\nname: x # trailing\n' >"$T/prof/etc/commented.yaml"
expect_status "custom profile: exit 0" 0 "$COLLECT" -q --no-probe --profile "$T/profile.yaml" -o "$T/p.tar.gz"
check "custom profile: its config collected" sh -c "$BC get $T/p.tar.gz 'f(\"config$T/prof/etc/other.yaml\")' | grep -q keep-me"
check "custom profile: secret value redacted" $BC absent "$T/p.tar.gz" FAKE-profile-pw-Tq1
check "custom profile: key file listed as skipped" sh -c "$BC get $T/p.tar.gz '[s[\"path\"] for s in m[\"skipped\"]]' | grep -q private.key"
check "invalid YAML: collected anyway" sh -c "$BC get $T/p.tar.gz 'f(\"config$T/prof/etc/broken.yaml\")' | grep -q a.example"
check "invalid YAML: parse error with its line in the manifest" sh -c "$BC get $T/p.tar.gz 'src(\"config$T/prof/etc/broken.yaml\")[\"parse_error\"]' | grep -q '^line [0-9]'"
check "invalid YAML: still redacted" $BC absent "$T/p.tar.gz" FAKE-broken-pw-Rz5
check "comments dropped and counted" sh -c "$BC get $T/p.tar.gz 'src(\"config$T/prof/etc/commented.yaml\")[\"comments_dropped\"]' | grep -qx 2"
check "no comment text in the bundle" $BC absent "$T/p.tar.gz" FAKE-comment-token-Wq8
check "custom profile: recorded in the manifest" sh -c "$BC get $T/p.tar.gz 'm[\"collection\"][\"profile\"]' | grep -q profile.yaml"

# A plain run on this host: a bundle under the default name that says what was unavailable and why
mkdir "$T/here"
rc=0
(cd "$T/here" && "$COLLECT" --no-probe) >"$T/here.out" 2>&1 || rc=$?
check "this host: exit 0" test "$rc" = 0
B=$(ls "$T"/here/triage-*-*.tar.gz 2>/dev/null | head -1)
check "this host: default name triage-<host>-<time>.tar.gz" test -n "$B"
check "this host: bundle valid, mode 0600" $BC verify "$B"
if [ ! -d /run/systemd/system ]; then
	check "this host: no systemd, said plainly" sh -c "$BC get $B 'src(\"unit/$U\")[\"detail\"]' | grep -q 'systemd is not running'"
	check "this host: stderr lists what was unavailable" grep -q "unavailable" "$T/here.out"
fi
# On a terminal: one progress line per source as it is collected
if command -v script >/dev/null; then
	script -qec "$COLLECT --no-probe -o $T/tty.tar.gz" /dev/null >"$T/tty.out" 2>&1
	check "tty: a progress line per source" grep -q "ok .*host: " "$T/tty.out"
	check "tty: the summary at the end" grep -q "attach this file to your support ticket" "$T/tty.out"
fi
if [ -r /etc/nsswitch.conf ]; then
	check "this host: nsswitch.conf collected" sh -c "$BC get $B 'src(\"resolver/nsswitch.conf\")[\"status\"]' | grep -qx ok"
fi
check "this host: host.json has the NTP state" sh -c "$BC get $B 'json.loads(f(\"host.json\"))[\"ntp_synchronized\"] in (True, False)' | grep -qx True"
finish
