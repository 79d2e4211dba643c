#!/usr/bin/env bash
# tests/bench/logfile.sh [MEGABYTES] [MAX-SIZE]: triage-collect --log-file - on a piped agent log of that size
# (default 1024 MB, --max-size 20M), TMPDIR on a tmpfs of its own: prints the wall time, the peak RSS
# (GNU time), the peak extra disk (the tmpfs, polled every 50 ms, and the manifest's spool_peak_bytes) and
# the bundle's size.  Needs root (the tmpfs).  Not part of `make check`: it takes a minute or more.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
COLLECT=${COLLECT:-$TOP/build/triage-collect}
MB=${1:-1024}
MAX=${2:-20M}
W=$(mktemp -d "${TMPDIR:-/tmp}/triage-bench-logfile.XXXXXX")
# umount's status is not checked: the spool is mounted only once the run got that far.
cleanup() { touch "$W/done"; umount "$W/spool" 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
mkdir "$W/spool"
mount -t tmpfs -o size=2g tmpfs "$W/spool"
python3 "$TOP/tests/bench/gen-agentlog.py" "$MB" >"$W/agent.log"
(
	peak=0
	while [ ! -e "$W/done" ]; do
		u=$(df -k --output=used "$W/spool" | tail -1)
		[ "$u" -gt "$peak" ] && peak=$u && echo "$peak" >"$W/peak"
		sleep 0.05
	done
) &
start=$(date +%s.%N)
TMPDIR=$W/spool /usr/bin/time -f '%M' -o "$W/rss" "$COLLECT" -q --no-probe --max-size "$MAX" --log-file - \
	-o "$W/b.tar.gz" <"$W/agent.log"
end=$(date +%s.%N)
touch "$W/done"
wait
python3 - "$W" "$start" "$end" "$(stat -c %s "$W/agent.log")" "$MAX" <<'EOF'
import json, os, sys, tarfile
w, start, end, insize, mx = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
tf = tarfile.open(os.path.join(w, "b.tar.gz"))
m = json.load(tf.extractfile([t for t in tf.getmembers() if t.name.endswith("/manifest.json")][0]))
s = [x for x in m["sources"] if x["name"].startswith("journal/")][0]
peak = int(open(os.path.join(w, "peak")).read()) * 1024 if os.path.exists(os.path.join(w, "peak")) else 0
print(f"input {insize / 1e6:.0f} MB, {s['lines']} lines, --max-size {mx}")
print(f"wall {end - start:.1f} s, peak RSS {int(open(os.path.join(w, 'rss')).read().split()[-1]) / 1024:.1f} MiB")
print(f"extra disk (TMPDIR) peak {peak / 1048576:.1f} MiB (tmpfs), spool_peak_bytes {s['spool_peak_bytes'] / 1048576:.1f} MiB")
print(f"bundle {os.path.getsize(os.path.join(w, 'b.tar.gz')) / 1048576:.1f} MiB; {s['status']}: {s['entries']} entries kept, {s['omitted']} omitted")
EOF
