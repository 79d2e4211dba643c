#!/usr/bin/env bash
# test-structure.sh: bundles whose structure cannot be trusted are refused: exit 2, one line naming
# the file and the reason, no report, nothing written, bounded memory (bombs: test-bombs.sh).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/hostile-lib.sh"

# case                        reason the message must give (extended regex, any case)
CASES='
dotdot                        leaves the bundle
dotdot-inner                  leaves the bundle
absolute                      absolute
second-topdir                 top director
long-path                     path.*(long|length)
symlink                       symbolic link
hardlink                      hard link
chardev                       device
blockdev                      device
fifo                          fifo
duplicate                     duplicate
duplicate-manifest            duplicate
flood                         entries
flood-unlisted                entries
flood-dirs                    entries
truncated                     truncated|unexpected end
truncated-trailer             truncated|unexpected end
corrupt                       corrupt|invalid|damaged|crc|checksum|truncated
corrupt-crc                   corrupt|crc|check
not-gzip                      gzip
gzip-not-tar                  tar
gzip-zip                      tar
empty                         empty
empty-tar                     manifest
manifest-missing              manifest.*(missing|no |not found)|no manifest
manifest-not-json             manifest.*json
manifest-truncated-json       manifest.*json
manifest-deep                 manifest.*(deep|depth|nest)
manifest-deep-unclosed        manifest.*(deep|depth|nest|json)
manifest-huge                 manifest.*(cap|large|size|exceed|big)
manifest-array                manifest.*object
manifest-version-string       format_version
manifest-version-float        format_version
manifest-version-unknown      format_version
manifest-version-huge         format_version|too big
manifest-version-missing      format_version
manifest-format-wrong         manifest.*format
manifest-entries-object       manifest.*entries
manifest-entry-size-string    manifest.*size
manifest-entry-size-negative  manifest.*size
manifest-entry-sha-bad        manifest.*sha
manifest-entry-path-escape    manifest.*path
manifest-sources-wrong        manifest.*(sources|name|status)
manifest-nul                  manifest
dir-symlink-out               symbolic link
dir-symlink-listed            symbolic link
dir-symlink-dir               symbolic link
dir-fifo                      fifo|not a regular file
dir-socket                    socket
dir-deep                      nested|deep
dir-no-manifest               manifest
'
# shellcheck disable=SC2086
gen_many $(awk '{print $1}' <<<"$CASES") || fail "generators" "gen.py --many failed"
while read -r c re; do
	[ -n "$c" ] || continue
	refused "$c" "$re" "$T/in/$c"
done <<<"$CASES"

# A manifest that is a symlink to a file outside the folder.
in=$(gen dir-manifest-symlink) && refused dir-manifest-symlink 'symbolic link' "$in/bundle"

# A plain tar of a healthy bundle (a browser already un-gzipped it) is a bundle: read, same caps.
in=$(gen plain-tar) && {
	rc=0; "$ANALYZE" -f json "$in" >"$T/plain-tar.json" 2>"$T/plain-tar.err" || rc=$?
	if [ "$rc" -le 1 ] && $PY -c 'import json,sys; assert json.load(open(sys.argv[1]))["schema"] == "triage-report/1"' "$T/plain-tar.json"; then
		pass "plain-tar: read as a bundle (exit $rc)"
	else fail "plain-tar: read as a bundle" "exit $rc: $(head -c 200 "$T/plain-tar.err")"; fi
}

# Names that do not exist or are not bundles at all.
refused nonexistent 'no such file' "$T/does-not-exist.tar.gz"
refused dev-null 'empty|not a regular|gzip' /dev/null
mkdir -p "$T/nomanifest/journal" && echo '{}' >"$T/nomanifest/journal/x.jsonl"
refused dir-without-manifest 'manifest' "$T/nomanifest"
finish
