#!/usr/bin/env bash
# tests/golden/test-html-browser.sh: headless Chromium renders the HTML report of a bundle
# (offline, no script); the rendered DOM shows the findings.  A screenshot is kept as an
# artifact in $BUILD/artifacts/ (not committed).
. "$(dirname "$0")/../lib.sh"
# shellcheck source=common.sh
. "$TOP/tests/golden/common.sh"
if ! command -v chromium >/dev/null; then
	fail "chromium is installed" "run make deps"
	finish
fi
build_mkbundle && build_specs || { fail "build the spec bundles"; finish; }
mkdir -p "$BUILD/artifacts"
chrome() {
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" "$@" 2>>"$T/chrome.log"
}
# A sample when there is one, else the spec bundles.
bundles=()
for f in "$TOP"/samples/dns*.tar.gz; do
	[ -e "$f" ] && bundles+=("$f") && break
done
[ ${#bundles[@]} = 0 ] && bundles+=("$T/bundles/dns.tar.gz")
bundles+=("$T/bundles/hostile.tar.gz")
for f in "${bundles[@]}"; do
	name=$(basename "$f" .tar.gz)
	[ "${f#"$TOP"/samples/}" != "$f" ] && name=sample-$name
	# Both bundles have findings at error (their .expected.status): exit 1.
	expect_run "$name: -f html -o" 1 /dev/null "$ANALYZE" -f html -o "$T/$name.html" "$f"
	expect_run "$name: -f json -o" 1 /dev/null "$ANALYZE" -f json -o "$T/$name.json" "$f"
	chrome --dump-dom "file://$T/$name.html" >"$T/$name.dom"
	check "$name: Chromium renders the report" grep -q '<h2 id="findings">Findings</h2>' "$T/$name.dom"
	# Every finding's title and rule id appear in the rendered DOM.
	check "$name: the DOM shows every finding" $PY - "$T/$name.json" "$T/$name.dom" <<'PY'
import html, json, sys
d = json.load(open(sys.argv[1]))
dom = open(sys.argv[2], encoding="utf-8").read()
assert d["findings"], "no findings"
for f in d["findings"]:
    assert f["rule"] in dom, f["rule"]
    assert html.escape(f["title"], quote=False) in dom, f["title"]
PY
	if grep -q '<script' "$T/$name.dom"; then fail "$name: no script in the DOM" "$(grep -o '.\{0,40\}<script.\{0,40\}' "$T/$name.dom" | head -2 | tr '\n' ' ')"; else pass "$name: no script in the DOM"; fi
	chrome --screenshot="$BUILD/artifacts/report-$name.png" --window-size=1280,2000 "file://$T/$name.html" >/dev/null
	check "$name: screenshot kept in $BUILD/artifacts/report-$name.png" test -s "$BUILD/artifacts/report-$name.png"
done
finish
