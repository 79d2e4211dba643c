#!/usr/bin/env bash
# scripts/demo.sh: the main job, here: collect this machine, analyze that bundle
# and every sample bundle, and say where the reports are.  `make demo` runs it.
set -u
cd "$(dirname "$0")/.."
out=out
mkdir -p "$out/samples"
collect=build/triage-collect
analyze=build/triage-analyze

# analyze BUNDLE STEM: the three report formats; exit 1 (findings) is not a failure.
analyze() {
	local bundle=$1 stem=$2 fmt ext rc
	for fmt in markdown html json; do
		case $fmt in markdown) ext=md ;; *) ext=$fmt ;; esac
		rc=0
		"$analyze" -q -f "$fmt" -o "$stem.$ext" "$bundle" || rc=$?
		if [ "$rc" -gt 1 ]; then
			echo "demo: analyzing $bundle failed (exit $rc)" >&2
			return 1
		fi
	done
	echo "  $stem.html  (also .md, .json)"
}

echo "== collecting this machine"
bundle=$out/this-host.tar.gz
rm -f "$bundle"
if "$collect" -o "$bundle"; then
	echo
	echo "== analyzing"
	analyze "$bundle" "$out/this-host"
else
	echo "demo: triage-collect wrote no bundle (exit $?)" >&2
fi

n=0
for s in samples/*.tar.gz; do
	[ -e "$s" ] || continue
	name=$(basename "$s" .tar.gz)
	analyze "$s" "$out/samples/$name" && n=$((n + 1))
done
echo
echo "Reports: $out/this-host.html, and $n sample reports under $out/samples/."
echo "The markdown (.md) versions paste into a ticket; the JSON is for automation."
