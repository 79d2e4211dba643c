#!/usr/bin/env bash
# tests/integration/test-threads.sh: the collector's two journal threads under ThreadSanitizer.
#
# The producer redacts journal values while the leak-check thread verifies and writes the chunks
# before them; they share the redactor (collect/jsonl.c, red_lock()).  A collector built with
# -fsanitize=thread (build-tsan/) collects a real journal (systemd-journal-remote) where the
# redactor learns a new value every few entries (tokens, colour-coded passwords): ThreadSanitizer
# must report nothing, and the bundle must hold every entry with no planted value.
. "$(dirname "$0")/../lib.sh"

remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=/usr/lib/systemd/systemd-journal-remote
TSAN_BUILD=${TSAN_BUILD:-$TOP/build-tsan}
if ! make -s -C "$TOP" BUILD="$TSAN_BUILD" OPT="-O1 -g -fsanitize=thread" "$TSAN_BUILD/triage-collect" \
	>"$T/build.log" 2>&1; then
	fail "the collector builds with -fsanitize=thread" "$(tail -5 "$T/build.log")"
	finish
fi
pass "the collector builds with -fsanitize=thread"

# 30,000 entries of the agent: every 3rd a new token=, every 5th a colour-coded password= (a byte array)
python3 - "$T/j.export" "$T/planted.txt" <<'EOF'
import random, struct, sys
rng = random.Random(7)
out, planted = open(sys.argv[1], "wb"), open(sys.argv[2], "w")
t0 = 1796078000000000
for i in range(30000):
    msg, binary = f"info\tagent\trequest {i} done in {rng.randint(1, 900)}ms".encode(), False
    if i % 3 == 0:
        tok = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        msg = f"debug\tagent\trefresh token={tok} ok".encode()
        planted.write(tok + "\n")
    elif i % 5 == 0:
        pw = "".join(rng.choice("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(16))
        msg, binary = f"\x1b[33mwarn\x1b[0m\tagent\tlogin password={pw}\r".encode(), True
        planted.write(pw + "\n")
    out.write(f"__CURSOR=s=0;i={i}\n__REALTIME_TIMESTAMP={t0 + i * 1000}\n__MONOTONIC_TIMESTAMP={i * 1000}\n"
              f"_BOOT_ID=1f1e2d3c4b5a69788796a5b4c3d2e1f0\n_SYSTEMD_UNIT=onboarding-agent.service\n"
              f"SYSLOG_IDENTIFIER=onboarding-agent\nPRIORITY=6\n".encode())
    if binary:
        out.write(b"MESSAGE\n" + struct.pack("<Q", len(msg)) + msg + b"\n")
    else:
        out.write(b"MESSAGE=" + msg + b"\n")
    out.write(b"\n")
EOF
mkdir -p "$T/j"
"$remote" --output="$T/j/threads.journal" "$T/j.export" >"$T/remote.log" 2>&1
check "systemd-journal-remote writes the journal" test -s "$T/j/threads.journal"

TSAN_OPTIONS="exitcode=66 halt_on_error=0" "$TSAN_BUILD/triage-collect" -q --journal-dir "$T/j" --no-probe \
	--no-analyze --since @1796077000 --until @1796079000 --max-size 4G -o "$T/b.tar.gz" 2>"$T/err"
st=$?
if [ $st = 0 ] && ! grep -q ThreadSanitizer "$T/err"; then pass "ThreadSanitizer reports nothing"
else fail "ThreadSanitizer reports nothing" "exit $st: $(grep -A6 'WARNING: ThreadSanitizer' "$T/err" | head -8 | tr '\n' ' ')"; fi
tar -xzOf "$T/b.tar.gz" --wildcards '*/journal/onboarding-agent.service.jsonl' >"$T/j.jsonl" 2>/dev/null
n=$(wc -l <"$T/j.jsonl")
check "the bundle holds all 30000 entries (got $n)" test "$n" = 30000
leaked=$(grep -c -F -f "$T/planted.txt" "$T/j.jsonl")
check "no planted token or password is in the bundle ($leaked lines hold one)" test "$leaked" = 0
finish
