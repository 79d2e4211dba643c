#!/usr/bin/env bash
# tests/bench/make-journal.sh: builds (once) the benchmark journal of N entries and prints its folder.
#
# Usage: make-journal.sh N
# The journal is written by systemd-journal-remote from gen-journal.py's export
# stream into tests/bench/work/journal-N-<generator hash>/ (journal files, plus
# meta.json with the span and counts); a second call with the same N and the
# same generator only prints the folder.  Generation runs under nice.
set -euo pipefail

n=${1:?usage: make-journal.sh N}
here=$(cd "$(dirname "$0")" && pwd)
work=$here/work
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=/usr/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || { echo "make-journal: systemd-journal-remote not found (package systemd-journal-remote)" >&2; exit 1; }

key=$(sha256sum "$here/gen-journal.py" | cut -c1-12)
dir=$work/journal-$n-$key
if [ -f "$dir/meta.json" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$work"
tmp=$(mktemp -d "$work/.journal-$n.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
echo "make-journal: generating $n entries into $dir (cached for later runs)" >&2
# journal-remote rotates full files into x@....journal next to x.journal: fine for journalctl -D.
nice -n 10 python3 "$here/gen-journal.py" "$n" "$tmp/meta.json.new" |
	nice -n 10 "$remote" --split-mode=none --compress=yes --output="$tmp/x.journal" - 2>"$tmp/remote.log" ||
	{ cat "$tmp/remote.log" >&2; exit 1; }
got=$(journalctl -D "$tmp" --header 2>/dev/null | sed -n 's/^Entry objects: //p' | awk '{s += $1} END {print s + 0}')
if [ "$got" != "$n" ]; then
	echo "make-journal: journal has $got entries, expected $n" >&2
	cat "$tmp/remote.log" >&2
	exit 1
fi
mv "$tmp/meta.json.new" "$tmp/meta.json"
rm -f "$tmp/remote.log"
chmod 0755 "$tmp"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "make-journal: $n entries, $(du -sh "$dir" | cut -f1), $(( $(date +%s) - start ))s" >&2
echo "$dir"
