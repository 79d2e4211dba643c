# tests/golden/common.sh: shared by test-*.sh and update.sh: builds the test-bundle
# helper and the bundles of tests/golden/specs/ with the common/ writer.
# Needs TOP, BUILD and a scratch folder T (tests/lib.sh sets them).

GOLDEN=$TOP/tests/golden

# build_mkbundle: compiles tests/golden/mkbundle.c against $BUILD/libtriage.a into $T.
build_mkbundle() {
	local san=
	# A sanitizer build of the library needs the sanitizer runtime too.
	if nm "$BUILD/libtriage.a" 2>/dev/null | grep -q __asan_; then
		san="-fsanitize=address,undefined"
	fi
	# shellcheck disable=SC2046,SC2086
	cc -std=c17 -O1 $san -D_GNU_SOURCE -I"$TOP/common" -o "$T/mkbundle" "$GOLDEN/mkbundle.c" \
		"$BUILD/libtriage.a" $(pkg-config --libs libarchive jansson nettle) $(pkg-config --libs libdeflate 2>/dev/null) -lpthread
}

# build_specs: one $T/bundles/<name>.tar.gz per tests/golden/specs/<name>/.
build_specs() {
	local d name
	mkdir -p "$T/bundles"
	for d in "$GOLDEN"/specs/*/; do
		name=$(basename "$d")
		"$T/mkbundle" "$d" "$T/bundles/$name.tar.gz" || return 1
	done
}

# golden_cases: lines "NAME DIR EXPECTED_PREFIX": every spec bundle and every sample.
golden_cases() {
	local f name
	for f in "$T"/bundles/*.tar.gz; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .tar.gz)
		echo "$name $T/bundles $GOLDEN/expected/$name"
	done
	for f in "$TOP"/samples/*.tar.gz; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .tar.gz)
		if [ -e "$TOP/samples/$name.expected.md" ] || [ ! -e "$GOLDEN/expected/sample-$name.expected.md" ]; then
			echo "$name $TOP/samples $TOP/samples/$name"
		else
			echo "$name $TOP/samples $GOLDEN/expected/sample-$name"
		fi
	done
}

# baseline_cases: lines "NAME OLD NEW [OPTIONS]": --baseline goldens over the samples
# (tests/golden/expected/baseline-NAME.expected.{md,html,json}).
baseline_cases() {
	echo "dns-to-healthy dns-failure healthy"
	echo "healthy-to-policy healthy policy-denied"
}

# golden_run NAME PREFIX EXT DIR CMD...: runs CMD in folder DIR and compares, byte for byte, its
# standard output with PREFIX.expected.EXT, its exit status with the number in PREFIX.expected.status
# and its standard error with PREFIX.expected.stderr (PREFIX.expected.zh.stderr for a Chinese report,
# EXT zh.*: messages are translated).  tests/golden/update.sh writes them all.  One PASS/FAIL line
# "golden NAME.EXT"; a failure says which of the three differed (and shows the report's diff).
golden_run() {
	local name=$1 prefix=$2 ext=$3 dir=$4 rc=0 why="" f; shift 4
	local want=$prefix.expected.$ext err=$prefix.expected.stderr
	case $ext in zh.*) err=$prefix.expected.zh.stderr ;; esac
	for f in "$want" "$prefix.expected.status" "$err"; do
		[ -e "$f" ] || why+="no $f (run tests/golden/update.sh); "
	done
	if [ -n "$why" ]; then fail "golden $name.$ext" "$why"; return; fi
	(cd "$dir" && "$@") >"$T/got" 2>"$T/err" || rc=$?
	if [ "$rc" != "$(cat "$prefix.expected.status")" ]; then
		why+="exit $rc, $prefix.expected.status says $(cat "$prefix.expected.status"); "
	fi
	if ! cmp -s "$err" "$T/err"; then
		why+="stderr differs from $err: got '$(head -c 300 "$T/err" | tr '\n' '|')'; "
	fi
	if ! diff -u "$want" "$T/got" >"$T/diff"; then
		why+="report differs from $want; "
	fi
	if [ -z "$why" ]; then
		pass "golden $name.$ext"
	else
		fail "golden $name.$ext" "$why"
		head -60 "$T/diff"
	fi
}
