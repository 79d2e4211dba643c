#!/usr/bin/env bash
# tests/redact/test-redteam.sh: gen-redteam.py's forms through every input of the real triage-collect
# (--root trees with journal files from systemd-journal-remote, --log-file in four formats, --ecs-json);
# no planted value in any encoding in any bundle file (manifest included), every needed value kept, every
# JSON file still JSON.  Forms in gen-redteam.py KNOWN_GAPS are reported, not gated.
source "$(dirname "$0")/../lib.sh"
GEN=$TOP/tests/redact/gen-redteam.py
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=/usr/lib/systemd/systemd-journal-remote

if [ ! -x "$COLLECT" ]; then
	fail "collector" "$COLLECT not built"
	finish
fi
forms=0 kinds=0 leaked=0 lost=0 gaps=0 gapleaked=0
for kind in ${REDTEAM_KINDS:-$($PY "$GEN" kinds)}; do
	d=$T/$kind
	mkdir -p "$d"
	$PY "$GEN" plant "$kind" "$d" >/dev/null || { fail "plant $kind" "generator failed"; continue; }
	ok=1
	while read -r name export args; do
		if [ "$export" != - ]; then
			mkdir -p "$d/$name.journal"
			"$remote" --output="$d/$name.journal/remote.journal" "$d/$export" 2>"$d/$name.remote.err" ||
				{ fail "journal $kind $name" "$(head -c 200 "$d/$name.remote.err")"; ok=0; continue; }
		fi
		mkdir -p "$d/x-$name"
		# shellcheck disable=SC2086 # args are paths without blanks, written by the generator
		if ! "$COLLECT" $args --no-probe --no-analyze -q -o "$d/$name.tar.gz" 2>"$d/$name.err"; then
			fail "collect $kind $name" "$(head -c 300 "$d/$name.err" | tr '\n' ' ')"
			ok=0
			continue
		fi
		tar -xzf "$d/$name.tar.gz" -C "$d/x-$name" || { fail "extract $kind $name" "tar failed"; ok=0; }
	done <"$d/runs"
	$PY "$GEN" check "$kind" "$d" >"$d/result"
	read -r _ nf _ nl _ nm _ ng _ ngl <"$d/result"
	forms=$nf kinds=$((kinds + 1)) leaked=$((leaked + nl)) lost=$((lost + nm)) gaps=$ng gapleaked=$((gapleaked + ngl))
	if [ "$nl" = 0 ] && [ "$nm" = 0 ] && [ "$ok" = 1 ]; then
		pass "redteam $kind: $nf forms, nothing leaked, no needed value lost"
	else
		fail "redteam $kind" "$nl leaked, $nm needed values lost or files broken"
		grep -v '^GAP\|^FIXED' "$d/result" | tail -n +2 | head -"${REDTEAM_SHOW:-40}"
	fi
	grep '^FIXED' "$d/result"
	[ -n "${REDTEAM_GAPS:-}" ] && grep '^GAP' "$d/result"
done
echo "SUMMARY: redteam: $((forms + gaps)) forms × $kinds kinds ($forms gated): $leaked leaked, $lost needed values lost"
echo "SUMMARY: redteam known gaps (not gated): $gaps forms × $kinds kinds: $gapleaked leaked or lost (REDTEAM_GAPS=1 lists them)"
finish
