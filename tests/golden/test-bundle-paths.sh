#!/usr/bin/env bash
# tests/golden/test-bundle-paths.sh: every bundle path is spelled in one header,
# common/bundle_paths.h (issue 13).  A C string literal in common/, collect/ or
# analyze/ that starts with a bundle path (manifest.json, host.json, resolver/,
# units/, journal/, config/, ecs/) fails, naming the file and line.  Prose that
# merely mentions a path inside a message (not at the start of a literal) is
# allowed: translated messages keep their msgid.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
re='"(manifest\.json|host\.json|resolver/|units/|journal/|config/|config%s|ecs/)'
[ -f common/bundle_paths.h ] && pass "common/bundle_paths.h exists" || fail "common/bundle_paths.h exists"
for p in manifest.json host.json resolver/ units/ journal/ config/ ecs/; do
	grep -qF "\"$p" common/bundle_paths.h && pass "bundle_paths.h names $p" || fail "bundle_paths.h names $p"
done
# Comments are not code: drop /* ... */ lines and // lines before looking.
hits=$(grep -nE "$re" common/*.[ch] collect/*.[ch] analyze/*.[ch] | grep -v '^common/bundle_paths\.h:' |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*|//)')
if [ -z "$hits" ]; then
	pass "no bundle path literal outside common/bundle_paths.h"
else
	fail "bundle path literals outside common/bundle_paths.h" "$(printf '\n%s' "$hits")"
fi
# The test must see a planted literal (it is not vacuous).
tmp=$T
printf 'static const char *p = "resolver/probes.json";\n' >"$tmp/x.c"
grep -qE "$re" "$tmp/x.c" && pass "a planted literal is found" || fail "a planted literal is found"
finish
