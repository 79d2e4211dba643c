#!/usr/bin/env bash
# tests/bench/against.sh: `make bench-against REV=…`: this tree's collector against an older revision's
# on the same generated journal (default 1,000,000 entries), to hold a change to "within N % of before".
#
# It builds REV from `git archive` once (cached under tests/bench/work/rev-SHA/), then runs both
# collectors alternately (REV, this tree, REV, ...) BENCH_RUNS times (default 8):
#   triage-collect -q --journal-dir D --no-probe --since S --until U --max-size 4G [--no-analyze] -o b.tar.gz
# (--no-analyze where the collector has it: an older one ran no analysis after collecting), and prints the
# medians of wall time, CPU time (user+sys) and peak RSS with this/REV ratios, each against the bound
# BENCH_BOUND (default 1.10).  Both bundles must hold the same number of journal lines.
#
# Environment: REV (default 6c1f700, the tree issue 11 was filed against), BENCH_ENTRIES=1000000,
# BENCH_RUNS=8, BENCH_BOUND=1.10, BUILD=build.  Wall times are only comparable on an idle machine: the load
# average is printed before and after.  Exit status 0 when every ratio is within the bound, 1 otherwise.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
REV=${REV:-6c1f700}
ENTRIES=${BENCH_ENTRIES:-1000000}
RUNS=${BENCH_RUNS:-8}
BOUND=${BENCH_BOUND:-1.10}
work=$here/work

die() { echo "bench-against: $*" >&2; exit 2; }

sha=$(git -C "$top" rev-parse --verify --quiet "$REV^{commit}") || die "$REV: no such revision in $top"
old=$work/rev-${sha:0:12}
if [ ! -x "$old/build/triage-collect" ]; then
	echo "bench-against: building $REV (${sha:0:12}) into $old" >&2
	rm -rf "$old" && mkdir -p "$old" || die "$old: cannot create"
	git -C "$top" archive "$sha" | tar -x -C "$old" || die "$REV: git archive failed"
	# the caller's make settings (BUILD, OPT, SAN, CC, CFLAGS, MAKEFLAGS) are not REV's: a plain build
	nice env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u OPT -u SAN -u CC -u CFLAGS -u LDFLAGS -u CPPFLAGS \
		make -C "$old" -j"$(nproc)" build/triage-collect >"$old.log" 2>&1 ||
		die "$REV: the build failed (see $old.log)"
fi
new=$BUILD/triage-collect
[ -x "$new" ] || die "$new: not built (make all)"

dir=$("$here/make-journal.sh" "$ENTRIES") || die "the benchmark journal could not be made"
read -r first last < <(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))
print(m["first_usec"] // 1000000, m["last_usec"] // 1000000 + 1)' "$dir/meta.json") ||
	die "$dir/meta.json: unreadable"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-against.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

opts() {	# the options a collector takes: --no-analyze where it has it
	if "$1" --help 2>&1 | grep -q -- --no-analyze; then echo --no-analyze; fi
}
oldx=$(opts "$old/build/triage-collect")
newx=$(opts "$new")

echo "bench-against: $ENTRIES entries ($dir), $RUNS alternating runs, ${sha:0:12} vs this tree"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$RUNS"); do
	order="old new"
	[ $((i % 2)) = 0 ] && order="new old"	# alternate which goes first
	for who in $order; do
		if [ $who = old ]; then c=$old/build/triage-collect x=$oldx; else c=$new x=$newx; fi
		rm -f "$tmp/$who.tar.gz"
		# shellcheck disable=SC2086 # $x: no option or one
		/usr/bin/time -f "$who %e %U %S %M" -a -o "$tmp/times" "$c" -q --journal-dir "$dir" --no-probe \
			--since "@$first" --until "@$last" --max-size 4G $x -o "$tmp/$who.tar.gz" ||
			die "$c exited with $? on run $i"
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

lines() { tar -xzOf "$1" --wildcards '*/journal/*.jsonl' | wc -l; }
ol=$(lines "$tmp/old.tar.gz") nl=$(lines "$tmp/new.tar.gz")
status=0
if [ "$ol" != "$nl" ]; then
	echo "FAIL: the bundles differ: $ol journal lines from ${sha:0:12}, $nl from this tree"
	status=1
fi

python3 - "$tmp/times" "$BOUND" "${sha:0:12}" <<'EOF' || status=1
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    who, wall, user, sys_, rss = line.split()
    runs.setdefault(who, []).append((float(wall), float(user) + float(sys_), int(rss) / 1024))
bound = float(sys.argv[2])
ok = True
print(f"| measure (median of {len(runs['new'])}) | {sys.argv[3]} | this tree | ratio | bound | verdict |")
print("| --- | ---: | ---: | ---: | ---: | --- |")
for k, name, unit in ((0, "wall time", "s"), (1, "CPU time (user+sys)", "s"), (2, "peak RSS", " MiB")):
    o = statistics.median(r[k] for r in runs["old"])
    n = statistics.median(r[k] for r in runs["new"])
    ratio = n / o if o else float("inf")
    good = ratio <= bound
    ok &= good
    print(f"| {name} | {o:.2f}{unit} | {n:.2f}{unit} | {ratio:.3f} | ≤ {bound:.2f} | {'PASS' if good else 'MISS'} |")
sys.exit(0 if ok else 1)
EOF
exit $status
