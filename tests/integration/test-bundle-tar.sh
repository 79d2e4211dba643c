#!/usr/bin/env bash
# test-bundle-tar.sh: a bundle written by triage-collect is a plain tar.gz that GNU tar, gzip and
# sha256sum agree with: manifest.json first, every entry listed with its true size and SHA-256,
# mode 0600, no temporary file left, nothing written when the output cannot be placed.
source "$(dirname "$0")/../lib.sh"

root=$T/root
mkdir -p "$root/etc/onboarding-agent" "$root/etc/systemd/system" "$T/out"
cat >"$root/etc/onboarding-agent/onboarding.config.yaml" <<'EOF'
onboardingEndpoint:
  host: onboarding.example.invalid
  port: 15443
workloadGroup:
  namespace: demo
  name: vm
EOF
cat >"$root/etc/systemd/system/onboarding-agent.service" <<'EOF'
[Unit]
Description=Workload Onboarding Agent
[Service]
ExecStart=/usr/bin/onboarding-agent
Environment=TOKEN=not-really-a-secret-but-redacted
EOF
printf 'nameserver 127.0.0.53\n' >"$root/etc/resolv.conf"

bundle=$T/out/triage-test.tar.gz
expect_status "collect writes a bundle" 0 "$COLLECT" -q --root "$root" --no-probe -o "$bundle"

check "gzip stream is intact" gzip -t "$bundle"
mode=$(stat -c %a "$bundle" 2>/dev/null)
if [ "$mode" = 600 ]; then pass "bundle mode 0600"; else fail "bundle mode 0600" "mode is $mode"; fi
left=$(find "$T/out" -mindepth 1 ! -name triage-test.tar.gz | head -3)
if [ -z "$left" ]; then pass "no temporary file left"; else fail "no temporary file left" "$left"; fi

first=$(tar tzf "$bundle" | head -1)
if [ "$first" = "triage-test/manifest.json" ]; then pass "manifest.json is the first entry"
else fail "manifest.json is the first entry" "first is '$first'"; fi

top=$(tar tzf "$bundle" | cut -d/ -f1 | sort -u)
if [ "$top" = "triage-test" ]; then pass "one top directory"; else fail "one top directory" "$top"; fi

mkdir -p "$T/x"
check "GNU tar extracts it" tar xzf "$bundle" -C "$T/x"

# Every listed entry has the listed size and SHA-256; every extracted file is listed.
verify() {
	python3 - "$T/x/triage-test" <<'EOF'
import hashlib, json, os, sys
top = sys.argv[1]
m = json.load(open(os.path.join(top, "manifest.json")))
assert m["format"] == "triage-bundle" and m["format_version"] == 1, "format"
listed = {}
for e in m["entries"]:
    p = os.path.join(top, e["path"])
    data = open(p, "rb").read()
    assert len(data) == e["size"], f"{e['path']}: size {len(data)} != {e['size']}"
    assert hashlib.sha256(data).hexdigest() == e["sha256"], f"{e['path']}: sha256"
    listed[e["path"]] = True
for d, _, files in os.walk(top):
    for f in files:
        rel = os.path.relpath(os.path.join(d, f), top)
        assert rel == "manifest.json" or rel in listed, f"{rel}: not listed"
for s in m["sources"]:
    assert s["status"] in ("ok", "unavailable", "error", "truncated"), s
    assert isinstance(s["detail"], str), s
print(len(listed), "entries verified")
EOF
}
check "entries match the manifest (size, SHA-256, nothing unlisted)" verify

check "the unit file is in the bundle" test -s "$T/x/triage-test/config/etc/systemd/system/onboarding-agent.service"
if grep -rq 'not-really-a-secret' "$T/x"; then fail "secret not in the bundle" "found it"
else pass "secret not in the bundle"; fi

# The final name is a folder: the bundle goes inside it under the default name (issue 12 item 8).
mkdir -p "$T/busy/b.tar.gz/keep"
expect_status "-o an existing folder: exit 0" 0 "$COLLECT" -q --root "$root" --no-probe -o "$T/busy/b.tar.gz"
check "-o an existing folder: the bundle is inside it" sh -c "ls '$T/busy/b.tar.gz' | grep -q '^triage-.*\.tar\.gz$'"
# The output cannot be placed (its folder is a file): exit 1, and no temporary file anywhere.
: >"$T/busy/plain"
expect_status "output that cannot be placed: exit 1" 1 "$COLLECT" -q --root "$root" --no-probe -o "$T/busy/plain/b.tar.gz"
left=$(find "$T/busy" -mindepth 1 -maxdepth 1 ! -name b.tar.gz ! -name plain | head -3)
if [ -z "$left" ]; then pass "failed write leaves no temporary file"; else fail "failed write leaves no temporary file" "$left"; fi

finish
