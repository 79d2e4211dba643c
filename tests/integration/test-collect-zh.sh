#!/usr/bin/env bash
# test-collect-zh.sh: under a Chinese locale triage-collect prints its progress and summary in
# Chinese, from the catalog built into the binary (a copy run alone, with no other file, still
# does), while the bundle it writes stays English; other locales keep the English lines.
source "$(dirname "$0")/../lib.sh"

root=$T/root
mkdir -p "$root/etc/onboarding-agent" "$T/out" "$T/alone"
cat >"$root/etc/onboarding-agent/onboarding.config.yaml" <<'Y'
kind: OnboardingConfiguration
onboardingEndpoint:
  host: onboarding.example.invalid
workloadGroup: {namespace: demo, name: vm}
Y
printf 'nameserver 127.0.0.53\n' >"$root/etc/resolv.conf"

# The binary alone in an empty folder, run with nothing but the locale in its environment.
cp "$COLLECT" "$T/alone/triage-collect"
expect_status "LANG=zh_CN.UTF-8: a bundle is written" 0 \
	env -i PATH=/usr/bin:/bin LANG=zh_CN.UTF-8 "$T/alone/triage-collect" -v --root "$root" --no-probe -o "$T/out/zh.tar.gz"
cp "$T/.err" "$T/zh.err"
check "the summary says where the bundle is, in Chinese" grep -qE "^triage-collect: 已写入 $T/out/zh.tar.gz（[0-9]+ (KiB|MiB|bytes)）$" "$T/zh.err"
check "the 'attach this file' line is in Chinese" grep -qx "triage-collect: 请把这个文件附加到您的支持工单：$T/out/zh.tar.gz" "$T/zh.err"
check "the sources line is in Chinese" grep -qE '^triage-collect: 数据源：[0-9]+ 个正常，[0-9]+ 个不可用' "$T/zh.err"
check "the redaction line is in Chinese" grep -qE '^triage-collect: 已脱敏 [0-9]+ 个值，涉及 [0-9]+ 个文件$' "$T/zh.err"
check "progress lines name the status in Chinese" grep -qE '^triage-collect: (正常|不可用) +config/etc/onboarding-agent/onboarding.config.yaml: [0-9]+ 字节$' "$T/zh.err"
if grep -qE 'attach this file|sources: |redacted [0-9]' "$T/zh.err"; then
	fail "no English summary line under a Chinese locale" "$(grep -E 'attach this file|sources: |redacted [0-9]' "$T/zh.err" | head -2)"
else
	pass "no English summary line under a Chinese locale"
fi
# The bundle is for support: its manifest stays English whatever the locale.
tar -xzOf "$T/out/zh.tar.gz" --wildcards '*/manifest.json' >"$T/manifest.json" 2>/dev/null
if [ ! -s "$T/manifest.json" ]; then
	fail "the manifest of a bundle collected under a Chinese locale is English" "no manifest.json in $T/out/zh.tar.gz"
elif grep -qP '[\x{4e00}-\x{9fff}]' "$T/manifest.json"; then
	fail "the manifest of a bundle collected under a Chinese locale is English" "Chinese text: $(grep -o -P '.{0,30}[\x{4e00}-\x{9fff}].{0,30}' "$T/manifest.json" | head -2 | tr '\n' ' ')"
elif ! grep -q '"detail"' "$T/manifest.json"; then
	fail "the manifest of a bundle collected under a Chinese locale is English" "no \"detail\" key in the manifest"
else
	pass "the manifest of a bundle collected under a Chinese locale is English"
fi

# Without a terminal and -v, the sources that were not ok are listed as NAME: STATUS: DETAIL (no padding).
rm -f "$T/out/zh2.tar.gz"
# Sources not read are the manifest's, not the run's: the bundle is written, exit 0.
expect_run "LANG=zh_CN.UTF-8 --root: a bundle is written" 0 /dev/null \
	env -i PATH=/usr/bin:/bin LANG=zh_CN.UTF-8 "$COLLECT" --no-analyze --root "$root" --no-probe -o "$T/out/zh2.tar.gz" </dev/null
cp "$T/.err" "$T/zh2.err"
check "the sources not read are listed as NAME: 不可用: DETAIL" grep -qE '^triage-collect: [^ ]+: 不可用: [^ ]' "$T/zh2.err"
rm -f "$T/out/en2.tar.gz"
expect_run "LANG=C.UTF-8 --root: a bundle is written" 0 /dev/null \
	env -i PATH=/usr/bin:/bin LANG=C.UTF-8 "$COLLECT" --no-analyze --root "$root" --no-probe -o "$T/out/en2.tar.gz" </dev/null
cp "$T/.err" "$T/en2.err"
check "the sources not read are listed as NAME: unavailable: DETAIL" grep -qE '^triage-collect: [^ ]+: unavailable: [^ ]' "$T/en2.err"
if grep -qE ' +: ' "$T/zh2.err" "$T/en2.err"; then fail "no padded status before a colon" "$(grep -hE ' +: ' "$T/zh2.err" "$T/en2.err" | head -2)"
else pass "no padded status before a colon"; fi

# Details with a 64-bit count (<PRIu64> in the catalog) are looked up by the format the program
# passes: the compiled catalog holds them expanded for this compiler, none left unexpanded.
mo=$BUILD/po/zh_CN.mo
n_po=$(msgattrib --translated --no-obsolete "$TOP/po/zh_CN.po" | grep -c '^msgid .*<PRIu64>')
if [ -s "$mo" ] && [ "$n_po" -gt 0 ] && ! msgunfmt "$mo" | grep -q 'PRIu64' && \
    [ "$(msgunfmt "$mo" | grep -c "^msgid .*%$(printf '#include <inttypes.h>\nPRIu64\n' | cc -E -P - | tail -1 | tr -d '" ')")" -ge "$n_po" ]; then
	pass "the catalog's $n_po messages with a 64-bit count are expanded for this compiler"
else
	fail "the catalog's messages with a 64-bit count are expanded for this compiler" "$n_po in the .po"
fi
printf 'error\tagent\tlookup x on 10.0.0.2:53: no such host\ninfo\tagent\tstarting\n' >"$T/agent.log"
expect_status "LANG=zh_CN.UTF-8 --log-file: a bundle is written" 0 \
	env -i PATH=/usr/bin:/bin LANG=zh_CN.UTF-8 "$COLLECT" -v --log-file "$T/agent.log" --no-probe -o "$T/out/lf.tar.gz"
check "the journal's progress line names its status in Chinese" grep -q "^triage-collect: 正常 *journal/onboarding-agent.service: " "$T/.err"

for envs in "LANG=C.UTF-8" "LANG=en_US.UTF-8" "LC_ALL=C LANG=zh_CN.UTF-8"; do
	rm -f "$T/out/en.tar.gz"
	# shellcheck disable=SC2086
	expect_status "$envs: a bundle is written" 0 env -i PATH=/usr/bin:/bin $envs "$COLLECT" --root "$root" --no-probe -o "$T/out/en.tar.gz"
	check "$envs: the summary is English" grep -qx "triage-collect: attach this file to your support ticket: $T/out/en.tar.gz" "$T/.err"
done
finish
