#!/usr/bin/env bash
# tests/integration/test-collect-analyze.sh: after writing the bundle, triage-collect runs the analyzer
# found beside it (the release layout) or on PATH and shows the findings with their remedy and the file to
# attach; nothing of the kind with --no-analyze, -q, -o -, or when no analyzer is found (--analyze then
# fails before collecting); an analyzer that hangs, fails or prints controls changes nothing else.
source "$(dirname "$0")/../lib.sh"
U=onboarding-agent.service
END=1795000000

# A --root tree whose journal holds DNS failures and policy denials (real journal files).
R=$T/root
mkdir -p "$R/var/log/journal/a1b2c3d4e5f60718293a4b5c6d7e8f90" "$R/etc/onboarding-agent" "$R/etc/systemd/system"
mkjournal mixed 200 $END "$T/jd"
cp "$T/jd/remote.journal" "$R/var/log/journal/a1b2c3d4e5f60718293a4b5c6d7e8f90/system.journal"
echo "tree-host" >"$R/etc/hostname"
printf 'kind: OnboardingConfiguration\nonboardingEndpoint:\n  host: onboarding.example.invalid\nworkloadGroup: {namespace: ns, name: wg}\n' \
	>"$R/etc/onboarding-agent/onboarding.config.yaml"
printf '[Service]\nExecStart=/usr/bin/onboarding-agent\n' >"$R/etc/systemd/system/$U"
printf 'nameserver 10.255.255.53\n' >"$R/etc/resolv.conf"
mkdir -p "$T/o"
cd "$T/o" || exit 1
# said FILE PHRASE: FILE holds PHRASE, wherever the report's wrapping broke its lines.
said() { tr -s ' \n' '  ' <"$1" | grep -qF -- "$2"; }

# The release layout: the analyzer beside the collector (the build folder).
rc=0; "$COLLECT" --root "$R" -o "$T/o/a.tar.gz" >"$T/a.out" 2>"$T/a.err" || rc=$?
check "--root: exit 0 with the analysis" test "$rc" = 0
check "--root: names the DNS finding" grep -q "The agent cannot resolve the Workload Onboarding Endpoint" "$T/a.err"
check "--root: names the policy finding" grep -q "No OnboardingPolicy allows this workload" "$T/a.err"
check "--root: the DNS remedy" said "$T/a.err" "What to do: Check \`onboardingEndpoint.host\` in \`/etc/onboarding-agent/onboarding.config.yaml\`: it must be the DNS name of"
check "--root: the policy remedy" said "$T/a.err" "What to do: Create an \`OnboardingPolicy\` that allows this workload"
check "--root: 'what we found' after the summary" bash -c "grep -n 'attach this file' '$T/a.err' | head -1 | cut -d: -f1 | xargs -I{} awk 'NR>{} && /What we found:/ {f=1} END {exit !f}' '$T/a.err'"
check "--root: ends with the file to attach" bash -c "tail -1 '$T/a.err' | grep -qx 'If the problem stays, attach this file to your support ticket: $T/o/a.tar.gz'"
check "--root: nothing on stdout" test ! -s "$T/a.out"
check "--root: no colour when stderr is not a terminal" bash -c "! grep -q \$'\\x1b' '$T/a.err'"
check "--root: the bundle is the analyzer's input, analyzed alike" bash -c "'$ANALYZE' -f text --fail-on none '$T/o/a.tar.gz' | grep -q 'No OnboardingPolicy allows'"

# --no-analyze, -q: the collector's output as before.
rc=0; "$COLLECT" --root "$R" --no-analyze -o "$T/o/b.tar.gz" 2>"$T/b.err" || rc=$?
check "--no-analyze: exit 0" test "$rc" = 0
check "--no-analyze: no finding printed" bash -c "! grep -qE 'What we found|What to do|cannot resolve|If the problem stays' '$T/b.err'"
check "--no-analyze: the summary ends as before" bash -c "tail -1 '$T/b.err' | grep -q '^triage-collect: attach this file to your support ticket: '"
rc=0; "$COLLECT" -q --root "$R" -o "$T/o/c.tar.gz" 2>"$T/c.err" || rc=$?
check "-q: exit 0, nothing printed" bash -c "[ $rc = 0 ] && [ ! -s '$T/c.err' ]"
rc=0; "$COLLECT" -q --analyze --root "$R" -o "$T/o/d.tar.gz" 2>"$T/d.err" || rc=$?
check "-q --analyze: the findings all the same" bash -c "[ $rc = 0 ] && grep -q 'What we found:' '$T/d.err'"
expect_status "--analyze -o -: usage error" 2 "$COLLECT" --analyze --root "$R" -o -
mkfifo "$T/fifo"
timeout 20 cat "$T/fifo" >"$T/fifo.got" &
expect_status "--analyze -o FIFO: usage error, before anything is written" 2 timeout 20 "$COLLECT" --analyze --root "$R" -o "$T/fifo"
wait
check "--analyze -o FIFO: nothing went down the pipe" test ! -s "$T/fifo.got"
# -o -: the bundle alone on standard output, no analysis on either stream.
rc=0; "$COLLECT" --root "$R" -o - >"$T/n.out" 2>"$T/n.err" || rc=$?
check "-o -: exit 0, no analysis printed" bash -c "[ $rc = 0 ] && ! grep -qE 'What we found|If the problem stays' '$T/n.err' '$T/n.out'"
if [ -s "$T/n.out" ]; then
	check "-o -: standard output is the bundle and nothing else" bash -c "gzip -t '$T/n.out' && tar tzf '$T/n.out' | grep -q manifest.json"
fi

# In a Chinese locale the collector and the analyzer both speak Chinese.
rc=0; LANG=zh_CN.UTF-8 "$COLLECT" --root "$R" -o "$T/o/zh.tar.gz" 2>"$T/zh.err" || rc=$?
# (the wording is po/zh_CN.po's: checked as Chinese, not word for word)
check "zh: the findings in Chinese, no English labels" bash -c "[ $rc = 0 ] && grep -qP '[\\x{4e00}-\\x{9fff}]' '$T/zh.err' && ! grep -qE 'What we found|What to do|No OnboardingPolicy allows' '$T/zh.err' && grep -q 'onboarding-policy-denied' '$T/zh.err'"
check "zh: ends with the file to attach, in Chinese" bash -c "tail -1 '$T/zh.err' | grep -P '[\\x{4e00}-\\x{9fff}]' | grep -qF '$T/o/zh.tar.gz' && ! tail -1 '$T/zh.err' | grep -q 'If the problem stays'"

# The collector shipped alone: no analyzer beside it nor on PATH.
mkdir -p "$T/alone" "$T/emptybin"
cp "$COLLECT" "$T/alone/triage-collect"
rc=0; PATH=$T/emptybin "$T/alone/triage-collect" --root "$R" -o "$T/o/e.tar.gz" 2>"$T/e.err" || rc=$?
check "alone: exit 0, bundle written" bash -c "[ $rc = 0 ] && [ -s '$T/o/e.tar.gz' ]"
check "alone: no finding printed" bash -c "! grep -qE 'What we found|What to do|If the problem stays|triage-analyze' '$T/e.err'"
check "alone: same summary as --no-analyze" bash -c "diff <(grep -v -e 'wrote ' -e 'attach this' '$T/b.err') <(grep -v -e 'wrote ' -e 'attach this' '$T/e.err')"
rc=0; PATH=$T/emptybin "$T/alone/triage-collect" --analyze --root "$R" -o "$T/o/f.tar.gz" 2>"$T/f.err" || rc=$?
check "alone --analyze: exit 1, one line, no bundle" bash -c "[ $rc = 1 ] && [ \$(wc -l <'$T/f.err') = 1 ] && grep -q 'no triage-analyze beside this program or on PATH' '$T/f.err' && [ ! -e '$T/o/f.tar.gz' ]"
# ... but found on PATH.
rc=0; PATH=$T/emptybin:$(dirname "$ANALYZE") "$T/alone/triage-collect" --root "$R" -o "$T/o/g.tar.gz" 2>"$T/g.err" || rc=$?
check "alone, analyzer on PATH: findings shown" bash -c "[ $rc = 0 ] && grep -q 'No OnboardingPolicy allows this workload' '$T/g.err'"
# A relative PATH entry is never searched (the collector often runs as root).
mkdir -p "$T/o/rel"; cp "$ANALYZE" "$T/o/rel/triage-analyze"
rc=0; PATH=rel "$T/alone/triage-collect" --root "$R" -o "$T/o/h.tar.gz" 2>"$T/h.err" || rc=$?
check "alone, relative PATH entry: not used" bash -c "[ $rc = 0 ] && ! grep -q 'What we found' '$T/h.err'"

# Analyzers that misbehave: the bundle and the exit status stay, one line says why.
mkdir -p "$T/bad"
cp "$COLLECT" "$T/bad/triage-collect"
printf '#!/bin/sh\necho "triage-analyze: $*: something is wrong" >&2\nexit 2\n' >"$T/bad/triage-analyze"
chmod +x "$T/bad/triage-analyze"
rc=0; PATH=$T/emptybin "$T/bad/triage-collect" --root "$R" -o "$T/o/i.tar.gz" 2>"$T/i.err" || rc=$?
check "failing analyzer: exit 0, its reason in one line" bash -c "[ $rc = 0 ] && grep -q 'could not analyze the bundle: -f text --fail-on none --color=never -- $T/o/i.tar.gz: something is wrong' '$T/i.err'"
printf '#!/bin/sh\nexec /usr/bin/yes\n' >"$T/bad/triage-analyze"
rc=0; PATH=$T/emptybin "$T/bad/triage-collect" --root "$R" -o "$T/o/y.tar.gz" 2>"$T/y.err" || rc=$?
check "flooding analyzer: stopped after 4 MiB, one line, exit 0" bash -c "[ $rc = 0 ] && grep -q 'its report passed 4 MiB; stopped' '$T/y.err' && [ \$(wc -c <'$T/y.err') -lt 10000 ]"
printf '#!/bin/sh\nexec /bin/sleep 31.7\n' >"$T/bad/triage-analyze"
start=$(date +%s)
rc=0; TRIAGE_TEST_ANALYZE_TIMEOUT=1 PATH=$T/emptybin "$T/bad/triage-collect" --root "$R" -o "$T/o/j.tar.gz" 2>"$T/j.err" || rc=$?
check "hanging analyzer: stopped at the limit, exit 0" bash -c "[ $rc = 0 ] && [ \$(( \$(date +%s) - $start )) -lt 10 ] && grep -q 'took longer than 1 s' '$T/j.err'"
check "hanging analyzer: no process left" bash -c "! pgrep -f '^/bin/sleep 31.7' >/dev/null"
printf '#!/bin/sh\nprintf "\\033]0;title\\007\\033[2J\\033[1mok\\033[0m \\302\\233 \\342\\200\\256x\\n"\n' >"$T/bad/triage-analyze"
rc=0; PATH=$T/emptybin "$T/bad/triage-collect" --root "$R" -o "$T/o/k.tar.gz" 2>"$T/k.err" || rc=$?
check "analyzer printing controls: only SGR styles pass" bash -c "[ $rc = 0 ] && grep -qF '\\x1b]0;title\\x07\\x1b[2J' '$T/k.err' && grep -qF '\\u009b \\u202ex' '$T/k.err' && [ \$(grep -c \$'\\x1b' '$T/k.err') = 1 ]"

# On a terminal: colour, wrapped to its width; NO_COLOR turns colour off.
if command -v script >/dev/null; then
	script -qec "stty cols 60; '$COLLECT' --root '$R' -o '$T/o/l.tar.gz'" /dev/null >"$T/l.tty" 2>&1
	check "tty: coloured severity" grep -qF $'\x1b[1;31mCRITICAL' "$T/l.tty"
	check "tty: wrapped to 60 columns" bash -c "sed -n '/What we found/,\$p' '$T/l.tty' | sed 's/\\x1b\\[[0-9;]*m//g; s/\\r\$//' | awk 'length > 60 && !/If the problem stays/ {bad=1} END {exit bad}'"
	NO_COLOR=1 script -qec "'$COLLECT' --root '$R' -o '$T/o/m.tar.gz'" /dev/null >"$T/m.tty" 2>&1
	check "tty with NO_COLOR: findings, no colour" bash -c "grep -q 'What we found' '$T/m.tty' && ! grep -qF \$'\\x1b[1;31m' '$T/m.tty'"
	# The analyzer itself on a terminal: its width (TIOCGWINSZ, over COLUMNS), colour unless NO_COLOR;
	# piped: COLUMNS, plain.
	script -qec "stty cols 50; COLUMNS=120 '$ANALYZE' -f text --fail-on none '$T/o/a.tar.gz'" /dev/null >"$T/an.tty" 2>&1
	check "analyzer on a tty: coloured, 50 columns from the terminal" bash -c "grep -qF \$'\\x1b[1;31mCRITICAL' '$T/an.tty' &&
		sed 's/\\x1b\\[[0-9;]*m//g; s/\\r\$//' '$T/an.tty' | awk 'length > 50 {bad=1} END {exit bad}' &&
		sed 's/\\x1b\\[[0-9;]*m//g; s/\\r\$//' '$T/an.tty' | awk 'length > 45 {n++} END {exit !n}'"
	NO_COLOR=1 script -qec "'$ANALYZE' -f text --fail-on none '$T/o/a.tar.gz'" /dev/null >"$T/an2.tty" 2>&1
	check "analyzer on a tty with NO_COLOR: plain" bash -c "grep -q 'What we found' '$T/an2.tty' && ! grep -q \$'\\x1b' '$T/an2.tty'"
	expect_run "analyzer piped (--fail-on none)" 0 "$T/an.pipe" env COLUMNS=100 "$ANALYZE" -f text --fail-on none "$T/o/a.tar.gz"
	check "analyzer piped: COLUMNS=100, plain" bash -c "! grep -q \$'\\x1b' '$T/an.pipe' && awk 'length > 100 {bad=1} END {exit bad}' '$T/an.pipe' && awk 'length > 90 {n++} END {exit !n}' '$T/an.pipe'"
else
	fail "tty checks" "script(1) is missing (util-linux)"
fi
finish
