#!/usr/bin/env bash
# tests/bench/summary.sh: `make bench`, part 2: triage-analyze --summary over a queue of
# bundles, -j 1 against -j 2 (issue 16: at least 1.7x faster on 2 cores), and the memory of
# the whole run (the main process plus its workers, summed) at two queue sizes: it must
# follow -j, not the number of bundles.
#
# The queue: the golden spec bundles dns, healthy, policy and unit-failed, each with its
# agent journal grown to BENCH_SUMMARY_LINES lines (default 20000), written by the real
# bundle writer (tests/golden/mkbundle.c), copied under BENCH_SUMMARY_BUNDLES names
# (default 200).  Cached under tests/bench/work/summary/.
#
# Wall times are medians of BENCH_RUNS (default 3) alternating runs.  The memory sampler
# (rss-tree.py) sums VmRSS over the process tree every 10 ms.  Appends a block to
# RESULTS.md (unless BENCH_NO_RECORD=1).  Exit status 0 when both targets are met.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
ANALYZE=${ANALYZE:-$BUILD/triage-analyze}
N=${BENCH_SUMMARY_BUNDLES:-200}
SMALL=$((N / 4))
LINES=${BENCH_SUMMARY_LINES:-20000}
RUNS=${BENCH_RUNS:-3}
work=$here/work/summary
T_SPEEDUP=1.7 T_MEM=1.25
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

mkdir -p "$work"
q=$work/queue-$N-$LINES
if [ ! -e "$q/.done" ]; then
	rm -rf "$q" "$work/specs" && mkdir -p "$q" "$work/specs"
	# The golden tests' bundle writer, built the same way (tests/golden/common.sh).
	TOP=$top T=$work
	# shellcheck source=../golden/common.sh
	. "$top/tests/golden/common.sh"
	build_mkbundle || { echo "bench: cannot build mkbundle" >&2; exit 1; }
	for s in dns healthy policy unit-failed; do
		cp -r "$top/tests/golden/specs/$s" "$work/specs/$s"
		j=$work/specs/$s/files/journal/onboarding-agent.service.jsonl
		# Grow the journal: the spec's lines again and again, later in time, new cursors.
		$PY - "$j" "$LINES" <<'P'
import json, sys
path, want = sys.argv[1], int(sys.argv[2])
src = [json.loads(l) for l in open(path)]
out, i = [], 0
t0 = int(src[0]["__REALTIME_TIMESTAMP"])
while len(out) < want:
    for e in src:
        e = dict(e)
        e["__REALTIME_TIMESTAMP"] = str(t0 + len(out) * 1000000)
        e["__CURSOR"] = "s=bench;i=%d" % len(out)
        out.append(json.dumps(e, separators=(",", ":")))
        if len(out) == want:
            break
open(path, "w").write("\n".join(out) + "\n")
P
		"$work/mkbundle" "$work/specs/$s" "$work/$s.tar.gz" || { echo "bench: mkbundle $s failed" >&2; exit 1; }
	done
	i=0
	while [ $i -lt "$N" ]; do
		for s in dns healthy policy unit-failed; do
			[ $i -lt "$N" ] || break
			cp "$work/$s.tar.gz" "$q/$(printf 'ticket-%04d' $i)-$s.tar.gz"
			i=$((i + 1))
		done
	done
	touch "$q/.done"
fi
qs=$work/queue-small-$SMALL-$LINES
if [ ! -e "$qs/.done" ]; then
	rm -rf "$qs" && mkdir -p "$qs"
	ls "$q"/*.tar.gz | head -n "$SMALL" | xargs -I{} cp {} "$qs/"
	touch "$qs/.done"
fi

cat >"$work/rss-tree.py" <<'P'
# rss-tree.py CMD...: runs CMD, samples the summed VmRSS (KiB) of it and its descendants
# every 10 ms, prints "PEAK_KIB MAX_PROCS WALL_S".
import os, subprocess, sys, time
def tree_rss(root):
    kids, rss = {}, {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            st = open("/proc/%s/stat" % p).read()
            ppid = int(st[st.rindex(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(p))
            for l in open("/proc/%s/status" % p):
                if l.startswith("VmRSS:"):
                    rss[int(p)] = int(l.split()[1])
        except (OSError, ValueError):
            pass
    total, n, todo = 0, 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        n += 1
        todo += kids.get(p, [])
    return total, n
t0 = time.time()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak = procs = 0
while proc.poll() is None:
    r, n = tree_rss(proc.pid)
    peak, procs = max(peak, r), max(procs, n)
    time.sleep(0.01)
print(peak, procs, "%.2f" % (time.time() - t0))
P

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
wall() { # JOBS QUEUE -> seconds
	local s e
	s=$(date +%s.%N)
	"$ANALYZE" --summary -f json -j "$1" -o "$work/out-j$1.json" "$2"
	local rc=$?
	e=$(date +%s.%N)
	[ $rc = 0 ] || [ $rc = 1 ] || { echo "bench: --summary -j $1 exited $rc" >&2; exit 1; }
	awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f\n", e - s}'
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/j1.times"; : >"$work/j2.times"
for r in $(seq "$RUNS"); do
	wall 1 "$q" >>"$work/j1.times"
	wall 2 "$q" >>"$work/j2.times"
done
cmp -s "$work/out-j1.json" "$work/out-j2.json" || { echo "bench: -j 1 and -j 2 summaries differ" >&2; exit 1; }
rows=$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["bundles"]), sum(1 for b in d["bundles"] if b["error"]))' "$work/out-j2.json")
t1=$(median <"$work/j1.times"); t2=$(median <"$work/j2.times")
speedup=$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.2f", a / b}')
read -r m2_small p2_small _ < <($PY "$work/rss-tree.py" "$ANALYZE" --summary -f json -j 2 -o "$work/m.json" "$qs")
read -r m2_big p2_big _ < <($PY "$work/rss-tree.py" "$ANALYZE" --summary -f json -j 2 -o "$work/m.json" "$q")
read -r m1_big p1_big _ < <($PY "$work/rss-tree.py" "$ANALYZE" --summary -f json -j 1 -o "$work/m.json" "$q")
mem_ratio=$(awk -v a="$m2_big" -v b="$m2_small" 'BEGIN {printf "%.2f", a / b}')
ok=1
v_speed=PASS; awk -v r="$speedup" -v t=$T_SPEEDUP 'BEGIN {exit !(r >= t)}' || { v_speed=MISS; ok=0; }
v_mem=PASS; awk -v r="$mem_ratio" -v t=$T_MEM 'BEGIN {exit !(r <= t)}' || { v_mem=MISS; ok=0; }
bsize=$(du -k "$work/dns.tar.gz" | cut -f1)

echo "summary bench: $N bundles (rows, errors: $rows), -j 1 ${t1}s, -j 2 ${t2}s: ${speedup}x (target >= $T_SPEEDUP) $v_speed"
echo "summary bench: peak RSS of the run, summed over processes, -j 2: $SMALL bundles $m2_small KiB, $N bundles $m2_big KiB (x$mem_ratio, target <= $T_MEM) $v_mem; -j 1: $m1_big KiB"
if [ "${BENCH_NO_RECORD:-0}" != 1 ]; then
	{
		echo ""
		echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): --summary -j 1 vs -j 2 ($v_speed speedup, $v_mem memory)"
		echo ""
		echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM, kernel $(uname -r); commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null)$(git -C "$top" diff --quiet 2>/dev/null || echo ' (+uncommitted changes)'). Load average at the start: $load0, at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes wall times noisy)."
		echo "Queue (tests/bench/summary.sh): $N bundles, copies of 4 spec bundles (dns, healthy, policy, unit-failed) whose agent journal holds $LINES lines (about $bsize KiB each); rows: ${rows% *}, of which ${rows#* } with errors. Wall times: median of $RUNS alternating runs; memory: VmRSS summed over the process tree, sampled every 10 ms."
		echo ""
		echo "| measure | -j 1 | -j 2 | ratio | target | verdict |"
		echo "| --- | ---: | ---: | ---: | --- | --- |"
		echo "| wall time, $N bundles (runs: $(tr '\n' ' ' <"$work/j1.times")/ $(tr '\n' ' ' <"$work/j2.times")) | ${t1}s | ${t2}s | ${speedup}x faster | ≥ $T_SPEEDUP× | $v_speed |"
		echo "| peak RSS of the run (all processes), $SMALL bundles | | $m2_small KiB ($p2_small processes) | | | |"
		echo "| peak RSS of the run (all processes), $N bundles | $m1_big KiB ($p1_big processes) | $m2_big KiB ($p2_big processes) | ×$mem_ratio from $SMALL to $N bundles at -j 2 | ≤ $T_MEM× (flat: bounded by -j) | $v_mem |"
	} >>"$here/RESULTS.md"
	echo "summary bench: appended to tests/bench/RESULTS.md"
fi
[ $ok = 1 ]
