#!/usr/bin/env bash
# test-content.sh: content problems in a well-formed bundle are reported and the rest is analyzed:
# integrity failures, hostile journal lines, hostile configs and snapshots.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/hostile-lib.sh"

gen_many integrity-hash integrity-size integrity-missing integrity-unlisted manifest-last \
	journal-invalid-json journal-deep journal-non-utf8 journal-nul journal-big-fields \
	journal-many-lines journal-long-line journal-message-types journal-long-noline \
	config-alias-bomb config-deep config-garbage host-unit-types host-unit-not-json ||
	fail generators "gen.py --many failed"
J=journal/onboarding-agent.service.jsonl
DNS=endpoint-dns-unresolvable

# Integrity: the entry is named, the rules that read it are not evaluated.
for c in integrity-hash integrity-size integrity-missing; do
	analyzed "$c" "$(gen $c)" -- --integrity "$J" --not-evaluated --no-finding "$DNS"
done
analyzed integrity-unlisted "$(gen integrity-unlisted)" -- --integrity extra/unlisted.txt
analyzed manifest-last "$(gen manifest-last)" -- --no-finding bundle-integrity-failed
analyzed healthy "$(gen healthy)" -- --no-finding bundle-integrity-failed --no-finding "$DNS"

# Hostile journal lines, each file ending with a DNS failure line that must still be found.
for c in journal-invalid-json journal-deep journal-non-utf8 journal-nul journal-big-fields \
	 journal-many-lines journal-long-line; do
	in=$(gen "$c") || { fail "$c" "generator failed"; continue; }
	analyzed "$c" "$in" -- --finding "$DNS" --no-finding bundle-integrity-failed
	rm -f "$in"
done
# A byte-array MESSAGE is decoded and matched as text.
analyzed journal-message-types "$(gen journal-message-types)" -- --finding "$DNS" \
	--evidence-contains onboarding.bytes.invalid
# 1 GiB with no newline and no end: counted, skipped, the rest analyzed.
in=$(gen journal-long-noline) && analyzed journal-long-noline "$in" -- --no-finding bundle-integrity-failed
rm -f "$in"

# Configs and snapshots that are hostile or of the wrong types.
for c in config-alias-bomb config-deep config-garbage host-unit-types host-unit-not-json; do
	analyzed "$c" "$(gen $c)" -- --no-finding bundle-integrity-failed
done
finish
