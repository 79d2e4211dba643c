#!/usr/bin/env bash
# tests/bench/run.sh: `make bench`: triage against journalctl|gzip and zcat|grep on generated journals.
#
# For each size (default 100000 and 1000000 entries) it builds the journal once
# (make-journal.sh, cached under tests/bench/work/), then measures, as a median
# of BENCH_RUNS (default 3) alternating runs (ours, theirs, ours, theirs, ...),
# wall time and peak RSS of:
#   collect: triage-collect --journal-dir D --no-probe --since S --until U -o b.tar.gz
#            vs journalctl -D D -u UNIT -o json --all --since S --until U | gzip -6 > j.gz
#   analyze: triage-analyze -f json b.tar.gz
#            vs zcat j.gz | LC_ALL=C grep -E -c '<the shipped rules' journal regexes, joined>'
# It checks both collections hold the same entries (compare.py), prints each
# ratio against its target with PASS/MISS, and appends the results with the
# machine's description to tests/bench/RESULTS.md.
#
# Then tests/bench/summary.sh: --summary -j 1 vs -j 2 over 200 bundles, and its memory.
#
# Environment: BENCH_SIZES="100000 1000000", BENCH_RUNS=3, BUILD=build,
# BENCH_THEIRS_ONLY=1 (baseline: skip triage), BENCH_NO_RECORD=1 (do not
# append to RESULTS.md).  Exit status 0 when every check passes and every
# target is met, 1 otherwise.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
COLLECT=${COLLECT:-$BUILD/triage-collect}
ANALYZE=${ANALYZE:-$BUILD/triage-analyze}
SIZES=${BENCH_SIZES:-100000 1000000}
RUNS=${BENCH_RUNS:-3}
THEIRS_ONLY=${BENCH_THEIRS_ONLY:-0}
UNIT=onboarding-agent.service
RULES=${BENCH_RULES:-$top/rules/onboarding-agent.yaml}
work=$here/work
TIME=/usr/bin/time
MIB=$((1024 * 1024))

# Targets (issue 7): ours/theirs wall-time and size ratios, peak RSS in KiB.
T_COLLECT=0.25 T_BUNDLE=1.1 T_ANALYZE=0.8 T_RSS_KIB=$((64 * 1024))

[ -x "$TIME" ] || { echo "bench: $TIME missing (package time)" >&2; exit 1; }
mkdir -p "$work"
failed=0 missed=0
report=()      # lines for the summary and RESULTS.md

say() { echo "$*"; }
row() { report+=("$*"); echo "$*"; }

# median of numbers on stdin
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b + 0 == 0 || a == "nan" || b == "nan") print "nan"; else printf "%.3f", a / b}'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a != "nan" && a + 0 <= b + 0)}'; }
# judge VALUE TARGET: sets V to PASS or MISS (and counts misses)
judge() { if le "$1" "$2"; then V=PASS; else V=MISS; missed=$((missed + 1)); fi; }
# per-entry cost in microseconds: WALL ENTRIES
per() { awk -v w="$1" -v n="$2" 'BEGIN {if (w == "nan") print "nan"; else printf "%.2f", w * 1e6 / n}'; }
declare -A per_entry    # "collect-ours:N" -> microseconds

# timed NAME LOG CMD...: runs CMD, appends "wall_s maxrss_kib user_s sys_s status" to $work/NAME.times
timed() {
	local name=$1 log=$2; shift 2
	local t0 t1 rc
	t0=$(date +%s%N)
	"$TIME" -f '%M %U %S' -o "$work/.time" "$@" >"$log" 2>&1
	rc=$?
	t1=$(date +%s%N)
	# GNU time prefixes "Command exited with non-zero status N" on failure
	read -r rss usr sys < <(tail -n 1 "$work/.time")
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}') $rss $usr $sys $rc" >>"$work/$name.times"
	return $rc
}
col() { awk -v c="$2" '{print $c}' "$work/$1.times" | median; }

machine() {
	local cpu mem deb commit dirty
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
	deb=$(cat /etc/debian_version 2>/dev/null || echo '?')
	commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')
	dirty=$(git -C "$top" status --porcelain -- collect analyze common 2>/dev/null | grep -q . && echo ' (+uncommitted changes)')
	echo "$(nproc) CPUs ($cpu), $mem RAM, kernel $(uname -r), Debian $deb, systemd $(journalctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p'), commit $commit$dirty"
}

say "bench: $(machine)"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "bench: sizes: $SIZES; $RUNS alternating runs each; load average $load0"

pattern=""
if [ -f "$RULES" ] && pattern=$(python3 "$here/rules-ere.py" --check "$RULES" 2>"$work/rules-ere.log"); then :; else
	echo "bench: converting the rules' journal regexes to ERE reported problems:" >&2
	[ -n "$pattern" ] || { sed 's/^/  /' "$work/rules-ere.log" >&2; failed=$((failed + 1)); }
fi
sed 's/^/  /' "$work/rules-ere.log"

have_ours=1
if [ "$THEIRS_ONLY" = 1 ]; then have_ours=0; fi
if [ $have_ours = 1 ] && { [ ! -x "$COLLECT" ] || [ ! -x "$ANALYZE" ]; }; then
	echo "bench: $COLLECT or $ANALYZE missing; run make all" >&2
	exit 1
fi

for n in $SIZES; do
	dir=$("$here/make-journal.sh" "$n") || { echo "bench: could not build the $n-entry journal" >&2; exit 1; }
	meta=$dir/meta.json
	first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first_usec"] // 1000000 - 60)' "$meta")
	last=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last_usec"] // 1000000 + 61)' "$meta")
	expect=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["about_agent"])' "$meta")
	S=@$first U=@$last
	out=$work/run-$n
	rm -rf "$out"; mkdir -p "$out"
	rm -f "$work"/*.times
	cat "$dir"/*.journal >/dev/null    # same page-cache state for both sides
	say ""
	say "== $n entries ($(du -sh "$dir" | cut -f1) of journal files; $expect about $UNIT; --since $S --until $U)"

	# ---- collect ----
	ours_ok=$have_ours
	for ((i = 1; i <= RUNS; i++)); do
		if [ $ours_ok = 1 ]; then
			rm -f "$out/b.tar.gz"
			if ! timed collect-ours "$out/collect-ours.log" "$COLLECT" -q --journal-dir "$dir" --no-probe \
				--since "$S" --until "$U" --max-size 4G -o "$out/b.tar.gz"; then
				echo "bench: FAILED: triage-collect exited $(tail -n1 "$work/collect-ours.times" | cut -d' ' -f5):" >&2
				sed 's/^/  /' "$out/collect-ours.log" | tail -n 5 >&2
				ours_ok=0 failed=$((failed + 1))
			fi
		fi
		rm -f "$out/j.gz"
		timed collect-theirs "$out/collect-theirs.log" bash -c 'set -o pipefail; journalctl -D "$1" -u "$2" -o json --all --since "$3" --until "$4" | gzip -6 >"$5"' \
			sh "$dir" "$UNIT" "$S" "$U" "$out/j.gz" || { echo "bench: FAILED: journalctl | gzip" >&2; cat "$out/collect-theirs.log" >&2; exit 1; }
	done
	jlines=$(zcat "$out/j.gz" | wc -l)
	[ "$jlines" = "$expect" ] || say "bench: note: journalctl shows $jlines entries about $UNIT, the generator wrote $expect"
	jsize=$(stat -c %s "$out/j.gz")
	jraw=$(zcat "$out/j.gz" | wc -c)
	tw=$(col collect-theirs 1) trss=$(col collect-theirs 2)
	tcpu=$(awk '{print $3 + $4}' "$work/collect-theirs.times" | median)
	say "collect: theirs (journalctl | gzip -6): ${tw}s wall, ${tcpu}s CPU, peak RSS $((trss / 1024)) MiB (largest process), j.gz $((jsize / MIB)) MiB from $((jraw / MIB)) MiB JSON"
	if [ $ours_ok = 1 ]; then
		ow=$(col collect-ours 1) orss=$(col collect-ours 2)
		ocpu=$(awk '{print $3 + $4}' "$work/collect-ours.times" | median)
		bsize=$(stat -c %s "$out/b.tar.gz")
		say "collect: ours (triage-collect): ${ow}s wall, ${ocpu}s CPU, peak RSS $((orss / 1024)) MiB, bundle $((bsize / MIB)) MiB"
		if python3 "$here/compare.py" "$out/b.tar.gz" "$out/j.gz" "$UNIT" >"$out/compare.log" 2>&1; then
			say "$(head -n 1 "$out/compare.log")"
		else
			failed=$((failed + 1))
			echo "bench: FAILED: the bundle does not hold journalctl's entries:"
			sed 's/^/  /' "$out/compare.log"
			report+=("| $n | collect | entries differ from journalctl's: $(head -n 1 "$out/compare.log" | cut -c1-200) | | | | FAILED |")
		fi
		r=$(ratio "$ow" "$tw"); judge "$r" $T_COLLECT
		row "| $n | collect wall time | ${ow}s | ${tw}s | $r | ≤ $T_COLLECT | $V |"
		r=$(ratio "$bsize" "$jsize"); judge "$r" $T_BUNDLE
		row "| $n | output size | $((bsize / 1024)) KiB | $((jsize / 1024)) KiB | $r | ≤ $T_BUNDLE | $V |"
		row "| $n | collect CPU time (user+sys) | ${ocpu}s | ${tcpu}s | $(ratio "$ocpu" "$tcpu") | | |"
		judge "$orss" $T_RSS_KIB
		row "| $n | collect peak RSS | $((orss / 1024)) MiB | $((trss / 1024)) MiB | $(ratio "$orss" "$trss") | ≤ 64 MiB | $V |"
		per_entry[collect-ours:$n]=$(per "$ocpu" "$expect")
		per_entry[collect-theirs:$n]=$(per "$tcpu" "$expect")
		row "| $n | collect per entry (wall; CPU) | $(per "$ow" "$expect"); ${per_entry[collect-ours:$n]} µs | $(per "$tw" "$expect"); ${per_entry[collect-theirs:$n]} µs | | | |"
	else
		row "| $n | collect wall time | n/a | ${tw}s | | ≤ $T_COLLECT | $([ $have_ours = 1 ] && echo FAILED || echo baseline) |"
		row "| $n | output size | n/a | $((jsize / 1024)) KiB | | ≤ $T_BUNDLE | |"
		row "| $n | collect CPU time (user+sys) | n/a | ${tcpu}s | | | |"
		row "| $n | collect peak RSS | n/a | $((trss / 1024)) MiB | | ≤ 64 MiB | |"
		per_entry[collect-theirs:$n]=$(per "$tcpu" "$expect")
		row "| $n | collect per entry (wall; CPU) | n/a | $(per "$tw" "$expect"); ${per_entry[collect-theirs:$n]} µs | | | |"
	fi

	# ---- analyze ----
	aours_ok=$ours_ok
	[ -n "$pattern" ] || { say "bench: no ERE from the rules; the grep side is skipped"; }
	for ((i = 1; i <= RUNS; i++)); do
		if [ $aours_ok = 1 ]; then
			timed analyze-ours "$out/analyze-ours.log" "$ANALYZE" -f json -o "$out/report.json" "$out/b.tar.gz"
			rc=$(tail -n1 "$work/analyze-ours.times" | cut -d' ' -f5)
			if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
				echo "bench: FAILED: triage-analyze exited $rc:" >&2
				sed 's/^/  /' "$out/analyze-ours.log" | tail -n 5 >&2
				aours_ok=0 failed=$((failed + 1))
			fi
		fi
		if [ -n "$pattern" ]; then
			timed analyze-theirs "$out/analyze-theirs.log" bash -c 'zcat "$1" | LC_ALL=C grep -E -c -e "$2"; s=("${PIPESTATUS[@]}"); [ "${s[0]}" = 0 ] && [ "${s[1]}" -le 1 ]' \
				sh "$out/j.gz" "$pattern" || { echo "bench: FAILED: zcat | grep" >&2; cat "$out/analyze-theirs.log" >&2; exit 1; }
		fi
	done
	if [ -n "$pattern" ]; then
		gw=$(col analyze-theirs 1) grss=$(col analyze-theirs 2)
		gcpu=$(awk '{print $3 + $4}' "$work/analyze-theirs.times" | median)
		say "analyze: theirs (zcat | grep -E -c): ${gw}s wall, ${gcpu}s CPU, peak RSS $((grss / 1024)) MiB, $(cat "$out/analyze-theirs.log") matching lines"
	else
		gw=nan grss=0 gcpu=nan
	fi
	if [ $aours_ok = 1 ]; then
		aw=$(col analyze-ours 1) arss=$(col analyze-ours 2)
		acpu=$(awk '{print $3 + $4}' "$work/analyze-ours.times" | median)
		say "analyze: ours (triage-analyze -f json): ${aw}s wall, ${acpu}s CPU, peak RSS $((arss / 1024)) MiB; findings: $(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(", ".join("%s x%s" % (f["rule"], f.get("count")) for f in r.get("findings", [])) or "none")' "$out/report.json" 2>&1 | cut -c1-300)"
		r=$(ratio "$aw" "$gw"); judge "$r" $T_ANALYZE
		row "| $n | analyze wall time | ${aw}s | ${gw}s | $r | ≤ $T_ANALYZE | $V |"
		row "| $n | analyze CPU time (user+sys) | ${acpu}s | ${gcpu}s | $(ratio "$acpu" "$gcpu") | | |"
		judge "$arss" $T_RSS_KIB
		row "| $n | analyze peak RSS | $((arss / 1024)) MiB | $((grss / 1024)) MiB | $(ratio "$arss" "$grss") | ≤ 64 MiB | $V |"
		per_entry[analyze-ours:$n]=$(per "$acpu" "$expect")
		per_entry[analyze-theirs:$n]=$(per "$gcpu" "$expect")
		row "| $n | analyze per entry (wall; CPU) | $(per "$aw" "$expect"); ${per_entry[analyze-ours:$n]} µs | $(per "$gw" "$expect"); ${per_entry[analyze-theirs:$n]} µs | | | |"
	else
		row "| $n | analyze wall time | n/a | ${gw}s | | ≤ $T_ANALYZE | $([ $have_ours = 1 ] && echo FAILED || echo baseline) |"
		per_entry[analyze-theirs:$n]=$(per "$gcpu" "$expect")
		row "| $n | analyze CPU time (user+sys) | n/a | ${gcpu}s | | | |"
		row "| $n | analyze per entry (wall; CPU) | n/a | $(per "$gw" "$expect"); ${per_entry[analyze-theirs:$n]} µs | | | |"
	fi
done

# Cost per entry must not grow with size: CPU time per entry (steadier than
# wall time on a shared machine), largest size over smallest, within 25%.
read -r small big < <(printf '%s\n' $SIZES | sort -n | sed -n '1p;$p' | tr '\n' ' ')
if [ "$small" != "$big" ]; then
	for k in collect-ours collect-theirs analyze-ours analyze-theirs; do
		a=${per_entry[$k:$big]:-nan} b=${per_entry[$k:$small]:-nan}
		[ "$a" = nan ] || [ "$b" = nan ] && continue
		r=$(ratio "$a" "$b")
		case $k in
		*-ours) judge "$r" 1.25; row "| $big / $small | $k CPU per entry: $b µs at $small, $a µs at $big | | | $r | ≤ 1.25 (flat) | $V |" ;;
		*) row "| $big / $small | $k CPU per entry: $b µs at $small, $a µs at $big | | | $r | | |" ;;
		esac
	done
fi

say ""
summary="$failed failed, $missed targets missed"
[ $have_ours = 1 ] || summary="baseline only (BENCH_THEIRS_ONLY=1)"
say "bench: $summary"

if [ "${BENCH_NO_RECORD:-0}" != 1 ]; then
	{
		echo ""
		echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): $summary"
		echo ""
		echo "Machine: $(machine). Load average at the start: $load0, at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes wall times noisy; CPU times are steadier). Median of $RUNS alternating runs."
		[ $have_ours = 1 ] && echo "Binaries: $COLLECT, $ANALYZE."
		echo "grep side: $(tail -n 1 "$work/rules-ere.log" | sed 's/^rules-ere: //') from ${RULES#"$top"/}."
		echo ""
		echo "| entries | measure | ours | theirs | ours/theirs | target | verdict |"
		echo "| ---: | --- | ---: | ---: | ---: | --- | --- |"
		printf '%s\n' "${report[@]}"
	} >>"$here/RESULTS.md"
	say "bench: appended to tests/bench/RESULTS.md"
fi
# Part 2: --summary's parallel speedup and memory bound (its own block in RESULTS.md).
summary_ok=1
if [ $have_ours = 1 ]; then
	BUILD=$BUILD ANALYZE=$ANALYZE "$here/summary.sh" || summary_ok=0
fi
[ $failed = 0 ] && [ $missed = 0 ] && [ $have_ours = 1 ] && [ $summary_ok = 1 ]
