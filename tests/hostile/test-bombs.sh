#!/usr/bin/env bash
# test-bombs.sh: decompression bombs are refused by the caps (per entry, in total, by ratio)
# before they cost more than a few hundred MB; floods of entries by the entry cap.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/hostile-lib.sh"

# bomb-entry: one entry of 10 GB zeros (10 MB compressed): over the per-entry cap.
# bomb-total: three entries of 1.9 GB (under the per-entry cap), 5.7 GB in all.
# bomb-ratio: 1 GiB of zeros at deflate's best ratio (~1030:1): under both size caps.
while read -r c re; do
	[ -n "$c" ] || continue
	in=$(gen "$c") || { fail "$c" "generator failed"; continue; }
	refused "$c" "$re" "$in"
	rm -f "$in"
done <<'CASES'
bomb-entry      (entry|size|large|limit|exceed|ratio)
bomb-total      (total|limit|exceed|ratio)
bomb-ratio      ratio|compress
CASES
finish
