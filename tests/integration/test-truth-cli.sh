#!/usr/bin/env bash
# tests/integration/test-truth-cli.sh: outputs that are not plain files (issue 12 item 3) and the
# command-line conventions (item 8): -o onto devices, pipes, folders, '-' and existing bundles, for
# both programs; --max-size forms; -u names; -o report.html; -q with --check-rules.
source "$(dirname "$0")/../lib.sh"
BC="$PY $TOP/tests/nspawn/bundle-check.py"
U=onboarding-agent.service
mkjournal mixed 200 1795000000 "$T/jd"
J=(--journal-dir "$T/jd" --no-probe -q)
cd "$T" || exit 1

# ---- triage-collect -o onto special files: never renamed over.  Private device nodes (the same
# devices as /dev/null and /dev/full), so that a collector that does rename harms only this test.
mknod "$T/null" c 1 3 && mknod "$T/full" c 1 7 && chmod 0666 "$T/null" "$T/full"
expect_status "collect -o NULL-DEVICE: exit 0" 0 "$COLLECT" "${J[@]}" -o "$T/null"
check "collect -o NULL-DEVICE: still a character device" test -c "$T/null"
check "collect -o NULL-DEVICE: no temporary file left beside it" sh -c "! ls -A '$T' | grep -q '^\.null\.'"
expect_status "collect -o FULL-DEVICE: exit 1 (the write failed)" 1 "$COLLECT" "${J[@]}" -o "$T/full"
check "collect -o FULL-DEVICE: says why" grep -q "No space left on device" "$T/.err"
check "collect -o FULL-DEVICE: still a character device" test -c "$T/full"
mkfifo "$T/fifo"
timeout 30 cat "$T/fifo" >"$T/from-fifo.tar.gz" &
expect_status "collect -o FIFO: exit 0" 0 "$COLLECT" "${J[@]}" -o "$T/fifo"
wait
check "collect -o FIFO: still a FIFO" test -p "$T/fifo"
chmod 0600 "$T/from-fifo.tar.gz"	# the reader's file: its mode is the reader's
check "collect -o FIFO: the reader got a valid bundle" $BC verify "$T/from-fifo.tar.gz"
mknod "$T/blk" b 7 0
expect_status "collect -o block device: refused (exit 2)" 2 "$COLLECT" "${J[@]}" -o "$T/blk"
check "collect -o block device: still a block device" test -b "$T/blk"

# ---- -o -: the bundle on standard output, as tar does; never onto a terminal
expect_status "collect -o -: exit 0" 0 sh -c "'$COLLECT' ${J[*]} -o - >'$T/stdout.tar.gz'"
chmod 0600 "$T/stdout.tar.gz"
check "collect -o -: standard output is a valid bundle" $BC verify "$T/stdout.tar.gz"
check "collect -o -: no file named '-'" test ! -e "$T/-"
check "collect -o - | tar tz: lists the manifest" sh -c "'$COLLECT' ${J[*]} -o - | tar tzf - | grep -q '/manifest.json$'"
if command -v script >/dev/null; then
	rc=0; script -qec "'$COLLECT' ${J[*]} -o -" /dev/null >"$T/tty.out" 2>&1 || rc=$?
	check "collect -o - onto a terminal: refused with a message" sh -c "[ $rc = 2 ] && grep -q 'terminal' '$T/tty.out' && ! grep -q manifest '$T/tty.out'"
fi

# ---- -o DIR: the default name inside it; an existing bundle is not replaced silently
mkdir "$T/dir"
expect_status "collect -o DIR: exit 0" 0 "$COLLECT" "${J[@]}" -o "$T/dir"
check "collect -o DIR: the default name inside DIR" sh -c "ls '$T/dir' | grep -qx 'triage-.*-[0-9]\{8\}T[0-9]\{6\}Z\.tar\.gz'"
expect_status "collect -o DIR/ (trailing slash): exit 0" 0 "$COLLECT" "${J[@]}" -o "$T/dir/" --force
expect_status "collect -o missing/: exit 1" 1 "$COLLECT" "${J[@]}" -o "$T/missing/"
echo keep >"$T/old.tar.gz"
expect_status "collect -o EXISTING: refused (exit 1)" 1 "$COLLECT" "${J[@]}" -o "$T/old.tar.gz"
check "collect -o EXISTING: says --force" grep -q -- "--force" "$T/.err"
check "collect -o EXISTING: left as it was" grep -qx keep "$T/old.tar.gz"
expect_status "collect -o EXISTING --force: exit 0" 0 "$COLLECT" "${J[@]}" -o "$T/old.tar.gz" --force
check "collect -o EXISTING --force: replaced by a bundle" $BC verify "$T/old.tar.gz"

# ---- --max-size forms; -u names
for m in 1.5M 10m 1g 500k 20MB 1GiB; do
	expect_status "collect --max-size $m: accepted" 0 "$COLLECT" --max-size "$m" --dry-run
done
check "collect --max-size 1.5M is 1.5 MiB" sh -c "'$COLLECT' --max-size 1.5M --dry-run | grep -q 'budget 1.5 MiB'"
for m in 10x 1.5 -1M 1MM; do
	expect_status "collect --max-size '$m': refused" 2 "$COLLECT" --max-size "$m" --dry-run
done
for u in "foo bar" "a/b.service" "agent*" "x;reboot" "tmpl@.service" "-x"; do
	expect_status "collect -u '$u': refused" 2 "$COLLECT" -u "$u" --dry-run
done
for u in onboarding-agent my.agent getty@tty1.service sshd.socket; do
	expect_status "collect -u '$u': accepted" 0 "$COLLECT" -u "$u" --dry-run
done
check "collect -u my.agent: a service, as systemctl reads it" sh -c "'$COLLECT' -u my.agent --dry-run | grep -q 'my.agent.service ->'"

# ---- triage-analyze -o onto special files, the format from the extension, -q
B=$T/stdout.tar.gz
expect_status "analyze -o NULL-DEVICE: exit 1 (findings), not 2" 1 "$ANALYZE" -o "$T/null" "$B"
check "analyze -o NULL-DEVICE: still a character device" test -c "$T/null"
timeout 30 cat "$T/fifo" >"$T/report-fifo.md" &
expect_status "analyze -o FIFO: exit 1 (findings)" 1 "$ANALYZE" -o "$T/fifo" "$B"
wait
check "analyze -o FIFO: still a FIFO" test -p "$T/fifo"
check "analyze -o FIFO: the reader got the report" grep -q "^# Triage report" "$T/report-fifo.md"
expect_status "analyze -o FULL-DEVICE: exit 2, says why" 2 "$ANALYZE" -o "$T/full" "$B"
expect_status "analyze -o DIR: exit 2" 2 "$ANALYZE" -o "$T/dir" "$B"
check "analyze -o DIR: says it is a folder" grep -q "folder" "$T/.err"
# The bundle's findings are critical (config missing, DNS, policy): exit 1.
expect_run "analyze -o r.html the bundle" 1 /dev/null "$ANALYZE" -o "$T/r.html" "$B"
check "analyze -o report.html without -f: HTML" grep -q "^<!DOCTYPE html>" "$T/r.html"
expect_run "analyze -o r.json the bundle" 1 /dev/null "$ANALYZE" -o "$T/r.json" "$B"
check "analyze -o report.json without -f: JSON" $PY -c "import json,sys; assert json.load(open(sys.argv[1]))['schema'] == 'triage-report/1'" "$T/r.json"
expect_run "analyze -f markdown -o r2.html the bundle" 1 /dev/null "$ANALYZE" -f markdown -o "$T/r2.html" "$B"
check "analyze -f markdown -o x.html: -f wins" grep -q "^# Triage report" "$T/r2.html"
check "analyze --check-rules -q: silent on success" sh -c "[ -z \"\$('$ANALYZE' --check-rules -q 2>&1)\" ]"
check "analyze --check-rules: says all pass" sh -c "'$ANALYZE' --check-rules | grep -q 'all pass'"
# ---- the default name from a --root tree's /etc/hostname: bytes a file name or tar path should not
# hold (control bytes, glob characters) become '_', so the bundle is written and reads back (review).
mkdir -p "$T/hroot/etc" "$T/hout"
printf 'ev\033[31mil\001x:y*?\n' >"$T/hroot/etc/hostname"
rc=0; (cd "$T/hout" && "$COLLECT" --root "$T/hroot" --no-probe -q --no-analyze) 2>"$T/hroot.err" || rc=$?
check "collect --root with a hostile /etc/hostname: exit 0, one bundle named with safe bytes" sh -c \
	"[ $rc = 0 ] && ls '$T/hout' | grep -qx 'triage-ev__31mil_x_y__-[0-9T]*Z.tar.gz' && [ \$(ls '$T/hout' | wc -l) = 1 ]"
check "collect --root with a hostile /etc/hostname: no raw control byte on stderr" sh -c "! grep -q \"\$(printf '\\033')\" '$T/hroot.err'"
expect_status "that bundle reads back" 0 "$ANALYZE" --fail-on none -o "$T/hroot.md" "$T/hout"/triage-*.tar.gz
# ---- analyze -o naming the bundle or the baseline being read: refused, the input kept (review)
cp "$TOP/samples/healthy.tar.gz" "$T/self.tar.gz"; cp "$TOP/samples/dns-failure.tar.gz" "$T/self-old.tar.gz"
expect_status "analyze -o THE-BUNDLE: exit 2" 2 "$ANALYZE" -o "$T/self.tar.gz" "$T/self.tar.gz"
check "analyze -o THE-BUNDLE: one line naming it" sh -c "[ \$(wc -l <'$T/.err') = 1 ] && grep -q 'self.tar.gz: is the bundle being read' '$T/.err'"
expect_status "analyze --baseline OLD -o OLD (another spelling): exit 2" 2 "$ANALYZE" --force --baseline "$T/self-old.tar.gz" -o "$T/../$(basename "$T")/self-old.tar.gz" "$T/self.tar.gz"
check "both bundles are intact" sh -c "cmp -s '$T/self.tar.gz' '$TOP/samples/healthy.tar.gz' && cmp -s '$T/self-old.tar.gz' '$TOP/samples/dns-failure.tar.gz'"
finish
