#!/usr/bin/env bash
# tests/golden/test-msg.sh: the analyzer's one message function (common/msg.c, issue 13): every
# diagnostic is one line "triage-analyze: FILE[:LINE:COL]: text", a path or value with control
# bytes shows them escaped, and an error makes the exit status 2 whichever stage said it.
. "$(dirname "$0")/../lib.sh"
S=$TOP/samples

# run NAME ARGS...: stdout, stderr and exit status into $T/NAME.{out,err,rc}.
run() {
	local n=$1; shift
	local rc=0
	"$ANALYZE" "$@" >"$T/$n.out" 2>"$T/$n.err" || rc=$?
	echo "$rc" >"$T/$n.rc"
}
# one_line NAME WANT_RC PREFIX: exit WANT_RC, one stderr line starting with PREFIX, no report.
one_line() {
	local n=$1 want=$2 prefix=$3
	if [ "$(cat "$T/$n.rc")" != "$want" ]; then fail "$n: exit $want" "exit $(cat "$T/$n.rc"): $(head -c 300 "$T/$n.err")"
	elif [ "$(wc -l <"$T/$n.err")" != 1 ]; then fail "$n: one line on stderr" "$(head -c 400 "$T/$n.err")"
	elif [[ "$(cat "$T/$n.err")" != "$prefix"* ]]; then fail "$n: stderr starts '$prefix'" "$(head -c 300 "$T/$n.err")"
	elif [ -s "$T/$n.out" ]; then fail "$n: no report" "$(head -c 200 "$T/$n.out")"
	else pass "$n: exit $want, one line '$prefix...'"; fi
}

# One line, the file first, from each stage that can refuse: options, load, suppress, baseline, -o.
run badfmt -f xml "$S/dns-failure.tar.gz"
one_line badfmt 2 "triage-analyze: --format: unknown format 'xml' "
run missing "$T/none.tar.gz"
one_line missing 2 "triage-analyze: $T/none.tar.gz: cannot open: "
printf -- '- rule: endpoint-dns-unresolvable\n  reason: r\n  expires: 2099-13-01\n' >"$T/s.yaml"
run supp --suppress "$T/s.yaml" "$S/dns-failure.tar.gz"
one_line supp 2 "triage-analyze: $T/s.yaml:3:12: expires: a date written YYYY-MM-DD, not '2099-13-01'"
run base --baseline "$T/none.tar.gz" "$S/dns-failure.tar.gz"
one_line base 2 "triage-analyze: $T/none.tar.gz: cannot open: "
run odir -o "$T" "$S/dns-failure.tar.gz"
one_line odir 2 "triage-analyze: $T: is a folder"

# A path inside the text is quoted, as a value is.
run onodir -o "$T/none/r.md" "$S/dns-failure.tar.gz"
one_line onodir 2 "triage-analyze: $T/none/r.md: cannot create a file in '$T/none': "
run otherhost --baseline "$S/dns-failure.tar.gz" "$S/ecs-running.tar.gz"
one_line otherhost 2 "triage-analyze: $S/dns-failure.tar.gz: the baseline is of host 'vm-ratings-01', '$S/ecs-running.tar.gz' of host "
run sumo --summary -o "$S/healthy.tar.gz" "$S/healthy.tar.gz"
one_line sumo 2 "triage-analyze: -o $S/healthy.tar.gz: is an input of the summary ('$S/healthy.tar.gz')"

# Control bytes in a path are escaped on the terminal, wherever the path is printed.
evil="$T/evil"$'\e[2J\a'".tar.gz"
run evil "$evil"
one_line evil 2 "triage-analyze: $T/evil\\x1b[2J\\x07.tar.gz: cannot open: "
check "evil: no raw escape byte on stderr" bash -c "! grep -q \$'\\e' '$T/evil.err'"
cp "$S/dns-failure.tar.gz" "$T/"$'host\e]0;x\a'".tar.gz"
run evilbase --baseline "$T/"$'host\e]0;x\a'".tar.gz" "$S/ecs-running.tar.gz"
one_line evilbase 2 "triage-analyze: $T/host\\x1b]0;x\\x07.tar.gz: the baseline is of host 'vm-ratings-01', "

# Rules that do not load: the first problem and how many more, counted in good English.
rule() { printf '  - id: %s\n    title: t\n    severity: error\n    description: d\n    message: m\n    when:\n      journal: {match: "x("}\n' "$1"; }
{ echo rules:; rule a; rule b; } >"$T/two.yaml"
{ echo rules:; rule a; rule b; rule c; } >"$T/three.yaml"
run two -r "$T/two.yaml" "$S/healthy.tar.gz"
one_line two 2 "triage-analyze: $T/two.yaml:8:27: match: bad regular expression at offset 2: missing closing parenthesis (and 1 more problem: run --check-rules)"
run three -r "$T/three.yaml" "$S/healthy.tar.gz"
one_line three 2 "triage-analyze: $T/three.yaml:8:27: match: bad regular expression at offset 2: missing closing parenthesis (and 2 more problems: run --check-rules)"

# A full standard output is said, not only an exit status.
if [ -w /dev/full ]; then
	rc=0; "$ANALYZE" --list-rules >/dev/full 2>"$T/full.err" || rc=$?
	check "--list-rules onto a full disk: exit 2, one line naming stdout" bash -c \
		"[ $rc = 2 ] && [ \$(wc -l <'$T/full.err') = 1 ] && grep -q '^triage-analyze: stdout: cannot write the list of rules: ' '$T/full.err'"
	rc=0; "$ANALYZE" "$S/healthy.tar.gz" >/dev/full 2>"$T/full.err" || rc=$?
	check "a report onto a full disk: exit 2, one line naming stdout" bash -c \
		"[ $rc = 2 ] && [ \$(wc -l <'$T/full.err') = 1 ] && grep -q '^triage-analyze: stdout: cannot write the report: ' '$T/full.err'"
fi

# -q keeps errors.
run quiet -q -f pdf "$S/dns-failure.tar.gz"
one_line quiet 2 "triage-analyze: --format: unknown format 'pdf'"
finish
