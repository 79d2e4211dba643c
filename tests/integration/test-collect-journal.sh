#!/usr/bin/env bash
# tests/integration/test-collect-journal.sh: --journal-dir and --root on real journal files written by
# systemd-journal-remote, compared with journalctl -D; --root never leaves DIR (openat2 and the manual
# resolver); unit files found in the tree and redacted.
source "$(dirname "$0")/../lib.sh"
BC="$PY $TOP/tests/nspawn/bundle-check.py"
U=onboarding-agent.service
END=1795000000

mkjournal mixed 600 $END "$T/jd"
check "journal-remote wrote a journal" test -s "$T/jd/remote.journal"

# --journal-dir, default window: the 24 hours before the newest entry
expect_status "journal-dir: exit 0" 0 "$COLLECT" -q --journal-dir "$T/jd" --no-probe -o "$T/a.tar.gz"
journalctl -D "$T/jd" -u $U -o json --all >"$T/a.jc"
check "journal-dir: bundle valid" $BC verify "$T/a.tar.gz"
check "journal-dir: same entries, cursors and fields as journalctl -u" $BC journal "$T/a.tar.gz" $U "$T/a.jc"
check "journal-dir: the unprivileged user's claim is left out" sh -c "! $BC get $T/a.tar.gz 'f(\"journal/$U.jsonl\")' | grep -q 'unprivileged claim'"
check "journal-dir: coredump, PID 1 and daemon entries are in" sh -c "$BC get $T/a.tar.gz 'f(\"journal/$U.jsonl\")' | grep -q 'dumped core' && $BC get $T/a.tar.gz 'f(\"journal/$U.jsonl\")' | grep -q 'privileged daemon'"
check "journal-dir: non-UTF-8 MESSAGE is a byte array" sh -c "$BC get $T/a.tar.gz 'any(isinstance(e[\"MESSAGE\"], list) for e in jl(\"journal/$U.jsonl\"))' | grep -qx True"
check "journal-dir: repeated field is an array" sh -c "$BC get $T/a.tar.gz 'any(e.get(\"EXTRA\") == [\"a\", \"b\"] for e in jl(\"journal/$U.jsonl\"))' | grep -qx True"
check "journal-dir: 6 KiB field kept whole" sh -c "$BC get $T/a.tar.gz 'any(len(e.get(\"BIG\", \"\")) == 6000 for e in jl(\"journal/$U.jsonl\"))' | grep -qx True"
check "journal-dir: password in a MESSAGE redacted" $BC absent "$T/a.tar.gz" FAKE-journal-password-Lk3Rt9
NEWEST=$(tail -1 "$T/a.jc" | $PY -c 'import json,sys,time; print(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(json.load(sys.stdin)["__REALTIME_TIMESTAMP"]) // 10**6)))')
check "journal-dir: window ends at the newest entry" sh -c "$BC get $T/a.tar.gz 'src(\"journal/$U\")[\"until\"]' | grep -qx $NEWEST"

# --journal-dir with an explicit window
S=$((END - 1800)) E=$((END - 600))
expect_status "window: exit 0" 0 "$COLLECT" -q --journal-dir "$T/jd" --no-probe --since "@$S" --until "@$E" -o "$T/b.tar.gz"
journalctl -D "$T/jd" -u $U -o json --all --since "@$S" --until "@$E" >"$T/b.jc"
check "window: same entries as journalctl --since --until" $BC journal "$T/b.tar.gz" $U "$T/b.jc"
check "window: the slice is smaller" test "$(wc -l <"$T/b.jc")" -lt "$(wc -l <"$T/a.jc")"

# --root: a system tree with absolute and relative symlinks that point out of it
R=$T/root H=$T/hostonly
mkdir -p "$R/var/log/journal/a1b2c3d4e5f60718293a4b5c6d7e8f90" "$R/etc/onboarding-agent" "$R/etc/systemd/system/$U.d" "$R/run" "$H"
cp "$T/jd/remote.journal" "$R/var/log/journal/a1b2c3d4e5f60718293a4b5c6d7e8f90/system.journal"
echo "tree-host" >"$R/etc/hostname"
echo 'PRETTY_NAME="Tree Linux 1"' >"$R/etc/os-release"
echo "HOSTONLY-MARKER-Zx81: true" >"$H/agent.config.yaml"
echo "nameserver 203.0.113.99 # HOSTONLY-MARKER-Zx81" >"$H/resolv.conf"
ln -s "$H/agent.config.yaml" "$R/etc/onboarding-agent/agent.config.yaml"
ln -s "../../../../../../../../../..$H/resolv.conf" "$R/etc/resolv.conf"
echo "192.0.2.7 tree-hosts-marker" >"$R/run/hosts-real"
ln -s /run/hosts-real "$R/etc/hosts"
cat >"$R/etc/onboarding-agent/onboarding.config.yaml" <<'YAML'
kind: OnboardingConfiguration
onboardingEndpoint:
  host: onboarding.example.invalid
workloadGroup: {namespace: ns, name: wg}
YAML
printf '[Service]\nExecStart=/usr/bin/onboarding-agent\nEnvironment=CLIENT_SECRET=FAKE-root-unit-secret-Jd7\n' >"$R/etc/systemd/system/$U"
printf '[Service]\nEnvironment=API_TOKEN=FAKE-root-dropin-token-Vb2\n' >"$R/etc/systemd/system/$U.d/10-env.conf"
journalctl -D "$R/var/log/journal" -u $U -o json --all >"$T/r.jc"
for mode in openat2 manual; do
	if [ $mode = manual ]; then export TRIAGE_TEST_NO_OPENAT2=1; fi
	B=$T/root-$mode.tar.gz
	expect_status "root ($mode): exit 0" 0 "$COLLECT" -q --root "$R" -o "$B"
	check "root ($mode): bundle valid" $BC verify "$B"
	check "root ($mode): journal equals journalctl -D" $BC journal "$B" $U "$T/r.jc"
	check "root ($mode): no host file reached through a symlink" $BC absent "$B" HOSTONLY-MARKER-Zx81
	check "root ($mode): absolute symlink resolved inside the tree" sh -c "$BC get $B 'f(\"resolver/hosts\")' | grep -q tree-hosts-marker"
	check "root ($mode): escaping symlink is not found" sh -c "$BC get $B 'src(\"config/etc/onboarding-agent/agent.config.yaml\")[\"status\"]' | grep -qx unavailable"
	check "root ($mode): unit file and drop-in from the tree" sh -c "$BC get $B 'sorted(p for p in files if p.startswith(\"config/etc/systemd\"))' | grep -q '10-env.conf'"
	check "root ($mode): unit file secrets redacted" $BC absent "$B" FAKE-root-unit-secret-Jd7 FAKE-root-dropin-token-Vb2
	check "root ($mode): hostname from the tree" sh -c "$BC get $B 'json.loads(f(\"host.json\"))[\"hostname\"]' | grep -qx tree-host"
	check "root ($mode): no probes" sh -c "$BC get $B 'src(\"probes\")[\"status\"]' | grep -qx unavailable"
	check "root ($mode): no live unit status" sh -c "$BC get $B 'src(\"unit/$U\")[\"detail\"]' | grep -q 'no live service manager'"
done
unset TRIAGE_TEST_NO_OPENAT2

# --journal-dir that is not a folder: exit 1, nothing written
expect_status "journal-dir missing: exit 1" 1 "$COLLECT" -q --journal-dir "$T/nope" -o "$T/c.tar.gz"
check "journal-dir missing: no bundle" test ! -e "$T/c.tar.gz"
# A field under a secret-like name of its own (sd_journal_send TOKEN=...): its value is redacted
# whole and the entry kept (the leak check withheld the whole entry, MESSAGE too)
cat >"$T/fields.py" <<'EOF'
import sys
ents = [{"CUSTOM_AUTH": "Ja7Lq2Xw7Zp3Qb", "API_TOKEN": "Jt8Lq2Xw7Zp3QcVb9", "SESSION_ID": "42", "MESSAGE": "started"},
        {"PASSWORD": "hunter2 is it", "MESSAGE": "second", "CODE_FILE": "/src/x.go"}]
with open(sys.argv[1], "w") as f:
    for n, e in enumerate(ents):
        f.write(f"__REALTIME_TIMESTAMP={1795000000000000 + n}\n__MONOTONIC_TIMESTAMP={n + 1}\n"
                "_BOOT_ID=1f1e2d3c4b5a69788796a5b4c3d2e1f0\n_MACHINE_ID=b1b2c3d4e5f60718293a4b5c6d7e8f90\n"
                "_HOSTNAME=vm\n_SYSTEMD_UNIT=onboarding-agent.service\nPRIORITY=6\n")
        f.writelines(f"{k}={v}\n" for k, v in e.items())
        f.write("\n")
EOF
mkdir -p "$T/jf"
$PY "$T/fields.py" "$T/jf.export" || fail "fields.py"
remote=/lib/systemd/systemd-journal-remote; [ -x "$remote" ] || remote=/usr/lib/systemd/systemd-journal-remote
"$remote" --output="$T/jf/remote.journal" "$T/jf.export" 2>/dev/null
expect_status "secret-named fields: exit 0" 0 "$COLLECT" -q --journal-dir "$T/jf" --no-probe -o "$T/f.tar.gz"
check "secret-named fields: both entries kept" sh -c "$BC get $T/f.tar.gz '[e[\"MESSAGE\"] for e in jl(\"journal/$U.jsonl\")]' | grep -qx \"\\['started', 'second'\\]\""
check "secret-named fields: values redacted whole" sh -c "! tar -xzOf '$T/f.tar.gz' | grep -aqE 'Ja7Lq2Xw7Zp3Qb|Jt8Lq2Xw7Zp3QcVb9|hunter2'"
check "secret-named fields: other fields stay" sh -c "$BC get $T/f.tar.gz '[e.get(\"SESSION_ID\", e.get(\"CODE_FILE\")) for e in jl(\"journal/$U.jsonl\")]' | grep -qx \"\\['42', '/src/x.go'\\]\""

finish
