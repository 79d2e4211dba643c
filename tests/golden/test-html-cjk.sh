#!/usr/bin/env bash
# tests/golden/test-html-cjk.sh: the Chinese HTML report renders real CJK glyphs in headless
# Chromium, not tofu.  The proof: with the machine's fonts, two pages that differ only in one CJK
# character (styled by the report's own CSS, lang zh-CN) render differently, and the report's
# heading has ink; with a fontconfig that holds no CJK font the same two pages render identically
# (every character becomes the same missing-glyph box), so the comparison does detect tofu.
# Screenshots are kept in $BUILD/artifacts/ (not committed).
. "$(dirname "$0")/../lib.sh"
if ! command -v chromium >/dev/null; then
	fail "chromium is installed" "run make deps"
	finish
fi
if ! $PY -c 'import PIL' 2>/dev/null; then
	fail "python3-pil is installed" "run make deps"
	finish
fi
mkdir -p "$BUILD/artifacts"
fam=$(fc-match -f '%{family}' 'sans-serif:lang=zh-cn' 2>/dev/null)
check "fontconfig has a CJK font for zh-CN (fonts-noto-cjk): $fam" sh -c "fc-list ':lang=zh-cn' family | grep -q ."

# chrome FONTCONF ARGS...: headless Chromium with that fontconfig file ("" for the system's).
chrome() {
	local fc=$1; shift
	env ${fc:+FONTCONFIG_FILE=$fc} timeout 90 chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync --no-first-run \
		--hide-scrollbars --force-device-scale-factor=1 \
		--user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" "$@" 2>>"$T/chrome.log" >/dev/null
}

# A fontconfig with the Latin fonts only (what a machine without a CJK font has).
mkdir -p "$T/fc-cache"
cat >"$T/no-cjk.conf" <<X
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/liberation</dir>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>$T/fc-cache</cachedir>
</fontconfig>
X
if FONTCONFIG_FILE=$T/no-cjk.conf fc-list ':lang=zh-cn' family | grep -q .; then
	fail "the no-CJK fontconfig has no CJK font"
else
	pass "the no-CJK fontconfig has no CJK font"
fi

bundle=$TOP/samples/dns-failure.tar.gz
[ -e "$bundle" ] || bundle=$(ls "$TOP"/samples/*.tar.gz | head -1)
# 0 or 1 as the sample's findings say (test-golden.sh checks which); 2 would mean no report.
expect_run "--lang zh -f html -o report.html $(basename "$bundle")" "0|1" /dev/null "$ANALYZE" --lang zh -f html -o "$T/report.html" "$bundle"
check "the Chinese report declares lang=zh-CN" grep -q '<html lang="zh-CN">' "$T/report.html"
# Two one-character pages with the report's own <style>.
style=$(sed -n 's/.*\(<style>.*<\/style>\).*/\1/p' "$T/report.html")
for ch in 诊 断; do
	printf '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">%s</head><body><main><h1 style="font-size:160px;margin:0">%s</h1></main></body></html>\n' \
		"$style" "$ch" >"$T/char-$ch.html"
done
for cfg in sys no-cjk; do
	fc=""; [ $cfg = no-cjk ] && fc=$T/no-cjk.conf
	for ch in 诊 断; do
		chrome "$fc" --screenshot="$T/$cfg-$ch.png" --window-size=400,300 "file://$T/char-$ch.html"
	done
	chrome "$fc" --screenshot="$BUILD/artifacts/report-zh-$cfg.png" --window-size=1280,1600 "file://$T/report.html"
done
cp "$T"/sys-*.png "$T"/no-cjk-*.png "$BUILD/artifacts/" 2>/dev/null

# verdict A.png B.png: prints "same" or "differ", and the share of ink pixels of A.
verdict() {
	$PY - "$1" "$2" <<'PY'
import sys
from PIL import Image, ImageChops
a, b = (Image.open(p).convert("RGB") for p in sys.argv[1:3])
same = a.size == b.size and ImageChops.difference(a, b).getbbox() is None
bg = a.getpixel((a.width - 1, a.height - 1))
ink = sum(1 for p in a.getdata() if sum(abs(x - y) for x, y in zip(p, bg)) > 120) / (a.width * a.height)
print("same" if same else "differ", "%.4f" % ink)
PY
}
read -r v ink < <(verdict "$T/sys-诊.png" "$T/sys-断.png")
if [ "$v" = differ ] && awk "BEGIN{exit !($ink > 0.01)}"; then
	pass "with the machine's fonts, 诊 and 断 render as two different glyphs ($ink of the page is ink)"
else
	fail "with the machine's fonts, 诊 and 断 render as two different glyphs" "$v, ink $ink"
fi
read -r v ink < <(verdict "$T/no-cjk-诊.png" "$T/no-cjk-断.png")
if [ "$v" = same ]; then
	pass "without a CJK font, 诊 and 断 render identically (tofu): the comparison detects tofu"
else
	fail "without a CJK font, 诊 and 断 render identically (tofu)" "$v"
fi
# The report itself: its heading region differs between CJK glyphs and tofu.
$PY - "$BUILD/artifacts/report-zh-sys.png" "$BUILD/artifacts/report-zh-no-cjk.png" <<'PY' && pass "the report's Chinese heading renders with CJK glyphs, not the tofu of a machine without the font" || fail "the report's Chinese heading renders with CJK glyphs"
import sys
from PIL import Image, ImageChops
a, b = (Image.open(p).convert("RGB").crop((0, 0, 1280, 120)) for p in sys.argv[1:3])
assert ImageChops.difference(a, b).getbbox() is not None, "same pixels"
PY
finish
