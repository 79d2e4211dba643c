#!/usr/bin/env bash
# tests/integration/test-truth-inputs.sh: the analyzer reads the bundles users have (issue 12 item 7):
# a bundle on standard input (pipe or redirect), a plain .tar, one re-packed from inside its folder
# ('./config/...'), a stray file beside the top folder; same caps and checks; what is refused says
# what to do.
source "$(dirname "$0")/../lib.sh"
GEN=(python3 "$TOP/tests/hostile/gen.py")
mkjournal mixed 200 1795000000 "$T/jd"
"$COLLECT" -q --journal-dir "$T/jd" --no-probe -o "$T/b.tar.gz" || fail "collect" "exit $?"
cd "$T" || exit 1

# findings and not-evaluated rules of a JSON report, one line
summary() { $PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sorted(f["rule"] + ":" + str(f["count"]) for f in r["findings"]), sorted(x["rule"] for x in r["not_evaluated"]), r["bundle"]["hostname"])' "$1"; }
# Critical findings (config missing, DNS, policy): exit 1, and the same from every form below.
expect_run "analyze -f json b.tar.gz" 1 "$T/ref.json" "$ANALYZE" -f json "$T/b.tar.gz"
REF=$(summary "$T/ref.json")

same() { # NAME: $T/NAME.json reports what the reference reports
	if [ "$(summary "$T/$1.json" 2>&1)" = "$REF" ]; then pass "$1: same findings as the .tar.gz"
	else fail "$1: same findings as the .tar.gz" "$(summary "$T/$1.json" 2>&1 | head -c 300)"; fi
}

# standard input: a pipe, and a redirected file
rc=0; cat "$T/b.tar.gz" | "$ANALYZE" -f json - >"$T/stdin-pipe.json" 2>"$T/e" || rc=$?
check "stdin (pipe): exit 0 or 1" test "$rc" -le 1
same stdin-pipe
rc=0; "$ANALYZE" -f json - <"$T/b.tar.gz" >"$T/stdin-file.json" 2>"$T/e" || rc=$?
check "stdin (redirect): exit 0 or 1" test "$rc" -le 1
# A pipe is held in memory, so it has a cap: past it, one line that says to give the file's name
rc=0; head -c 270000000 /dev/zero | "$ANALYZE" - >/dev/null 2>"$T/big.err" || rc=$?
check "stdin over 256 MiB: refused (exit 2, one line saying what to do)" sh -c \
	"[ $rc = 2 ] && [ \$(wc -l <'$T/big.err') = 1 ] && grep -q 'more than 256 MiB on standard input: save the bundle to a file' '$T/big.err'"
same stdin-file
check "stdin: nothing extracted to disk (TMPDIR and the folder stay empty)" sh -c "mkdir -p '$T/tmp' '$T/cwd' && cd '$T/cwd' && cat '$T/b.tar.gz' | TMPDIR='$T/tmp' '$ANALYZE' - >/dev/null 2>&1; [ \$(find '$T/tmp' '$T/cwd' -mindepth 1 | wc -l) = 0 ]"

# a plain .tar (a browser already un-gzipped it), from a file and from a pipe
gzip -dc "$T/b.tar.gz" >"$T/b.tar"
expect_run "analyze -f json b.tar" 1 "$T/plain-tar.json" "$ANALYZE" -f json "$T/b.tar"; same plain-tar
expect_run "analyze -f json - <b.tar" 1 "$T/plain-tar-stdin.json" "$ANALYZE" -f json - <"$T/b.tar"; same plain-tar-stdin

# re-packed from inside its folder: entries ./manifest.json, ./config/...; and a stray file beside it
mkdir "$T/x"
tar -xzf "$T/b.tar.gz" -C "$T/x"
top=$(ls "$T/x")
(cd "$T/x/$top" && tar -czf "$T/repacked.tar.gz" .)
check "repacked: entries start with ./" sh -c "tar -tzf '$T/repacked.tar.gz' | head -1 | grep -qx './'"
expect_run "analyze -f json repacked.tar.gz" 1 "$T/repacked.json" "$ANALYZE" -f json "$T/repacked.tar.gz"; same repacked
(cd "$T/x/$top" && tar -cf - .) | "$ANALYZE" -f json - >"$T/repacked-stdin.json" 2>"$T/e"; same repacked-stdin
echo "my notes" >"$T/x/notes.txt"
expect_run "analyze -f json x" 1 "$T/stray-dir.json" "$ANALYZE" -f json "$T/x"; same stray-dir
(cd "$T/x" && tar -czf "$T/stray.tar.gz" notes.txt "$top")
expect_run "analyze -f json stray.tar.gz" 1 "$T/stray-tar.json" "$ANALYZE" -f json "$T/stray.tar.gz"; same stray-tar

# still refused, with a message that says what to do; the caps hold on standard input
cp -r "$T/x/$top" "$T/x/second"
expect_status "two bundles in one folder: refused" 2 "$ANALYZE" "$T/x"
check "two bundles in one folder: says to give one" grep -q "give one of their folders" "$T/.err"
echo "hello" >"$T/text.tar.gz"
expect_status "not a bundle: refused" 2 "$ANALYZE" "$T/text.tar.gz"
check "not a bundle: says what to give" grep -q "give the .tar.gz" "$T/.err"
mkdir "$T/nobundle" && echo x >"$T/nobundle/a.txt"
expect_status "a folder without a bundle: refused" 2 "$ANALYZE" "$T/nobundle"
check "a folder without a bundle: says what to give" grep -q "give the bundle's folder" "$T/.err"
for c in dotdot symlink bomb-ratio; do
	"${GEN[@]}" "$c" "$T/$c.tar.gz" >/dev/null 2>"$T/gen.err" || { fail "gen $c" "the generator failed: $(tail -n 2 "$T/gen.err" | tr '\n' ' ')"; continue; }
	rc=0; "$ANALYZE" - <"$T/$c.tar.gz" >/dev/null 2>"$T/$c.err" || rc=$?
	check "stdin, hostile $c: refused (exit 2, one line)" sh -c "[ $rc = 2 ] && [ \$(wc -l <'$T/$c.err') = 1 ]"
	rc=0; cat "$T/$c.tar.gz" | "$ANALYZE" - >/dev/null 2>"$T/$c.err" || rc=$?
	check "stdin pipe, hostile $c: refused (exit 2)" test "$rc" = 2
done
finish
