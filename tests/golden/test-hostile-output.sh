#!/usr/bin/env bash
# tests/golden/test-hostile-output.sh: log text carrying HTML, markdown fences, table pipes,
# javascript: links, ANSI/OSC escapes and bidi overrides shows as text in every report.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=common.sh
. "$TOP/tests/golden/common.sh"
build_mkbundle && build_specs || { fail "build the spec bundles"; finish; }
cd "$T/bundles" || exit 1
# The hostile spec has findings at error (tests/golden/expected/hostile.expected.status): exit 1.
expect_run "analyze hostile.tar.gz (markdown)" 1 "$T/h.md" "$ANALYZE" hostile.tar.gz
expect_run "analyze hostile.tar.gz -f html" 1 "$T/h.html" "$ANALYZE" -f html hostile.tar.gz
expect_run "analyze hostile.tar.gz -f json" 1 "$T/h.json" "$ANALYZE" -f json hostile.tar.gz

check "reports were written" test -s "$T/h.md" -a -s "$T/h.html" -a -s "$T/h.json"
# No raw ESC, BEL, C1 CSI or bidi override byte reaches any report.
for f in h.md h.html h.json; do
	if LC_ALL=C grep -q -P '\x1b|\x07|\xc2\x9b|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$T/$f"; then
		fail "$f holds no terminal escape or bidi control" "found: $(LC_ALL=C grep -n -o -P '.{0,20}(\x1b|\x07|\xc2\x9b|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]).{0,20}' "$T/$f" | head -3 | cat -v | tr '\n' ' ')"
	else
		pass "$f holds no terminal escape or bidi control"
	fi
done
check "markdown shows ESC as the text \\x1b" grep -q 'x1b\[31mred' "$T/h.md"
check "HTML shows the script tag as text" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/h.html"
if grep -q '<script' "$T/h.html"; then fail "HTML has no <script element" "$(grep -n -o '.\{0,40\}<script.\{0,40\}' "$T/h.html" | head -2 | tr '\n' ' ')"; else pass "HTML has no <script element"; fi
if grep -qi 'href="javascript' "$T/h.html"; then fail "HTML has no javascript: link" "$(grep -n -o -i 'href="javascript[^"]\{0,60\}' "$T/h.html" | head -2 | tr '\n' ' ')"; else pass "HTML has no javascript: link"; fi
if grep -q '<b>evil' "$T/h.html"; then fail "the hostname's markup is escaped in HTML" "$(grep -n -o '.\{0,40\}<b>evil.\{0,40\}' "$T/h.html" | head -2 | tr '\n' ' ')"; else pass "the hostname's markup is escaped in HTML"; fi
check "HTML carries the strict CSP" grep -q "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"" "$T/h.html"
if grep -Eq '<(link|img|iframe|object|embed)[ >]|src="http|@import|url\(' "$T/h.html"; then
	fail "HTML fetches nothing external" "$(grep -n -o -E '.{0,30}(<(link|img|iframe|object|embed)[ >]|src="http|@import|url\().{0,30}' "$T/h.html" | head -2 | tr '\n' ' ')"
else
	pass "HTML fetches nothing external"
fi
# Markdown: every fence is longer than any backtick run inside it, so log text cannot close it.
check "markdown fences cannot be closed by log text" python3 - "$T/h.md" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
i = 0
fences = 0
while i < len(lines):
    m = re.match(r"^(`{3,})(.*)$", lines[i])
    if m:
        fence = m.group(1)
        j = i + 1
        while j < len(lines) and lines[j] != fence:
            runs = re.findall(r"`+", lines[j])
            assert all(len(r) < len(fence) for r in runs), lines[j]
            j += 1
        assert j < len(lines), "unclosed fence"
        fences += 1
        i = j + 1
    else:
        # Outside fences, no raw HTML tag, no unescaped link, no table-breaking pipe in text.
        assert "<script" not in lines[i] and "<b>" not in lines[i], lines[i]
        assert "](javascript" not in lines[i], lines[i]
        i += 1
assert fences >= 3
PY
check "markdown escapes the hostname's pipe and markup" grep -q '^# Triage report: \\<b\\>evil\\</b\\>\\|host\\`$' "$T/h.md"
check "JSON is valid and keeps the text" python3 - "$T/h.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
texts = [e["text"] for f in d["findings"] for e in f["evidence"]]
assert any("<script>alert(1)</script>" in t for t in texts)
assert any("\\x1b[31mred" in t for t in texts)
assert any("\\u202egnp.exe" in t for t in texts)
# the byte-array MESSAGE was decoded and matched, invalid bytes shown as U+FFFD
assert any("\ufffd\ufffd binary dial tcp" in t for t in texts)
PY
finish
