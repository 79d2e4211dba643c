#!/usr/bin/env bash
# tests/integration/test-truth-told.sh: what the user is told (issue 12 item 9): entries withheld by
# the leak check are counted in the report and on stderr without -v; the advice matches the run; a
# 250-character host name does not make the HTML page scroll sideways (headless Chromium); the HTML
# header names the bundle's file, not the analyst's folders.
source "$(dirname "$0")/../lib.sh"
BC="$PY $TOP/tests/nspawn/bundle-check.py"
U=onboarding-agent.service
cd "$T" || exit 1

# ---- withheld by the leak check: an AWS key id in SYSLOG_IDENTIFIER (a field the redactor leaves
# alone) is caught by the final check and the entry withheld; the count is said.
$PY - "$T/wj.export" <<'PYEOF'
import sys
ents = []
for i, ident in enumerate(["onboarding-agent", "AKIAIOSFODNN7EXAMPLE", "onboarding-agent"]):
    ents.append("__CURSOR=s=abc;i=%d\n__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n"
                "_BOOT_ID=0f1e2d3c4b5a69788796a5b4c3d2e1f0\n_SYSTEMD_UNIT=onboarding-agent.service\n"
                "SYSLOG_IDENTIFIER=%s\nPRIORITY=6\nMESSAGE=info\tagent\tline %d\n"
                % (i + 1, (1795000000 + i) * 10**6, (i + 1) * 10**6, ident, i))
open(sys.argv[1], "w").write("\n".join(ents) + "\n")
PYEOF
mkdir -p "$T/wj"
REMOTE=/lib/systemd/systemd-journal-remote; [ -x "$REMOTE" ] || REMOTE=/usr/lib/systemd/systemd-journal-remote
"$REMOTE" --output="$T/wj/remote.journal" "$T/wj.export" 2>/dev/null
"$COLLECT" --journal-dir "$T/wj" --no-probe -o "$T/wh.tar.gz" >/dev/null 2>"$T/wh.err" || fail "collect" "exit $?"
check "withheld: the manifest counts 1 withheld entry" sh -c "$BC get '$T/wh.tar.gz' 'src(\"journal/$U\")[\"withheld\"]' | grep -qx 1"
check "withheld: stderr says how many and from which source, without -v" grep -q "journal/$U: 1 entry withheld by the leak check" "$T/wh.err"
check "withheld: the key itself is not in the bundle" $BC absent "$T/wh.tar.gz" AKIAIOSFODNN7EXAMPLE
# This test host has no agent config: onboarding-config-missing (critical), exit 1, here and below.
expect_run "withheld: analyze -f json" 1 "$T/wh.json" "$ANALYZE" -f json "$T/wh.tar.gz"
check "withheld: the JSON report's notes say how many and from which source" $PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if any(n.startswith("journal/onboarding-agent.service: 1 entry withheld by the collector") for n in r["notes"]) else 1)' "$T/wh.json"
expect_run "withheld: analyze (markdown)" 1 "$T/wh.md" "$ANALYZE" "$T/wh.tar.gz"
check "withheld: the markdown report says it" grep -q "withheld by the collector's leak check" "$T/wh.md"

mkjournal mixed 300 1795000000 "$T/jd"
"$COLLECT" --journal-dir "$T/jd" --no-probe -o "$T/b.tar.gz" >/dev/null 2>"$T/b.err" || fail "collect" "exit $?"
mkdir "$T/w" && tar -xzf "$T/b.tar.gz" -C "$T/w"
top=$(ls "$T/w")
$PY - "$T/w/$top/manifest.json" "$U" <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1]))
for s in m["sources"]:
    if s["name"] == "journal/" + sys.argv[2]:
        s["withheld"] = 3
json.dump(m, open(sys.argv[1], "w"), indent=2)
PYEOF
expect_run "withheld: analyze the edited folder" 1 "$T/w.json" "$ANALYZE" -f json "$T/w"
check "withheld: a recorded count of 3 is in the report's notes, with its source" $PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if any(n.startswith("journal/onboarding-agent.service: 3 entries withheld") for n in r["notes"]) else 1)' "$T/w.json"

# ---- the advice matches the run: no "pass its logs with --log-file" when --log-file was given
printf '2026-11-26T05:00:00Z info agent starting\n' >"$T/agent.log"
expect_run "advice: collect with --log-file" 0 /dev/null "$COLLECT" --log-file "$T/agent.log" --no-probe -o "$T/lf.tar.gz"
cp "$T/.err" "$T/lf.err"
check "advice: --log-file given, not advised" sh -c "! grep -q 'pass its logs with --log-file' '$T/lf.err' && ! $BC get '$T/lf.tar.gz' 'json.dumps(m)' | grep -q 'pass its logs with --log-file'"
expect_run "advice: analyze the --log-file bundle" 1 "$T/lf.md" "$ANALYZE" "$T/lf.tar.gz"
check "advice: the report does not advise --log-file either" sh -c "! grep -q 'pass its logs with --log-file\|pass it with --log-file' '$T/lf.md'"
expect_run "advice: collect without --log-file (unread sources are the manifest's, not the run's)" 0 /dev/null "$COLLECT" --no-probe -o "$T/nolf.tar.gz"
cp "$T/.err" "$T/nolf.err"
check "advice: without --log-file (no systemd here) it is advised" grep -q -- "--log-file" "$T/nolf.err"

# ---- the HTML header: the bundle's file name; a 250-character host name wraps
LONG=$($PY -c 'print("h" + "x" * 248 + "z")')
$PY - "$T/w/$top/manifest.json" "$LONG" <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["host"]["hostname"] = sys.argv[2]
json.dump(m, open(sys.argv[1], "w"), indent=2)
PYEOF
expect_run "html: analyze the long host name's folder" 1 /dev/null "$ANALYZE" -f html -o "$T/long.html" "$T/w"
expect_run "html: analyze b.tar.gz by its absolute path" 1 /dev/null "$ANALYZE" -f html -o "$T/abs.html" "$T/b.tar.gz"
check "html: the header names the bundle's file, not its folder" sh -c "grep -q '<b class=\"mono\">b.tar.gz</b>' '$T/abs.html' && ! grep -q '$T/b.tar.gz' '$T/abs.html'"
if command -v chromium >/dev/null; then
	# The report forbids scripts (CSP): a copy without the policy measures itself.
	sed -e 's/<meta http-equiv="Content-Security-Policy"[^>]*>//' \
	    -e 's#</body>#<script>document.body.setAttribute("data-fit", document.documentElement.scrollWidth + " " + window.innerWidth)</script></body>#' \
	    "$T/long.html" >"$T/long-measure.html"
	for w in 1280 800; do
		timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
			--user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" --window-size=$w,900 --dump-dom "file://$T/long-measure.html" \
			>"$T/long-$w.dom" 2>/dev/null
		fit=$(sed -n 's/.*data-fit="\([0-9]*\) \([0-9]*\)".*/\1 \2/p' "$T/long-$w.dom" | head -1)
		set -- $fit
		if [ -n "${1:-}" ] && [ "$1" -le "$2" ]; then pass "html: 250-character host name, $w px wide: no sideways scroll ($1 <= $2)"
		else fail "html: 250-character host name, $w px wide: no sideways scroll" "scrollWidth/innerWidth: '${fit:-none}'"; fi
	done
else
	fail "chromium is installed" "run make deps"
fi
finish
