#!/usr/bin/env bash
# tests/golden/test-zh.sh: the Chinese reports (--lang zh, or a Chinese locale): every bundle gives
# exactly its expected Chinese markdown, HTML and text; the language follows LC_ALL / LC_MESSAGES / LANG /
# LANGUAGE as gettext does; ids, JSON keys, evidence and times stay what the English report says;
# --check-rules wants every Chinese text of a shipped rule.  tests/golden/update.sh writes the goldens.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=common.sh
. "$TOP/tests/golden/common.sh"

if ! build_mkbundle 2>"$T/cc.err"; then
	fail "build mkbundle" "$(head -3 "$T/cc.err")"
	finish
fi
check "build the spec bundles with the writer" build_specs

# report ENV... -- ARGS...: runs the analyzer from the bundle's folder with a clean locale plus ENV.
report() {
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	(cd "$dir" && env -u LC_ALL -u LC_MESSAGES -u LANGUAGE -u LANG "${envs[@]}" "$ANALYZE" "$@") 2>"$T/err"
	local rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 1 ]
}

while read -r name dir prefix; do
	for fmt in md html txt; do
		f=markdown; [ $fmt = html ] && f=html; [ $fmt = txt ] && f=text
		# The report, exit status and stderr, byte for byte (golden_run, common.sh).
		golden_run "$name" "$prefix" zh.$fmt "$dir" env -u LC_ALL -u LC_MESSAGES -u LANGUAGE -u LANG \
			LANG=C.UTF-8 COLUMNS=80 "$ANALYZE" --lang zh -f $f "$name.tar.gz"
	done
	want=$prefix.expected.zh.md
	[ -e "$want" ] || continue
	# The locale chooses the language when --lang is not given, as gettext would.
	for envs in "LANG=zh_CN.UTF-8" "LC_ALL=zh_CN.UTF-8 LANG=en_US.UTF-8" "LC_MESSAGES=zh_CN.utf8 LANG=en_US.UTF-8" \
	    "LANGUAGE=zh_CN:en LANG=en_US.UTF-8" "LANG=zh_TW.UTF-8"; do
		# shellcheck disable=SC2086
		if ! report $envs -- "$name.tar.gz" >"$T/got"; then
			fail "$name: $envs gives the Chinese report" "exit neither 0 nor 1: $(head -c 200 "$T/err")"
		elif cmp -s "$want" "$T/got"; then
			pass "$name: $envs gives the Chinese report"
		else
			fail "$name: $envs gives the Chinese report" "differs from $want: $(cmp "$want" "$T/got" 2>&1 | head -1)"
		fi
	done
	for envs in "LANG=C.UTF-8" "LANG=en_US.UTF-8" "LANG=fr_FR.UTF-8" "LC_ALL=C LANG=zh_CN.UTF-8 LANGUAGE=zh_CN" \
	    "LC_ALL=en_US.UTF-8 LANG=zh_CN.UTF-8" "LANG=zh_CN.UTF-8 --lang en"; do
		args=()
		case $envs in *--lang*) args=(--lang en); envs=${envs% --lang en};; esac
		# shellcheck disable=SC2086
		if ! report $envs -- "${args[@]}" "$name.tar.gz" >"$T/got"; then
			fail "$name: $envs ${args[*]} gives the English report, unchanged" "exit neither 0 nor 1: $(head -c 200 "$T/err")"
		elif cmp -s "$prefix.expected.md" "$T/got"; then
			pass "$name: $envs ${args[*]} gives the English report, unchanged"
		else
			fail "$name: $envs ${args[*]} gives the English report, unchanged" "differs from $prefix.expected.md: $(cmp "$prefix.expected.md" "$T/got" 2>&1 | head -1)"
		fi
	done
	# JSON: the same document but for the texts: keys, ids, severities, counts, times, evidence.
	report LANG=C.UTF-8 -- -f json "$name.tar.gz" >"$T/en.json"
	report LANG=C.UTF-8 -- --lang zh -f json "$name.tar.gz" >"$T/zh.json"
	report LANG=C.UTF-8 -- --lang zh -f html "$name.tar.gz" >"$T/zh.html"
	report LANG=C.UTF-8 -- -f html "$name.tar.gz" >"$T/en.html"
	check "$name: JSON in Chinese keeps keys, ids, counts, times and evidence; HTML declares zh-CN" \
		$PY - "$T/en.json" "$T/zh.json" "$T/en.html" "$T/zh.html" <<'PY'
import json, re, sys
en, zh = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
enh, zhh = open(sys.argv[3], encoding="utf-8").read(), open(sys.argv[4], encoding="utf-8").read()
cjk = re.compile("[\u4e00-\u9fff]")
assert en["lang"] == "en" and zh["lang"] == "zh", (en.get("lang"), zh.get("lang"))
def shape(x):
    if isinstance(x, dict):
        return {k: shape(v) for k, v in x.items()}
    if isinstance(x, list):
        return [shape(v) for v in x]
    return type(x).__name__
assert shape(en) == shape(zh), "the key structure differs"
assert [f["rule"] for f in en["findings"]] == [f["rule"] for f in zh["findings"]]
for a, b in zip(en["findings"], zh["findings"]):
    for k in ("severity", "count", "first_seen", "last_seen", "evidence", "evidence_total", "links"):
        assert a[k] == b[k], (a["rule"], k)
    for k in ("title", "message", "remedy"):
        assert cjk.search(b[k]), (b["rule"], k, b[k])
        assert not cjk.search(a[k]), (a["rule"], k)
for a, b in zip(en["not_evaluated"], zh["not_evaluated"]):
    assert a["rule"] == b["rule"]
    assert cjk.search(b["reason"]), b
assert en["bundle"] == {**zh["bundle"], "agent_state": en["bundle"]["agent_state"]}
assert '<html lang="en">' in enh and '<html lang="zh-CN">' in zhh
PY
done < <(golden_cases)

# --summary and --baseline speak the report's language too; English stays as it was.
S=$TOP/samples
if ls "$S"/*.tar.gz >/dev/null 2>&1; then
	# The samples have findings at error and above: exit 1, whatever the language.
	expect_run "analyze --lang zh --summary S/*.tar.gz" 1 "$T/sum.zh.md" "$ANALYZE" --lang zh --summary "$S"/*.tar.gz
	expect_run "analyze --lang zh --summary -f html S/*.tar.gz" 1 "$T/sum.zh.html" "$ANALYZE" --lang zh --summary -f html "$S"/*.tar.gz
	expect_run "analyze --summary S/*.tar.gz" 1 "$T/sum.en.md" "$ANALYZE" --summary "$S"/*.tar.gz
	expect_run "analyze --lang en --summary S/*.tar.gz" 1 "$T/sum.en2.md" env LANG=zh_CN.UTF-8 "$ANALYZE" --lang en --summary "$S"/*.tar.gz
	check "--summary --lang zh: headings in Chinese" grep -q '^# 诊断汇总：' "$T/sum.zh.md"
	check "--summary --lang zh -f html: lang zh-CN and Chinese headings" \
		sh -c "grep -q '<html lang=\"zh-CN\">' '$T/sum.zh.html' && grep -q '<h2>分组：发现相同问题的诊断包</h2>' '$T/sum.zh.html'"
	check "--summary: English without --lang, and with --lang en under a Chinese locale" \
		sh -c "grep -q '^# Triage summary: ' '$T/sum.en.md' && cmp -s '$T/sum.en.md' '$T/sum.en2.md'"
	if [ -e "$S/dns-failure.tar.gz" ] && [ -e "$S/healthy.tar.gz" ]; then
		expect_run "--baseline --lang zh dns-failure -> healthy (no finding)" 0 "$T/bl.zh.md" \
			env -C "$S" "$ANALYZE" --lang zh --baseline dns-failure.tar.gz healthy.tar.gz
		check "--baseline --lang zh: the baseline sections in Chinese" \
			sh -c "grep -q '^## 自基线以来已解决的问题' '$T/bl.zh.md' && grep -q '^\*\*基线\*\* ' '$T/bl.zh.md'"
	fi
fi

# The Chinese paths (catalog lookups, translated templates) under valgrind: no memory error, no leak.
# (Not on a sanitizer build: ASan and valgrind do not mix; that build checks itself.)
if command -v valgrind >/dev/null && [ -e "$TOP/samples/dns-failure.tar.gz" ] && \
    ! nm "$BUILD/libtriage.a" 2>/dev/null | grep -q __asan_; then
	for f in markdown html; do
		if valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,possible \
		    --errors-for-leak-kinds=definite,possible --suppressions="$TOP/tests/hostile/valgrind.supp" \
		    "$ANALYZE" --lang zh -f $f "$TOP/samples/dns-failure.tar.gz" >/dev/null 2>"$T/vg"; [ $? != 99 ] && ! grep -q '==[0-9]*==' "$T/vg"; then
			pass "valgrind: --lang zh -f $f is clean"
		else
			fail "valgrind: --lang zh -f $f is clean" "$(grep '==' "$T/vg" | head -3)"
		fi
	done
fi

# Every shipped rule (and the engine's checks) has a Chinese title.
dir=$T
report LANG=C.UTF-8 -- --lang zh --list-rules >"$T/list"
n=$(wc -l <"$T/list"); n_zh=$(grep -cP '[\x{4e00}-\x{9fff}]' "$T/list")
if [ "$n" -gt 2 ] && [ "$n" = "$n_zh" ]; then pass "--list-rules --lang zh: $n rules, every title in Chinese"
else fail "--list-rules --lang zh: every title in Chinese" "$n_zh of $n"; fi
expect_status "--lang fr: a usage error" 2 "$ANALYZE" --lang fr --list-rules
check "--lang fr names the option and the value" grep -q "lang.*'fr'" "$T/.err"
check "--lang zh_CN.UTF-8 is Chinese" sh -c "'$ANALYZE' --lang zh_CN.UTF-8 --list-rules | grep -q 'Agent 未安装'"

# --check-rules: the shipped rules pass; a shipped rule without a Chinese text, or a Chinese message
# with a placeholder the English one lacks, fails; user rules may be English only.
R=$TOP/rules/onboarding-agent.yaml
expect_status "--check-rules: the built-in rules carry every Chinese text" 0 "$ANALYZE" --check-rules
for k in title_zh description_zh message_zh remedy_zh; do
	# Drop the first rule's key (a block scalar's lines too).
	$PY - "$R" "$k" >"$T/no-$k.yaml" <<'PY'
import re, sys
lines, key, out, skip, done = open(sys.argv[1]).read().split("\n"), sys.argv[2], [], False, False
for l in lines:
    if skip and l.startswith("      "):
        continue
    skip = False
    if not done and l.startswith("    %s:" % key):
        skip = done = True
        continue
    out.append(l)
print("\n".join(out), end="")
PY
	expect_status "--check-rules: a shipped rule without $k fails" 2 "$ANALYZE" --check-rules -r "$T/no-$k.yaml"
	check "--check-rules names the missing $k" grep -q "agent-unit-not-found.*$k missing" "$T/.err"
done
sed 's/^    message_zh: "采集诊断包时，{probe:endpoint}。"/    message_zh: "采集诊断包时，{probe:endpoint}，{count} 次。"/' "$R" >"$T/extra.yaml"
if cmp -s "$R" "$T/extra.yaml"; then fail "make a message_zh with an extra placeholder" "sed matched nothing"; fi
expect_status "--check-rules: a Chinese message with a placeholder the English one lacks fails" 2 \
	"$ANALYZE" --check-rules -r "$T/extra.yaml"
check "--check-rules names the placeholder" grep -q "message_zh: '{count}' is not a placeholder of the English message" "$T/.err"
cat >"$T/user.yaml" <<'Y'
rules:
  - id: user-english-only
    title: A user rule in English only
    severity: info
    message: "Seen {count} times."
    remedy: Nothing to do.
    when:
      journal: {match: 'user rule marker'}
    examples:
      match: ["user rule marker", "another user rule marker"]
      no_match: ["nothing", "still nothing"]
Y
expect_status "--check-rules: user rules may be English only" 0 "$ANALYZE" --check-rules -r "$T/user.yaml"
check "--lang zh: a user rule without Chinese texts shows its English title" \
	sh -c "'$ANALYZE' --lang zh --list-rules -r '$T/user.yaml' | grep -q 'A user rule in English only'"
{ echo "languages: [en, zh]"; cat "$T/user.yaml"; } >"$T/user-zh.yaml"
expect_status "--check-rules: a file declaring languages: [en, zh] needs the Chinese texts" 2 \
	"$ANALYZE" --check-rules -r "$T/user-zh.yaml"
finish
