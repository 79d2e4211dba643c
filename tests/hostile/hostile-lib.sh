# tests/hostile/hostile-lib.sh: runs triage-analyze on one hostile input and checks what it did.
# Source after tests/lib.sh.  Every run happens in a scratch working folder, with TMPDIR an
# empty folder and -o into an empty folder, under /usr/bin/time for its peak memory.

HDIR=$TOP/tests/hostile
GEN=(python3 "$HDIR/gen.py")
CHECK=(python3 "$HDIR/check_report.py")
MEM_LIMIT_KB=${MEM_LIMIT_KB:-307200}	# 300 MB peak RSS
GUARD=${GUARD:-600}			# a hang guard, not a timing assertion

# gen CASE [--small]: builds case CASE into $T/in/CASE (once) and prints its path.
gen() {
	local out=$T/in/$1
	mkdir -p "$T/in"
	if [ ! -e "$out" ]; then "${GEN[@]}" ${2:+"$2"} "$1" "$out" >&2 || return 1; fi
	printf '%s\n' "$out"
}

# gen_many CASE...: builds the cases into $T/in/ in one process (faster than one gen each).
gen_many() {
	mkdir -p "$T/in"
	"${GEN[@]}" --many "$T/in" "$@"
}

# run_analyze NAME ARGS...: runs $ANALYZE ARGS with -o $S/out/report, in $S/cwd.
# Sets S (the run's folder), RC, MEM (KiB) and ERRS (problems found by the
# generic checks: a file written anywhere but the report, memory over the limit,
# a sanitizer or signal death).
run_analyze() {
	local name=$1; shift
	S=$T/run/$name
	rm -rf "$S"
	mkdir -p "$S/cwd" "$S/out" "$S/tmp"
	RC=0
	(cd "$S/cwd" && TMPDIR=$S/tmp timeout -k 10 "$GUARD" /usr/bin/time -q -f %M -o "$S/mem" \
		"$ANALYZE" -o "$S/out/report" "$@" >"$S/stdout" 2>"$S/stderr") || RC=$?
	MEM=$(tail -n 1 "$S/mem" 2>/dev/null)
	ERRS=""
	case $RC in
	0|1|2) ;;
	124|137) ERRS+="no exit within the ${GUARD}s hang guard; " ;;
	*) ERRS+="exit $RC; " ;;
	esac
	if [ -n "$(ls -A "$S/cwd")" ]; then ERRS+="wrote into its working folder: $(ls -A "$S/cwd" | head -3 | tr '\n' ' '); "; fi
	if [ -n "$(ls -A "$S/tmp")" ]; then ERRS+="wrote into TMPDIR: $(ls -A "$S/tmp" | head -3 | tr '\n' ' '); "; fi
	if [ -n "$(find "$S/out" -mindepth 1 ! -name report)" ]; then ERRS+="left files beside the report: $(ls -A "$S/out" | tr '\n' ' '); "; fi
	if [ -s "$S/stdout" ]; then ERRS+="printed on stdout despite -o; "; fi
	if grep -qE 'Sanitizer|runtime error:|LeakSanitizer' "$S/stderr"; then
		ERRS+="sanitizer: $(grep -m1 -E 'Sanitizer|runtime error:' "$S/stderr"); "; fi
	case $MEM in
	''|*[!0-9]*) ERRS+="no peak memory measured ($MEM); " ;;
	*) if [ -z "${NO_MEM_LIMIT:-}" ] && [ "$MEM" -gt "$MEM_LIMIT_KB" ]; then
		ERRS+="peak memory ${MEM} KiB over ${MEM_LIMIT_KB} KiB; "; fi ;;
	esac
}

# refused NAME REGEX INPUT [ARGS...]: the input must be refused: exit 2, exactly one
# line on stderr, "triage-analyze: " + the input's path + a reason matching REGEX
# (extended, case-insensitive), and no report.
refused() {
	local name=$1 re=$2 input=$3; shift 3
	run_analyze "$name" "$@" "$input"
	local why=$ERRS lines
	[ "$RC" = 2 ] || why+="exit $RC, wanted 2; "
	lines=$(wc -l <"$S/stderr")
	[ "$lines" = 1 ] || why+="$lines lines on stderr, wanted 1; "
	if ! head -n 1 "$S/stderr" | grep -qF "triage-analyze: $input"; then
		why+="message does not start with 'triage-analyze: $input'; "; fi
	if ! head -n 1 "$S/stderr" | grep -qiE -- "$re"; then why+="reason does not match /$re/; "; fi
	[ -e "$S/out/report" ] && why+="a report was written; "
	if [ -z "$why" ]; then pass "$name (${MEM} KiB)"; else
		fail "$name" "${why}stderr: $(head -c 300 "$S/stderr" | tr '\n' ' ')"; fi
}

# refused_line NAME LINE INPUT [ARGS...]: as refused, but the one line on stderr must be LINE exactly
# (or LINE and " (and N more problems: run --check-rules)" for rules with several).
refused_line() {
	local name=$1 want=$2 input=$3 lines got; shift 3
	run_analyze "$name" "$@" "$input"
	local why=$ERRS
	[ "$RC" = 2 ] || why+="exit $RC, wanted 2; "
	lines=$(wc -l <"$S/stderr")
	[ "$lines" = 1 ] || why+="$lines lines on stderr, wanted 1; "
	got=$(head -n 1 "$S/stderr")
	case $got in "$want"|"$want (and "*" more problem"*": run --check-rules)") ;;
	*) why+="the line is not '$want'; " ;; esac
	[ -e "$S/out/report" ] && why+="a report was written; "
	if [ -z "$why" ]; then pass "$name (${MEM} KiB)"; else
		fail "$name" "${why}stderr: $(head -c 300 "$S/stderr" | tr '\n' ' ')"; fi
}

# analyzed NAME INPUT [ARGS...] -- [CHECKS...]: the input must be analyzed: exit 0 or 1,
# a JSON report that check_report.py accepts with CHECKS (see there).
analyzed() {
	local name=$1 input=$2; shift 2
	local args=() checks=() out why
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	checks=("$@")
	run_analyze "$name" -f json "${args[@]}" "$input"
	why=$ERRS
	case $RC in 0|1) ;; *) why+="exit $RC, wanted 0 or 1; " ;; esac
	if [ ! -s "$S/out/report" ]; then why+="no report; "
	elif ! out=$("${CHECK[@]}" json "$S/out/report" "${checks[@]}"); then
		why+="$(printf '%s' "$out" | head -n 5 | tr '\n' ' '); "; fi
	if [ -z "$why" ]; then pass "$name (exit $RC, ${MEM} KiB)"; else
		fail "$name" "${why}stderr: $(head -c 300 "$S/stderr" | tr '\n' ' ')"; fi
}
