#!/usr/bin/env bash
# tests/golden/test-hygiene.sh: the tests keep the habits issue 13 set: no '|| true' (or '|| :') that
# hides an exit status without a comment saying why it does not matter; every rule-error case of
# tests/golden/rules-bad is a bad-NAME.yaml + bad-NAME.err pair; every golden bundle has its whole
# set of expected files (report in each format, .status, .stderr) and no expected file is left over
# from a bundle that is gone; the man pages format without a groff warning.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=common.sh
. "$TOP/tests/golden/common.sh"

# unexplained FILE...: prints FILE:LINE: TEXT for each '|| true' / '|| :' with no comment on its line
# or the line before.
unexplained() {
	awk '
	FNR == 1 { prev = "" }
	/^[ \t]*#/ { prev = $0; next }
	/\|\|[ \t]*(true|:)([ \t;)}]|$)/ && index($0, "#") == 0 && prev !~ /^[ \t]*#/ { print FILENAME ":" FNR ": " $0 }
	{ prev = $0 }' "$@"
}
# (not tests/bench/work/: make bench-against's checkout of an older revision, ignored by git)
mapfile -t scripts < <(find "$TOP/tests" -path "$TOP/tests/bench/work" -prune -o -name '*.sh' -type f -print | sort)
hits=$(unexplained "${scripts[@]}")
if [ -z "$hits" ]; then pass "no unexplained '|| true' in the ${#scripts[@]} test scripts"
else fail "no unexplained '|| true' in the test scripts" "assert the status or say why it is irrelevant: $(printf '%s\n' "$hits" | head -5 | tr '\n' ' ')"; fi
# The check is not vacuous: a planted one is found, an explained one is not.
printf 'a\ncmd || true\n# why it does not matter\ncmd2 || true\ncmd3 || true  # why\n' >"$T/plant.sh"
got=$(unexplained "$T/plant.sh")
check "a planted '|| true' is found, the explained ones are not" test "$got" = "$T/plant.sh:2: cmd || true"

# rules-bad: pairs only.
RB=$GOLDEN/rules-bad
bad=""
for f in "$RB"/*; do
	b=$(basename "$f")
	case $b in
	bad-*.yaml) [ -e "${f%.yaml}.err" ] || bad+="$b without its .err; " ;;
	bad-*.err) [ -e "${f%.err}.yaml" ] || bad+="$b without its .yaml; " ;;
	README.md|good.yaml) ;;
	*) bad+="$b is neither bad-NAME.yaml nor bad-NAME.err; " ;;
	esac
done
if [ -z "$bad" ]; then pass "rules-bad holds bad-NAME.yaml + bad-NAME.err pairs only"
else fail "rules-bad holds bad-NAME.yaml + bad-NAME.err pairs only" "$bad"; fi

# Goldens: each case (spec, sample, baseline) has its set; nothing else is in the expected folders.
for d in "$GOLDEN"/specs/*/; do mkdir -p "$T/bundles"; : >"$T/bundles/$(basename "$d").tar.gz"; done
want=$T/want; : >"$want"
while read -r _ _ prefix; do
	for e in md json html txt color.txt status stderr zh.md zh.html zh.txt zh.stderr; do echo "$prefix.expected.$e"; done >>"$want"
done < <(golden_cases)
while read -r name _; do
	for e in md html json txt status stderr; do echo "$GOLDEN/expected/baseline-$name.expected.$e"; done >>"$want"
done < <(baseline_cases)
sort -o "$want" "$want"
find "$GOLDEN/expected" "$TOP/samples" -name '*.expected.*' | sort >"$T/have"
missing=$(comm -23 "$want" "$T/have" | sed "s|^$TOP/||")
extra=$(comm -13 "$want" "$T/have" | sed "s|^$TOP/||")
if [ -z "$missing" ]; then pass "every golden bundle has its $(wc -l <"$want") expected files"
else fail "every golden bundle has its expected files" "missing (tests/golden/update.sh): $(echo "$missing" | head -5 | tr '\n' ' ')"; fi
if [ -z "$extra" ]; then pass "no expected file without its bundle"
else fail "no expected file without its bundle" "left over: $(echo "$extra" | head -5 | tr '\n' ' ')"; fi
# man pages: a mistyped request ('..It') is a groff warning and drops the line from the page
for m in "$TOP"/docs/*.1; do
	w=$(groff -ww -z -mandoc "$m" 2>&1 | head -3)
	if [ -z "$w" ]; then pass "man page ${m#"$TOP"/}: no groff warning"
	else fail "man page ${m#"$TOP"/}: no groff warning" "$w"; fi
done
# a merge conflict left in a text file (the man page's SYNOPSIS held one for a day)
conflicts=$(grep -rIn --exclude-dir=work -E '^(<<<<<<< |>>>>>>> )' \
	"$TOP"/{Makefile,README.md,collect,analyze,common,rules,docs,tests,scripts,.ci} 2>/dev/null |
	grep -v '^[^:]*/tests/golden/test-hygiene.sh:' | head -3)
if [ -z "$conflicts" ]; then pass "no merge-conflict markers in the sources, rules, docs and tests"
else fail "no merge-conflict markers in the sources, rules, docs and tests" "$conflicts"; fi
finish
