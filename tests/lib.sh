# tests/lib.sh: helpers for the shell suites.  Source it; it sets TOP, BUILD,
# COLLECT, ANALYZE and a scratch folder T (removed at exit).  Each check prints
# "PASS: name" or "FAIL: name: why"; tests/run-all.sh counts those lines.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
COLLECT=${COLLECT:-$BUILD/triage-collect}
ANALYZE=${ANALYZE:-$BUILD/triage-analyze}
T=$(mktemp -d "${TMPDIR:-/tmp}/triage-test.XXXXXX")
# The programs speak the environment's language (i18n.h): the suites expect English unless they ask.
unset LANGUAGE LC_MESSAGES
[ -n "${LC_ALL:-}" ] && export LC_ALL=C.UTF-8
export LANG=C.UTF-8
_t_failed=0
_t_cleanups=()
_t_exit() {
	local c
	# Each cleanup runs whatever the one before did; a failure is said on stderr but does not change the
	# suite's status (the checks have run; a container already gone fails to power off harmlessly).
	for c in "${_t_cleanups[@]}"; do eval "$c" || echo "cleanup '$c' failed (exit $?)" >&2; done
	rm -rf "$T"
}
trap _t_exit EXIT

# at_exit CMD: run CMD when the script ends (container power-off, ...).
at_exit() { _t_cleanups+=("$1"); }

# The system's python3 (a version manager's shim can cost a second per call).
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

# mkjournal KIND N END DIR: real journal files in DIR (DIR/remote.journal), written by
# systemd-journal-remote from tests/nspawn/gen-export.py's export text.
mkjournal() {
	local remote=/lib/systemd/systemd-journal-remote
	[ -x "$remote" ] || remote=/usr/lib/systemd/systemd-journal-remote
	mkdir -p "$4"
	$PY "$TOP/tests/nspawn/gen-export.py" "$1" "$2" "$3" >"$T/.mkjournal.export"
	"$remote" --output="$4/remote.journal" "$T/.mkjournal.export" 2>/dev/null
	rm -f "$T/.mkjournal.export"
}

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-failed}"; _t_failed=$((_t_failed + 1)); }

# check NAME CMD...: passes when CMD exits 0; a failure names the command, its status and the end of
# its output (an assertion's message), so that it says which condition failed.
check() {
	local name=$1; shift
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" = 0 ]; then pass "$name"; else
		fail "$name" "exit $rc from: $(printf '%s' "$*" | head -c 300 | tr '\n' ' ')${out:+ -- }$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"; fi
}

# expect_status NAME WANT CMD...: passes when CMD exits with WANT.
expect_status() {
	local name=$1 want=$2; shift 2
	local rc=0
	"$@" >"$T/.out" 2>"$T/.err" || rc=$?
	if [ "$rc" = "$want" ]; then pass "$name"; else
		fail "$name" "exit $rc, wanted $want: $(head -c 300 "$T/.err" | tr '\n' ' ')"; fi
}

# expect_run NAME WANT OUT CMD...: runs CMD, its standard output into OUT and its standard error into
# $T/.err; passes when it exits with WANT ("0|1": either), else fails naming the status and stderr.
# For a command whose report later checks read: its exit status is asserted, not ignored.
expect_run() {
	local name=$1 want=$2 out=$3 rc=0; shift 3
	"$@" >"$out" 2>"$T/.err" || rc=$?
	case "|$want|" in
	*"|$rc|"*) pass "$name (exit $rc)" ;;
	*) fail "$name" "exit $rc, wanted $want: $(head -c 300 "$T/.err" | tr '\n' ' ')" ;;
	esac
}

# Ends the script: status 1 if any check failed.
finish() { exit $(( _t_failed > 0 ? 1 : 0 )); }
