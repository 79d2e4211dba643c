#!/usr/bin/env bash
# tests/integration/test-truth-window.sh: the journal window tells the truth (issue 12 item 2) and
# --since/--until read what journalctl reads (item 8): relative times count from the newest entry of
# a tree, an empty slice of a unit with entries elsewhere is said on stderr, in the manifest and in
# the report, future/zero/reversed windows and impossible dates are refused.
source "$(dirname "$0")/../lib.sh"
BC="$PY $TOP/tests/nspawn/bundle-check.py"
U=onboarding-agent.service
END=1795000000

mkjournal mixed 300 $END "$T/jd"
journalctl -D "$T/jd" -u $U -o json --all >"$T/all.jc"
NEWEST=$(tail -1 "$T/all.jc" | $PY -c 'import json,sys; print(int(json.load(sys.stdin)["__REALTIME_TIMESTAMP"]) // 10**6)')
iso() { $PY -c "import sys,time; print(time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(int(sys.argv[1]))))" "$1"; }

# ---- relative times count from the newest entry of --journal-dir (not from now, 12 days later)
for spec in "-2h" "2 hours ago" "-1h60m" "-7200s"; do
	B=$T/rel.tar.gz; rm -f "$B"
	expect_status "journal-dir --since '$spec': exit 0" 0 "$COLLECT" -q --journal-dir "$T/jd" --no-probe --since "$spec" -o "$B"
	check "journal-dir --since '$spec': window is the 2 hours before the newest entry" sh -c \
		"$BC get $B 'src(\"journal/$U\")[\"since\"] + \" \" + src(\"journal/$U\")[\"until\"]' | grep -qx '$(iso $((NEWEST - 7200))) $(iso $NEWEST)'"
	journalctl -D "$T/jd" -u $U -o json --all --since "@$((NEWEST - 7200))" --until "@$NEWEST" >"$T/rel.jc"
	check "journal-dir --since '$spec': same entries as journalctl" $BC journal "$B" $U "$T/rel.jc"
done
B=$T/root-rel.tar.gz
mkdir -p "$T/root/var/log/journal/m1" "$T/root/etc"
cp "$T/jd/remote.journal" "$T/root/var/log/journal/m1/system.journal"
expect_status "root --since -30m: exit 0" 0 "$COLLECT" -q --root "$T/root" --since -30m -o "$B"
check "root --since -30m: counts from the newest entry" sh -c "$BC get $B 'src(\"journal/$U\")[\"since\"]' | grep -qx $(iso $((NEWEST - 1800)))"

# ---- an empty slice while the unit has entries elsewhere: stderr, manifest, report
B=$T/empty.tar.gz
rc=0; "$COLLECT" --journal-dir "$T/jd" --no-probe --since "$(iso $((NEWEST + 86400)) | tr T ' ' | tr -d Z) UTC" -o "$B" 2>"$T/empty.err" >/dev/null || rc=$?
check "empty slice: exit 0 (the other sources are worth having)" test "$rc" = 0
check "empty slice: stderr says no entry and where the entries are" grep -q "no entry from .*but the unit has entries from $(iso $((NEWEST - 3600)) | cut -c1-13)" "$T/empty.err"
check "empty slice: manifest says so (unavailable, with the unit's extent)" sh -c \
	"$BC get $B 'src(\"journal/$U\")[\"status\"] + \" \" + src(\"journal/$U\")[\"unit_last\"]' | grep -qx 'unavailable $(iso $NEWEST)'"
check "empty slice: no empty journal file" sh -c "$BC get $B '\"journal/$U.jsonl\" in files' | grep -qx False"
# No config on this host: onboarding-config-missing (critical), exit 1.
expect_run "empty slice: the analyzer reads the bundle" 1 "$T/empty.json" "$ANALYZE" -f json "$B"
check "empty slice: report lists the journal rules as not evaluated, naming the window and the entries" $PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
ne = {x["rule"]: x["reason"] for x in r["not_evaluated"]}
why = ne.get("endpoint-dns-unresolvable", "")
sys.exit(0 if "no entry from" in why and "the unit has entries from" in why else 1)' "$T/empty.json"
expect_run "empty slice: markdown report" 1 "$T/empty.md" "$ANALYZE" "$B"
check "empty slice: markdown report shows it" grep -q "but the unit has entries from" "$T/empty.md"

# ---- refused: future --since, zero spans, reversed windows (given or implied), impossible dates
for args in "--since +1h" "--since -0h" "--since -0min" "--since 2030-01-01" "--since -1h --until -2h" \
	"--until 2026-01-01 --since 2026-02-01" "--since 2026-02-30" "--until 2026-04-31"; do
	# shellcheck disable=SC2086
	expect_status "refused: $args: exit 2" 2 "$COLLECT" -q --no-probe $args -o "$T/refused.tar.gz"
	check "refused: $args: one line says why" sh -c "[ \$(wc -l <'$T/.err') = 1 ] && grep -q 'future\|zero\|reversed\|empty\|not a valid date' '$T/.err'"
	check "refused: $args: nothing written" test ! -e "$T/refused.tar.gz"
done
expect_status "refused: implied reversed window (--until before the tree's entries, --since after)" 2 \
	"$COLLECT" -q --journal-dir "$T/jd" --since "$(iso $((NEWEST - 600)))" --until -1d -o "$T/refused.tar.gz"

# ---- journalctl's forms are accepted
for spec in "2 hours ago" "-2h30m" "19:00" "2026-11-18 09:00 UTC" "-1day" "yesterday" "@$NEWEST" "Wed 2026-11-18 10:00 UTC" "-1 week"; do
	expect_status "accepted: --since '$spec'" 0 "$COLLECT" -q --journal-dir "$T/jd" --no-probe --since "$spec" --until "@$((NEWEST + 86400))" --dry-run
done
finish
