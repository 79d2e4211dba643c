#!/bin/bash
# scripts/dist.sh [ARCH...]: the portable release (make dist).  Builds both programs in the cached
# Debian 11 sysroot (scripts/sysroot.sh build) for each ARCH (x86_64 aarch64 by default; aarch64 with
# Debian's cross compiler and arm64 multiarch libraries), then writes into dist/:
#   triage-VERSION-linux-ARCH.tar.gz   programs, man pages, README, LICENSE, SHA256SUMS
#   triage-collect_VERSION_DEBARCH.deb, triage-analyze_VERSION_DEBARCH.deb   (dpkg-deb)
#   triage-collect-VERSION.ARCH.rpm, triage-analyze-VERSION.ARCH.rpm         (rpmbuild)
#   SHA256SUMS                         of the files above, for the download page
# The build itself is `make RELEASE=1` in the sysroot, with the work tree bound at /src.
set -euo pipefail
# debootstrap, chroot and mount need root (as the container tests do).
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "dist: needs root (debootstrap, chroot) and there is no sudo" >&2; exit 1; }
	exec sudo "$0" "$@"
fi
cd "$(dirname "$0")/.."
TOP=$PWD
VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)
ARCHES=${*:-x86_64 aarch64}
OUT=$TOP/dist
start=$(date +%s)
# File times in the archives: the last commit's (the same tree gives the same tarball), else now.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

mkdir -p "$OUT"
# A failed run leaves no release behind (a test must not pass on an older one).
rm -f "$OUT"/*.tar.gz "$OUT"/*.deb "$OUT"/*.rpm "$OUT/SHA256SUMS"
SYSROOT=$(scripts/sysroot.sh build)

# insysroot CMD...: CMD in the sysroot, with the work tree at /src (private mounts, gone at exit).
insysroot() {
	unshare -m sh -c 'r=$1; t=$2; shift 2
		mkdir -p "$r/src" && mount --bind "$t" "$r/src" && mount --bind /dev "$r/dev" &&
		mount -t proc proc "$r/proc" && exec chroot "$r" "$@"' sh "$SYSROOT" "$TOP" "$@"
}

build_arch() { # ARCH: make RELEASE=1 in the sysroot, into dist/build/ARCH
	local arch=$1 mk
	mk="make -C /src --no-print-directory -j$(nproc) RELEASE=1 BUILD=/src/dist/build/$arch"
	if [ "$arch" = aarch64 ]; then
		mk="$mk CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar"
		mk="PKG_CONFIG_LIBDIR=/opt/triage/aarch64/lib/pkgconfig:/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig $mk"
	else
		mk="PKG_CONFIG_PATH=/opt/triage/x86_64/lib/pkgconfig $mk"
	fi
	insysroot /bin/sh -c "LC_ALL=C $mk all" >"$OUT/build-$arch.log" 2>&1 ||
		{ tail -30 "$OUT/build-$arch.log" >&2; echo "dist: the $arch build failed (log: dist/build-$arch.log)" >&2; return 1; }
}

package_arch() { # ARCH
	local arch=$1 debarch rpmarch name stage p
	case $arch in x86_64) debarch=amd64 rpmarch=x86_64 ;; aarch64) debarch=arm64 rpmarch=aarch64 ;; esac
	name=triage-$VERSION-linux-$arch
	stage=$OUT/stage/$name
	rm -rf "$OUT/stage" && mkdir -p "$stage"
	for p in triage-collect triage-analyze; do
		cp "$OUT/build/$arch/$p" "$stage/$p"
	done
	# The aarch64 strip runs in the sysroot: hand it the files through /tmp there.
	if [ "$arch" = aarch64 ]; then
		local t; t=$(mktemp -d "$SYSROOT/tmp/strip.XXXXXX")
		cp "$stage"/triage-* "$t/"
		chroot "$SYSROOT" aarch64-linux-gnu-strip "/tmp/$(basename "$t")/triage-collect" "/tmp/$(basename "$t")/triage-analyze"
		cp "$t"/triage-* "$stage/" && rm -rf "$t"
	else
		strip "$stage/triage-collect" "$stage/triage-analyze"
	fi
	cp docs/triage-collect.1 docs/triage-analyze.1 "$stage/"
	sed "s/@VERSION@/$VERSION/g; s/@ARCH@/$arch/g" docs/release-README.md >"$stage/README.md"
	scripts/dist-license.sh "$SYSROOT" >"$stage/LICENSE"
	(cd "$stage" && sha256sum triage-collect triage-analyze triage-collect.1 triage-analyze.1 README.md LICENSE >SHA256SUMS)
	tar -C "$OUT/stage" --owner=0 --group=0 --numeric-owner --sort=name --mtime="@$SOURCE_DATE_EPOCH" \
		-cf - "$name" | gzip -9n >"$OUT/$name.tar.gz"

	for p in triage-collect triage-analyze; do
		scripts/dist-pkg.sh "$stage" "$p" "$VERSION" "$debarch" "$rpmarch" "$OUT"
	done
	rm -rf "$OUT/stage"
}

for arch in $ARCHES; do
	build_arch "$arch"
	package_arch "$arch"
done
(cd "$OUT" && sha256sum ./*.tar.gz ./*.deb ./*.rpm 2>/dev/null | sed 's| \./| |' >SHA256SUMS)
echo "dist: in $(( $(date +%s) - start ))s:"
for arch in $ARCHES; do
	for p in triage-collect triage-analyze; do
		printf 'dist:   %-8s %-15s %8d bytes stripped\n' "$arch" "$p" \
			"$(tar -xzOf "$OUT/triage-$VERSION-linux-$arch.tar.gz" "triage-$VERSION-linux-$arch/$p" | wc -c)"
	done
done
(cd "$OUT" && ls -1 ./*.tar.gz ./*.deb ./*.rpm SHA256SUMS | sed 's|^\./||; s|^|dist:   dist/|')
