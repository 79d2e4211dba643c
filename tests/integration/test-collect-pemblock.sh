#!/usr/bin/env bash
# tests/integration/test-collect-pemblock.sh: a private key printed one line per entry (journald stores
# one entry a stdout line; docker, CRI and CloudWatch one record a line) is redacted line by line, in the
# journal (also when the size budget cuts the block and its BEGIN line is left out) and in every
# --log-file form; a block without its END stops PEM_MAX_LINES (256) lines after its BEGIN line, and
# the log lines around a block stay; the body inside quotes (logfmt, JSON lines) and a BEGIN line cut short or
# split over two entries too.
source "$(dirname "$0")/../lib.sh"
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=/usr/lib/systemd/systemd-journal-remote

# gen.py DIR BEFORE AFTER: DIR/x.export (journal export), DIR/log.{plain,docker,cri,aws}, DIR/body.txt
cat >"$T/gen.py" <<'EOF'
import base64, json, random, sys
d, before, after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(11)
words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda".split()
lines, body = [], []
for i in range(before):
    lines.append("info\tagent\tbefore " + " ".join(rng.choice(words) for _ in range(12)) + f" {rng.getrandbits(64):x}")
lines.append("-----BEGIN RSA PRIVATE KEY-----")
for i in range(120):
    b = base64.b64encode(rng.randbytes(48)).decode()
    body.append(b)
    lines.append(b)
lines.append("-----END RSA PRIVATE KEY-----")
lines.append("info\tagent\tkey printed, going on")
# a block cut short (no END): bounded
lines.append("-----BEGIN PGP PRIVATE KEY BLOCK-----")
for i in range(60):
    b = base64.b64encode(rng.randbytes(48)).decode()
    body.append(b)
    lines.append(b)
lines.append("info\tagent\tmiddle line kept")
for i in range(260):
    lines.append(f"info\tagent\tafter {i} " + " ".join(rng.choice(words) for _ in range(12)))
lines.append("TWFueSBoYW5kcyBtYWtlIGxpZ2h0IHdvcmsuIGJ1dCBub3QgaGVyZS4xMjM0NTY3")  # 300+ lines after BEGIN: no block
for i in range(after):
    lines.append(f"info\tagent\tlate {i} " + " ".join(rng.choice(words) for _ in range(12)) + f" {rng.getrandbits(64):x}")
t = 1795000000 * 1000000
with open(d + "/x.export", "w") as f:
    for n, m in enumerate(lines):
        f.write(f"__REALTIME_TIMESTAMP={t + n * 1000}\n__MONOTONIC_TIMESTAMP={n + 1}\n"
                "_BOOT_ID=1f1e2d3c4b5a69788796a5b4c3d2e1f0\n_MACHINE_ID=b1b2c3d4e5f60718293a4b5c6d7e8f90\n"
                "_HOSTNAME=vm\n_SYSTEMD_UNIT=onboarding-agent.service\nPRIORITY=6\n"
                f"SYSLOG_IDENTIFIER=onboarding-agent\nMESSAGE={m}\n\n")
ts = lambda n: f"2026-11-30T10:{n // 3600 % 60:02d}:{n // 60 % 60:02d}.{n % 60:02d}0000Z"
with open(d + "/log.plain", "w") as f:
    f.writelines(f"{ts(n)} {m}\n" for n, m in enumerate(lines))
with open(d + "/log.docker", "w") as f:
    f.writelines(json.dumps({"log": m + "\n", "stream": "stdout", "time": ts(n)}) + "\n" for n, m in enumerate(lines))
with open(d + "/log.cri", "w") as f:
    f.writelines(f"{ts(n)} stdout F {m}\n" for n, m in enumerate(lines))
with open(d + "/log.aws", "w") as f:
    json.dump({"events": [{"logStreamName": "ecs/onboarding-agent/3a15", "timestamp": 1795000000000 + n,
                           "message": m, "eventId": str(n)} for n, m in enumerate(lines)]}, f)
with open(d + "/body.txt", "w") as f:
    f.write("\n".join(body) + "\n")
EOF

# journal-file.sh NAME BUNDLE: the journal file of a bundle, extracted
jfile() {
	mkdir -p "$T/x-$1"
	tar -xzf "$2" -C "$T/x-$1" && find "$T/x-$1" -name 'onboarding-agent.service.jsonl' | head -1
}

# expect_clean NAME FILE: no body line of a key in FILE; the lines around the blocks kept
expect_clean() {
	local f=$2
	check "$1: no line of a key's body" sh -c "! grep -qFf '$T/d/body.txt' '$f'"
	check "$1: the END line and the lines after a block stay" sh -c "grep -q 'END RSA PRIVATE KEY' '$f' && grep -q 'key printed, going on' '$f' && grep -q 'middle line kept' '$f'"
	check "$1: base64 lines 300 lines after a BEGIN without END stay" grep -q 'TWFueSBoYW5kcyBtYWtlIGxpZ2h0' "$f"
}

mkdir -p "$T/d" "$T/jd"
$PY "$T/gen.py" "$T/d" 50 20 || fail "generator"
"$remote" --output="$T/jd/remote.journal" "$T/d/x.export" 2>/dev/null
expect_status "journal: exit 0" 0 "$COLLECT" -q --journal-dir "$T/jd" --no-probe --no-analyze -o "$T/j.tar.gz"
f=$(jfile j "$T/j.tar.gz")
expect_clean "journal" "$f"
check "journal: every body line is a marker (180)" test "$(grep -c '"MESSAGE":"<redacted:private-key:[0-9a-f]*>"' "$f")" -ge 180
check "journal: counted in the manifest" sh -c "grep -q '\"private-key-block\": *180' '$T/x-j/'*/manifest.json"

for form in plain docker cri aws; do
	expect_status "log-file $form: exit 0" 0 "$COLLECT" -q --log-file "$T/d/log.$form" --no-probe --no-analyze -o "$T/l-$form.tar.gz"
	f=$(jfile "l-$form" "$T/l-$form.tar.gz")
	expect_clean "log-file $form" "$f"
done

# the body inside quotes (logfmt, a JSON line in a plain log), a BEGIN line cut short or split in two
cat >"$T/gen2.py" <<'EOF'
import base64, json, random, sys
d = sys.argv[1]
rng = random.Random(12)
forms = {
    "logfmt": (['level=info msg="-----BEGIN EC PRIVATE KEY-----"'], 'level=info msg="%s"', ['level=info msg="-----END EC PRIVATE KEY-----"']),
    "json": ([json.dumps({"level": "info", "msg": "-----BEGIN OPENSSH PRIVATE KEY-----"})], '{"level": "info", "msg": "%s"}',
             [json.dumps({"level": "info", "msg": "-----END OPENSSH PRIVATE KEY-----"})]),
    "cut": (["-----BEGIN PRIVATE KEY"], "%s", ["-----END PRIVATE KEY"]),
    "split": (["-----BEGIN RSA PRIVATE", "KEY-----"], "%s", ["-----END RSA PRIVATE KEY-----"]),
}
with open(d + "/body2.txt", "w") as bf:
    for name, (begin, fmt, end) in forms.items():
        body = [base64.b64encode(rng.randbytes(48)).decode() for _ in range(20)]
        bf.writelines(b[8:40] + "\n" for b in body)
        with open(d + "/log2." + name, "w") as f:
            f.writelines(f"2026-11-30T10:00:{n:02d}Z {m}\n" for n, m in
                         enumerate(["info agent starting"] + begin + [fmt % b for b in body] + end + ["info agent ok"]))
EOF
$PY "$T/gen2.py" "$T/d" || fail "generator 2"
for form in logfmt json cut split; do
	expect_status "log-file $form: exit 0" 0 "$COLLECT" -q --log-file "$T/d/log2.$form" --no-probe --no-analyze -o "$T/m-$form.tar.gz"
	f=$(jfile "m-$form" "$T/m-$form.tar.gz")
	check "log-file $form: no line of a key's body" sh -c "! grep -qFf '$T/d/body2.txt' '$f'"
	check "log-file $form: the lines around the block stay" sh -c "grep -q 'info agent starting' '$f' && grep -q 'info agent ok' '$f'"
done

# the size budget keeps the newest entries: the cut falls inside the key, its BEGIN line left out
rm -rf "$T/d" "$T/jd"
mkdir -p "$T/d" "$T/jd"
$PY "$T/gen.py" "$T/d" 3000 600 || fail "generator"
"$remote" --output="$T/jd/remote.journal" "$T/d/x.export" 2>/dev/null
expect_status "journal, trimmed: exit 0" 0 "$COLLECT" -q --journal-dir "$T/jd" --no-probe --no-analyze --max-size 80K -o "$T/t.tar.gz"
f=$(jfile t "$T/t.tar.gz")
check "journal, trimmed: the BEGIN line was left out, body lines kept" sh -c "! grep -q 'BEGIN RSA' '$f' && grep -q 'private-key' '$f'"
check "journal, trimmed: no line of a key's body" sh -c "! grep -qFf '$T/d/body.txt' '$f'"
finish
