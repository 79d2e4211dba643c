#!/usr/bin/env bash
# tests/redact/test-corpus.sh: gen-corpus.py's forms × kinds through the real triage-collect (--root tree,
# journal files from systemd-journal-remote); no planted value in any encoding, every needed value kept.
source "$(dirname "$0")/../lib.sh"
GEN=$TOP/tests/redact/gen-corpus.py
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=/usr/lib/systemd/systemd-journal-remote

if [ ! -x "$COLLECT" ]; then
	fail "collector" "$COLLECT not built"
	finish
fi
forms=0 kinds=0 leaked=0 lost=0 gaps=0 gapleaked=0
for kind in ${CORPUS_KINDS:-$($PY "$GEN" kinds)}; do
	d=$T/$kind
	mkdir -p "$d/root" "$d/journal" "$d/x"
	n=$($PY "$GEN" plant "$kind" "$d/root" "$d/export") || { fail "plant $kind" "generator failed"; continue; }
	"$remote" --output="$d/journal/remote.journal" "$d/export" 2>"$d/remote.err" ||
		{ fail "journal $kind" "$(head -c 200 "$d/remote.err")"; continue; }
	if ! "$COLLECT" --root "$d/root" --journal-dir "$d/journal" --no-probe -q -o "$d/b.tar.gz" 2>"$d/err"; then
		fail "collect $kind" "$(head -c 300 "$d/err" | tr '\n' ' ')"
		continue
	fi
	tar -xzf "$d/b.tar.gz" -C "$d/x" || { fail "extract $kind" "tar failed"; continue; }
	$PY "$GEN" check "$kind" "$d/x" >"$d/result"
	read -r _ nf _ nl _ nm _ ng _ ngl <"$d/result"
	forms=$nf kinds=$((kinds + 1)) leaked=$((leaked + nl)) lost=$((lost + nm)) gaps=$ng gapleaked=$((gapleaked + ngl))
	if [ "$nl" = 0 ] && [ "$nm" = 0 ]; then
		pass "$kind: $nf forms, nothing leaked, no needed value lost"
	else
		fail "$kind" "$nl leaked, $nm needed values lost"
		grep -v '^GAP' "$d/result" | tail -n +2 | head -"${CORPUS_SHOW:-40}"
	fi
	[ -n "${CORPUS_GAPS:-}" ] && grep '^GAP' "$d/result"
done
echo "SUMMARY: $forms forms × $kinds kinds: $leaked leaked, $lost needed values lost"
# not gated: journal free-text forms the pattern rules do not cover yet (gen-corpus.py KNOWN_GAPS)
echo "SUMMARY: known gaps (journal free text, not gated): $gaps forms × $kinds kinds: $gapleaked leaked (CORPUS_GAPS=1 lists them)"
if [ "$forms" -ge 400 ] && [ "$kinds" -ge 6 ]; then pass "corpus size $forms × $kinds"; else
	fail "corpus size" "$forms × $kinds, wanted at least 400 × 6"; fi

# The analyzer's bundle-contains-secret sees what a bundle holds: a journal value written as a byte
# array (colour codes, CR) and a UTF-16 file, each with a secret pattern inside.
if [ -x "$ANALYZE" ]; then
	mkdir -p "$T/ab/journal" "$T/ab/config/etc/onboarding-agent"
	$PY - "$T/ab" <<'PYEOF'
import sys
d = sys.argv[1]
msg = b"\x1b[31merror\x1b[0m password=hunter2Xyz9Qq\r"
line = ('{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1795507200000000","_SYSTEMD_UNIT":"onboarding-agent.service",'
        '"PRIORITY":"3","MESSAGE":[' + ",".join(str(b) for b in msg) + ']}\n')
open(d + "/journal/onboarding-agent.service.jsonl", "w").write(line)
open(d + "/config/etc/onboarding-agent/x.yaml", "wb").write(b"\xff\xfe" + "apiKey: hunter3Xyz9Qq0\n".encode("utf-16-le"))
PYEOF
	$PY "$TOP/tests/hostile/mkbundle.py" "$T/ab.tar.gz" --dir "$T/ab"
	# --fail-on none: exit 0 whatever the findings (the leak check's are the point).
	expect_run "analyzer: the byte-array and UTF-16 bundle is read (--fail-on none)" 0 "$T/ab.json" "$ANALYZE" -f json --fail-on none "$T/ab.tar.gz"
	check "analyzer: a secret in a journal byte array is found" grep -q '"source": "journal/onboarding-agent.service.jsonl"' "$T/ab.json"
	check "analyzer: a secret in a UTF-16 file is found" grep -q '"source": "config/etc/onboarding-agent/x.yaml"' "$T/ab.json"
fi
finish
