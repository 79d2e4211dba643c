#!/usr/bin/env bash
# tests/dist/test-dist.sh: the portable release in dist/ (make dist), as a customer gets it.
# - checksums, contents, and the ELF checks: the collector NEEDs only libc's libraries and
#   libsystemd.so.0 with no glibc symbol newer than 2.28 and no libsystemd symbol newer than 239; the
#   analyzer NEEDs only libc's libraries (objdump -p / -T), for x86_64 and aarch64;
# - the .deb and .rpm hold the same programs as the tarball;
# - Debian 11 and Debian 13 booted with systemd (systemd-nspawn on cached root filesystems, volatile
#   overlay: the cache stays clean): the .deb installed in one, the tarball unpacked in the other, the
#   released collector run against a stand-in onboarding-agent.service, the bundle checked against the
#   container's own `systemctl show` and `journalctl -o json`, the released analyzer run on it there;
# - aarch64 under qemu-user: --root collection and analysis, the same results as x86_64.
# - the released programs in Chinese under LANG=zh_CN.UTF-8, from the translations built into them.
source "$(dirname "$0")/../lib.sh"
BC="$PY $TOP/tests/nspawn/bundle-check.py"
U=onboarding-agent.service
SHOW=LoadState,ActiveState,SubState,Result,NRestarts,FragmentPath,Type
DIST=$TOP/dist
VERSION=$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")
ARCHES="x86_64 aarch64"
GLIBC_MAX=2.28
SYSTEMD_MAX=239

[ -f "$DIST/SHA256SUMS" ] || { fail "release present" "no $DIST/SHA256SUMS: make dist"; finish; }
check "download checksums verify (sha256sum -c SHA256SUMS)" sh -c "cd '$DIST' && sha256sum --quiet -c SHA256SUMS"
want=""
for a in $ARCHES; do
	case $a in x86_64) d=amd64 ;; aarch64) d=arm64 ;; esac
	want="$want triage-$VERSION-linux-$a.tar.gz"
	for p in triage-collect triage-analyze; do want="$want ${p}_${VERSION}_$d.deb $p-$VERSION.$a.rpm"; done
done
missing=""; for f in $want; do grep -q " $f\$" "$DIST/SHA256SUMS" || missing="$missing $f"; done
if [ -z "$missing" ]; then pass "release has every file:$want"; else fail "release has every file" "missing:$missing"; fi

# ver_le A B: version A <= B (sort -V)
ver_le() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$1" ]; }

# elf_check NAME FILE ALLOWED-NEEDED-REGEX WANT-SYSTEMD: NEEDED and versioned symbols.
elf_check() {
	local name=$1 f=$2 allowed=$3 systemd=$4 needed bad v gmax smax other
	needed=$(objdump -p "$f" | awk '$1 == "NEEDED" { print $2 }')
	bad=$(echo "$needed" | grep -Ev "^($allowed)\$" | tr '\n' ' ')
	if [ -n "$needed" ] && [ -z "$bad" ]; then pass "$name: NEEDED only $(echo $needed)"
	else fail "$name: NEEDED only libc's libraries${systemd:+ and libsystemd.so.0}" "also needs: ${bad:-nothing at all?}"; fi
	objdump -T "$f" >"$T/dynsym" || { fail "$name: objdump -T" "failed"; return; }
	gmax=$(grep -o 'GLIBC_[0-9][0-9.]*' "$T/dynsym" | sed 's/GLIBC_//' | sort -V | tail -1)
	if [ -n "$gmax" ] && ver_le "$gmax" $GLIBC_MAX; then pass "$name: newest glibc symbol $gmax <= $GLIBC_MAX"
	else fail "$name: newest glibc symbol <= $GLIBC_MAX" "GLIBC_$gmax: $(grep "GLIBC_$gmax" "$T/dynsym" | awk '{print $NF}' | tr '\n' ' ')"; fi
	smax=$(grep -o 'LIBSYSTEMD_[0-9]*' "$T/dynsym" | sed 's/LIBSYSTEMD_//' | sort -n | tail -1)
	if [ -n "$systemd" ]; then
		if [ -n "$smax" ] && [ "$smax" -le $SYSTEMD_MAX ]; then pass "$name: newest libsystemd symbol $smax <= $SYSTEMD_MAX"
		else fail "$name: newest libsystemd symbol <= $SYSTEMD_MAX" "LIBSYSTEMD_$smax: $(grep "LIBSYSTEMD_$smax" "$T/dynsym" | awk '{print $NF}' | tr '\n' ' ')"; fi
	elif [ -n "$smax" ]; then fail "$name: no libsystemd symbol" "LIBSYSTEMD_$smax"; else pass "$name: no libsystemd symbol"; fi
	# Every undefined symbol is versioned by glibc or libsystemd: nothing else is linked dynamically.
	other=$(awk '/\*UND\*/ && $2 != "w" && $0 !~ /(GLIBC|LIBSYSTEMD)_/ { print $NF }' "$T/dynsym" | tr '\n' ' ')
	if [ -z "$other" ]; then pass "$name: every imported symbol comes from glibc${systemd:+ or libsystemd}"
	else fail "$name: every imported symbol comes from glibc${systemd:+ or libsystemd}" "$other"; fi
}
LIBC_LIBS='libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libanl\.so\.1|libresolv\.so\.2|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1'

for a in $ARCHES; do
	case $a in x86_64) d=amd64 mach="X86-64" ;; aarch64) d=arm64 mach="AArch64" ;; esac
	name=triage-$VERSION-linux-$a
	R=$T/$a
	mkdir -p "$R"
	if ! tar -C "$R" -xzf "$DIST/$name.tar.gz"; then fail "$a: tarball unpacks" "tar failed"; continue; fi
	R=$R/$name
	check "$a: tarball checksums verify" sh -c "cd '$R' && sha256sum --quiet -c SHA256SUMS"
	check "$a: tarball holds programs, man pages, README, LICENSE" \
		test -x "$R/triage-collect" -a -x "$R/triage-analyze" -a -s "$R/triage-collect.1" -a -s "$R/triage-analyze.1" -a -s "$R/README.md" -a -s "$R/LICENSE"
	check "$a: programs are $mach ELF, stripped" sh -c "readelf -h '$R/triage-collect' | grep -q 'Machine:.*$mach' &&
		readelf -h '$R/triage-analyze' | grep -q 'Machine:.*$mach' && ! readelf -S '$R/triage-collect' | grep -q '\.debug_info'"
	elf_check "$a collector" "$R/triage-collect" "$LIBC_LIBS|libsystemd\.so\.0" yes
	elf_check "$a analyzer" "$R/triage-analyze" "$LIBC_LIBS" ""
	size=$(stat -c %s "$R/triage-collect")
	if [ "$size" -lt $((2 * 1024 * 1024)) ]; then pass "$a: collector under 2 MiB stripped ($size bytes)"
	else fail "$a: collector under 2 MiB stripped" "$size bytes"; fi
	echo "# $a stripped sizes: triage-collect $size, triage-analyze $(stat -c %s "$R/triage-analyze") bytes"
	for p in triage-collect triage-analyze; do
		deb=$DIST/${p}_${VERSION}_$d.deb rpm=$DIST/$p-$VERSION.$a.rpm
		mkdir -p "$T/deb-$a-$p"
		dpkg-deb -x "$deb" "$T/deb-$a-$p" 2>/dev/null
		check "$a: $p .deb holds the tarball's program, man page and copyright" sh -c "cmp -s '$T/deb-$a-$p/usr/bin/$p' '$R/$p' &&
			test -s '$T/deb-$a-$p/usr/share/man/man1/$p.1.gz' -a -s '$T/deb-$a-$p/usr/share/doc/$p/copyright' &&
			[ \"\$(dpkg-deb -f '$deb' Package Version Architecture | tr '\n' ' ')\" = 'Package: $p Version: $VERSION Architecture: $d ' ]"
		mkdir -p "$T/rpm-$a-$p"
		(cd "$T/rpm-$a-$p" && rpm2archive - <"$rpm" | tar -xzf - 2>/dev/null)
		check "$a: $p .rpm holds the tarball's program, for $a" sh -c "cmp -s '$T/rpm-$a-$p/usr/bin/$p' '$R/$p' &&
			[ \"\$(rpm -qp --qf '%{NAME} %{VERSION} %{ARCH}' '$rpm' 2>/dev/null)\" = '$p $VERSION $a' ]"
	done
	check "$a: the collector's .deb and .rpm recommend the analyzer (its findings after collecting)" sh -c \
		"dpkg-deb -f '$DIST/triage-collect_${VERSION}_$d.deb' Recommends | grep -qx 'triage-analyze (= $VERSION)' &&
		 rpm -qp --recommends '$DIST/triage-collect-$VERSION.$a.rpm' 2>/dev/null | grep -qx 'triage-analyze = $VERSION'"
	check "$a: the collector .rpm requires libsystemd.so.0, nothing newer than LIBSYSTEMD_$SYSTEMD_MAX" sh -c \
		"rpm -qpR '$DIST/triage-collect-$VERSION.$a.rpm' 2>/dev/null | grep -q '^libsystemd.so.0' &&
		 ! rpm -qpR '$DIST/triage-collect-$VERSION.$a.rpm' 2>/dev/null | grep -E 'LIBSYSTEMD_(2[4-9][0-9]|[3-9][0-9]{2})'"
done
X=$T/x86_64/triage-$VERSION-linux-x86_64
A=$T/aarch64/triage-$VERSION-linux-aarch64

# ---- the released programs speak Chinese under a Chinese locale, with no other file installed
mkdir -p "$T/zhroot/etc/onboarding-agent"
printf 'nameserver 192.0.2.53\n' >"$T/zhroot/etc/resolv.conf"
expect_run "x86_64: the released collector writes the bundle under a Chinese locale" 0 /dev/null \
	env -i PATH=/usr/bin:/bin LANG=zh_CN.UTF-8 "$X/triage-collect" --no-analyze --root "$T/zhroot" --no-probe -o "$T/zh.tar.gz"
cp "$T/.err" "$T/zh.err"
check "x86_64: the released collector prints its summary in Chinese (LANG=zh_CN.UTF-8, nothing installed)" \
	grep -qx "triage-collect: 请把这个文件附加到您的支持工单：$T/zh.tar.gz" "$T/zh.err"
check "x86_64: the released analyzer reports in Chinese (--lang zh, and LANG=zh_CN.UTF-8)" sh -c \
	"'$X/triage-analyze' --lang zh '$T/zh.tar.gz' | grep -q '^# 诊断报告：' &&
	 env -i LANG=zh_CN.UTF-8 '$X/triage-analyze' '$T/zh.tar.gz' | grep -q '^# 诊断报告：'"

# ---- the Makefile: loud when pkg-config cannot find a library; plain `make` on Debian 11 too
rc=0; PKG_CONFIG_LIBDIR=$T/empty PKG_CONFIG_PATH= make -C "$TOP" --no-print-directory BUILD="$T/nopc" all >"$T/nopc.out" 2>&1 || rc=$?
if [ $rc != 0 ] && grep -q '^Makefile: pkg-config cannot find: libarchive jansson' "$T/nopc.out" && [ ! -e "$T/nopc/triage-collect" ]; then
	pass "make stops with one line when pkg-config finds no library"
else fail "make stops with one line when pkg-config finds no library" "exit $rc: $(head -3 "$T/nopc.out" | tr '\n' ' ')"; fi
mkdir -p "$T/oldpc"
printf 'Name: libarchive\nDescription: Debian 11 stand-in\nVersion: 3.4.3\nLibs: -larchive\nCflags:\n' >"$T/oldpc/libarchive.pc"
rc=0; PKG_CONFIG_PATH=$T/oldpc make -C "$TOP" --no-print-directory BUILD="$T/oldpc/b" all >"$T/oldpc.out" 2>&1 || rc=$?
if [ $rc != 0 ] && grep -q '^Makefile: libarchive 3.4.3 is older than 3.6.0' "$T/oldpc.out"; then
	pass "make stops with one line on Debian 11's libarchive 3.4.3"
else fail "make stops with one line on Debian 11's libarchive 3.4.3" "exit $rc: $(head -3 "$T/oldpc.out" | tr '\n' ' ')"; fi
SYSROOT=$("$TOP/scripts/sysroot.sh" build) || { fail "sysroot" "scripts/sysroot.sh build failed"; finish; }
# insysroot CMD: CMD in the Debian 11 sysroot with the tree at /src.
insysroot() {
	unshare -m sh -c 'mkdir -p "$1/src" && mount --bind "$2" "$1/src" && mount --bind /dev "$1/dev" &&
		mount -t proc proc "$1/proc" && exec chroot "$1" /bin/sh -c "$3"' sh "$SYSROOT" "$TOP" "$1"
}
# Debian 11's libarchive-dev is 3.4.3 (no archive_write_open2): the sysroot's 3.7.4 stands in.
if insysroot "cd /src && PKG_CONFIG_PATH=/opt/triage/x86_64/lib/pkgconfig make --no-print-directory -j2 BUILD=dist/build/plain-x86_64 all &&
	dist/build/plain-x86_64/triage-collect --version && dist/build/plain-x86_64/triage-analyze --version" >"$T/plain.out" 2>&1; then
	pass "plain make builds and runs on Debian 11 (glibc 2.31, systemd 247)"
else fail "plain make builds and runs on Debian 11" "$(grep -E 'error|Error' "$T/plain.out" | head -3 | tr '\n' ' ')"; fi

# ---- aarch64 under qemu-user: --root collection and analysis, compared with x86_64
QEMU=$(command -v qemu-aarch64-static || command -v qemu-aarch64)	# empty when neither: checked next
if [ -z "$QEMU" ]; then fail "qemu-user for aarch64" "qemu-aarch64-static is not installed (make deps)"; else
	root=$T/root J=$root/var/log/journal/a1b2c3d4e5f60718293a4b5c6d7e8f90
	# Journal files Debian 11's libsystemd 247 reads (and RHEL 8's 239): no compact mode (252), no keyed hash (246).
	SYSTEMD_JOURNAL_COMPACT=0 SYSTEMD_JOURNAL_KEYED_HASH=0 mkjournal mixed 400 1795000000 "$T/jd"
	mkdir -p "$J" "$root/etc/onboarding-agent" "$root/etc/systemd/system"
	cp "$T/jd/remote.journal" "$J/system.journal"
	printf 'onboardingEndpoint:\n  host: onboarding.example.invalid\n  port: 15443\nworkloadGroup:\n  namespace: demo\n  name: vm\n' \
		>"$root/etc/onboarding-agent/onboarding.config.yaml"
	printf 'host:\n  custom:\n    credential:\n    - plugin:\n        env:\n        - name: EXT_JWT_CLIENT_SECRET\n          value: FAKE-plugin-secret-7Hq2Zr9Lx\n' \
		>"$root/etc/onboarding-agent/agent.config.yaml"
	printf '[Service]\nExecStart=/usr/bin/onboarding-agent\nEnvironment=TOKEN=FAKE-unit-env-secret-Qm3Vt\n' >"$root/etc/systemd/system/$U"
	printf 'nameserver 192.0.2.53\n' >"$root/etc/resolv.conf"
	expect_status "aarch64 (qemu): collector --root exits 0" 0 "$QEMU" -L "$SYSROOT" "$A/triage-collect" -q --root "$root" --no-probe -o "$T/arm.tar.gz"
	expect_status "x86_64: collector --root exits 0" 0 "$X/triage-collect" -q --root "$root" --no-probe -o "$T/x86.tar.gz"
	journalctl -D "$J" -u $U -o json --all >"$T/root.jc"
	check "aarch64 (qemu): bundle valid, hashes verify" $BC verify "$T/arm.tar.gz"
	check "aarch64 (qemu): journal equals journalctl -u -o json" $BC journal "$T/arm.tar.gz" $U "$T/root.jc"
	check "aarch64 (qemu): no planted secret" $BC absent "$T/arm.tar.gz" FAKE-plugin-secret-7Hq2Zr9Lx FAKE-unit-env-secret-Qm3Vt FAKE-journal-password-Lk3Rt9
	# The same tree gives the same journal, configs and sources on both architectures (redaction
	# markers carry a per-bundle random key: compared without it).
	same() { # BUNDLE DIR: the bundle's files but manifest.json and host.json, markers without their key
		mkdir -p "$2" && tar -C "$2" -xzf "$1" && rm -f "$2"/*/manifest.json "$2"/*/host.json &&
		find "$2" -type f -exec sed -i -E 's/<redacted:([a-z_-]+):[0-9a-f]+>/<redacted:\1>/g' {} + &&
		mv "$2"/* "$2/bundle"
	}
	same "$T/arm.tar.gz" "$T/same-arm" && same "$T/x86.tar.gz" "$T/same-x86"
	check "aarch64 and x86_64 bundles hold the same files (markers aside)" sh -c \
		"diff -r '$T/same-arm' '$T/same-x86' && test -s '$T/same-arm/bundle/journal/$U.jsonl'"
	rc=0; "$QEMU" -L "$SYSROOT" "$A/triage-analyze" -f json --fail-on none -o "$T/arm.json" "$T/arm.tar.gz" 2>"$T/arm.err" || rc=$?
	if [ $rc = 0 ]; then pass "aarch64 (qemu): analyzer exits 0"; else fail "aarch64 (qemu): analyzer exits 0" "exit $rc: $(head -3 "$T/arm.err")"; fi
	"$X/triage-analyze" -f json --fail-on none -o "$T/x86.json" "$T/arm.tar.gz" 2>/dev/null
	check "aarch64 (qemu): analyzer finds the DNS failure in the journal" grep -q '"endpoint-dns-unresolvable"' "$T/arm.json"
	check "aarch64 and x86_64 analyzers write the same report" cmp "$T/arm.json" "$T/x86.json"
	if [ -x "$BUILD/triage-analyze" ]; then
		"$BUILD/triage-analyze" -f json --fail-on none -o "$T/dev.json" "$T/arm.tar.gz" 2>/dev/null
		check "the released analyzer writes what the development build writes" cmp "$T/x86.json" "$T/dev.json"
	fi
fi

# ---- Debian 11 (.deb) and Debian 13 (tarball), booted with systemd
source "$TOP/tests/nspawn/lib-nspawn.sh"
NS_VOLATILE=overlay
COLLECT=$X/triage-collect

# distro NAME ROOT HOW: boot ROOT, install the release HOW (deb|tarball), collect, check, analyze.
distro() {
	local name=$1 how=$3 bin T0 T1 rc os
	NS_ROOT=$2 NS_MACHINE=triage-d$$-$RANDOM NS_OUT=$T/out-$name
	echo "# $(date +%T.%N) boot $name"; ns_boot; echo "# $(date +%T.%N) booted"
	os=$(ns_sh '. /etc/os-release; echo "$ID $VERSION_ID"')
	echo "# $name: $os, $(ns_run systemctl --version | head -1)"
	case $how in
	deb)
		cp "$DIST/triage-collect_${VERSION}_amd64.deb" "$DIST/triage-analyze_${VERSION}_amd64.deb" "$NS_OUT/"
		check "$name: dpkg -i installs both packages" ns_sh "dpkg -i /out/triage-collect_${VERSION}_amd64.deb /out/triage-analyze_${VERSION}_amd64.deb"
		bin=/usr/bin ;;
	tarball)
		cp "$DIST/triage-$VERSION-linux-x86_64.tar.gz" "$DIST/SHA256SUMS" "$NS_OUT/"
		check "$name: the download's checksum, unpacked" ns_sh "cd /out && sha256sum --ignore-missing -c SHA256SUMS &&
			mkdir -p /opt && tar -C /opt -xzf /out/triage-$VERSION-linux-x86_64.tar.gz"
		bin=/opt/triage-$VERSION-linux-x86_64 ;;
	esac
	check "$name ($os): the released collector runs" ns_run "$bin/triage-collect" --version
	printf '127.0.0.1 localhost\n' | ns_write /etc/hosts
	ns_sh "sed -i 's/^hosts:.*/hosts: files/' /etc/nsswitch.conf"
	ns_configs onboarding.example.invalid
	ns_install_agent dns "Environment=API_TOKEN=FAKE-unit-env-secret-Qm3Vt"
	T0=$(date +%s); sleep 1
	ns_run systemctl start $U
	local i
	for i in $(seq 75); do
		[ "$(ns_run journalctl -u $U --since "@$T0" -o cat 2>/dev/null | grep -c 'no such host')" -ge 3 ] && break
		sleep 0.2
	done
	sleep 1; T1=$(date +%s)
	rc=0
	ns_run "$bin/triage-collect" -q -o /out/b.tar.gz --since "@$T0" --until "@$T1" 2>"$T/$name.err" || rc=$?
	if [ $rc = 0 ]; then pass "$name: released collector exits 0"; else fail "$name: released collector exits 0" "exit $rc: $(head -3 "$T/$name.err")"; fi
	ns_run journalctl -u $U -o json --all --since "@$T0" --until "@$T1" >"$T/$name.jc" 2>/dev/null
	ns_run systemctl show -p "$SHOW" $U >"$T/$name.show"
	local B=$NS_OUT/b.tar.gz
	check "$name: bundle valid, hashes verify" $BC verify "$B"
	check "$name: journal equals the container's journalctl -u -o json" $BC journal "$B" $U "$T/$name.jc"
	check "$name: journal has the agent's three failed lookups" test "$(grep -c 'no such host' "$T/$name.jc")" -ge 3
	check "$name: unit equals the container's systemctl show" $BC unit "$B" $U "$T/$name.show"
	# shellcheck disable=SC2086
	check "$name: no planted secret in the bundle" $BC absent "$B" $NS_SECRETS
	rc=0; ns_run "$bin/triage-analyze" -f json --fail-on none -o /out/report.json /out/b.tar.gz 2>"$T/$name.aerr" || rc=$?
	if [ $rc = 0 ]; then pass "$name: released analyzer exits 0"; else fail "$name: released analyzer exits 0" "exit $rc: $(head -3 "$T/$name.aerr")"; fi
	check "$name: analyzer finds the DNS failure" grep -q '"endpoint-dns-unresolvable"' "$NS_OUT/report.json"
	# As the README says to run it: the released collector shows what it found and what to do (the
	# analyzer beside it: /usr/bin from the packages, the tarball's folder), then the file to attach.
	rc=0; ns_run "$bin/triage-collect" -o /out/c.tar.gz --since "@$T0" --until "@$T1" 2>"$T/$name.seen" || rc=$?
	check "$name: released collector shows the DNS finding and what to do" sh -c "[ $rc = 0 ] &&
		tr -s ' \n' '  ' <'$T/$name.seen' | grep -qF 'The agent cannot resolve the Workload Onboarding Endpoint' &&
		grep -q 'What to do:' '$T/$name.seen' &&
		tail -1 '$T/$name.seen' | grep -qx 'If the problem stays, attach this file to your support ticket: /out/c.tar.gz'"
	ns_poweroff
}

DEB11=$("$TOP/scripts/sysroot.sh" build) && DEB13=$("$TOP/scripts/sysroot.sh" trixie) ||
	{ fail "root filesystems" "scripts/sysroot.sh failed"; finish; }
distro debian11 "$DEB11" deb
distro debian13 "$DEB13" tarball
finish
