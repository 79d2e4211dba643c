#!/usr/bin/env bash
# tests/integration/test-collect-budget.sh: --max-size trims the journal to fit: the bundle stays within
# the budget, the newest entries and warnings-or-worse are kept first, the manifest says how many were
# left out; without a tight budget nothing is left out.
source "$(dirname "$0")/../lib.sh"
BC="$PY $TOP/tests/nspawn/bundle-check.py"
U=onboarding-agent.service
END=1795000000

mkjournal bulk 30000 $END "$T/jd"
journalctl -D "$T/jd" -u $U -o json --all >"$T/all.jc"

for budget in 200K 1M; do
	B=$T/b-$budget.tar.gz
	expect_status "max-size $budget: exit 0" 0 "$COLLECT" -q --journal-dir "$T/jd" --no-probe --max-size $budget -o "$B"
	check "max-size $budget: bundle valid" $BC verify "$B"
	limit=$($PY -c "print({'200K': 200 * 1024, '1M': 1024 * 1024}['$budget'])")
	check "max-size $budget: bundle within the budget ($(stat -c %s "$B") bytes)" test "$(stat -c %s "$B")" -le "$limit"
	check "max-size $budget: trimmed newest and warnings first, counted" $BC trimmed "$B" $U "$T/all.jc"
done
check "max-size 200K: only warnings kept (they alone exceed it)" sh -c "$BC get $T/b-200K.tar.gz 'set(e[\"PRIORITY\"] for e in jl(\"journal/$U.jsonl\"))' | grep -qx \"{'4'}\""
check "max-size 1M: warnings all kept, then newest others" sh -c "$BC get $T/b-1M.tar.gz 'sum(e[\"PRIORITY\"] == \"4\" for e in jl(\"journal/$U.jsonl\"))' | grep -qx 3000"

expect_status "default budget: exit 0" 0 "$COLLECT" -q --journal-dir "$T/jd" --no-probe -o "$T/full.tar.gz"
check "default budget: nothing left out" $BC journal "$T/full.tar.gz" $U "$T/all.jc"
finish
