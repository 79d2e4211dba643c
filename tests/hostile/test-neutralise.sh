#!/usr/bin/env bash
# test-neutralise.sh: log lines, unit properties, config values and manifest strings carrying HTML,
# markdown fences and table pipes, javascript: links, ANSI/OSC escapes and bidi overrides come out
# of the markdown, HTML and text reports as text, never as markup or terminal control.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/hostile-lib.sh"

B=$(gen neutralise)
analyzed neutralise-json "$B" -- --finding endpoint-dns-unresolvable --evidence-contains XSS-SCRIPT

for fmt in markdown html; do
	run_analyze "neutralise-$fmt" -f "$fmt" "$B"
	why=$ERRS
	case $RC in 0|1) ;; *) why+="exit $RC; " ;; esac
	if [ ! -s "$S/out/report" ]; then
		fail "neutralise-$fmt" "${why}no report: $(head -c 300 "$S/stderr")"
		continue
	fi
	# The hostile text is there (the check is not vacuous) ...
	for w in XSS-SCRIPT XSS-IMG XSS-JSLINK INJECTED-HEADING ANSI-RED OSC-LINK EDIR-ODIB; do
		grep -q -- "$w" "$S/out/report" || why+="$w is missing from the report; "
	done
	# ... and only as text.
	if ! out=$("${CHECK[@]}" "$fmt" "$S/out/report"); then
		why+="$(printf '%s' "$out" | head -n 6 | tr '\n' ' ')"; fi
	if [ -z "$why" ]; then pass "neutralise-$fmt"; else fail "neutralise-$fmt" "$why"; fi
	cp "$S/out/report" "$T/report.$fmt"
done

# The terminal report, plain and coloured, at 80 and at 30 columns: no control but newline, only the
# report's own styles, no line wider than asked (by display width).
for mode in text text-color; do
	for w in 80 30; do
		COLUMNS=$w run_analyze "neutralise-$mode-$w" -f text --color=$([ $mode = text ] && echo never || echo always) "$B"
		why=$ERRS
		case $RC in 0|1) ;; *) why+="exit $RC; " ;; esac
		for k in XSS-SCRIPT ANSI-RED OSC-LINK EDIR-ODIB; do
			grep -q -- "$k" "$S/out/report" || why+="$k is missing from the report; "
		done
		if ! out=$("${CHECK[@]}" "$mode" "$S/out/report" "$w"); then why+="$(printf '%s' "$out" | head -n 4 | tr '\n' ' ')"; fi
		if [ -z "$why" ]; then pass "neutralise-$mode-$w"; else fail "neutralise-$mode-$w" "$why"; fi
	done
done

# A rule whose message is a capture of the whole line: the line must not start a heading,
# list, quote, fence, HTML block or table row when the message begins a paragraph.
r=$(gen rules-echo)
run_analyze neutralise-echo -f markdown -r "$r" "$(gen echo-bundle)"
why=$ERRS
case $RC in 0|1) ;; *) why+="exit $RC; " ;; esac
n=$(grep -c 'INJECTED-' "$S/out/report" 2>/dev/null)
[ "${n:-0}" -ge 9 ] || why+="only ${n:-0} INJECTED lines in the report; "
if ! out=$("${CHECK[@]}" markdown "$S/out/report"); then why+="$(printf '%s' "$out" | head -n 6 | tr '\n' ' ')"; fi
if [ -z "$why" ]; then pass "neutralise-echo"; else fail "neutralise-echo" "$why"; fi

# The same report on stdout (no -o) is the same bytes.
rc=0; (cd "$T" && "$ANALYZE" -f markdown "$B" >"$T/stdout.md" 2>/dev/null) || rc=$?
if [ -f "$T/report.markdown" ] && cmp -s "$T/stdout.md" "$T/report.markdown"; then
	pass "neutralise-stdout"; else fail "neutralise-stdout" "markdown on stdout differs from -o (exit $rc)"; fi
finish
