#!/bin/sh
# scripts/build-libarchive.sh: run inside the Debian 11 build sysroot by scripts/sysroot.sh.
# Builds libarchive from Debian 13's source package as a static library, for x86_64 and aarch64,
# into /opt/triage/ARCH, with no external codecs, crypto or XML (the bundle is tar + gzip; zlib does
# gzip) and one section per function, so the programs' --gc-sections keeps only what they call.
# Also writes a libdeflate.pc (Debian 11's libdeflate-dev 1.7 ships none).
set -eux
mkdir -p /root/src && cd /root/src
apt-get source -q libarchive
src=$(find /root/src -maxdepth 1 -type d -name 'libarchive-*' | head -1)
build() { # ARCH: configure, make, install (the two architectures build side by side)
	arch=$1
	mkdir -p "/root/src/build-$arch" && cd "/root/src/build-$arch"
	if [ "$arch" = aarch64 ]; then
		host=--host=aarch64-linux-gnu; cc=aarch64-linux-gnu-gcc; multi=aarch64-linux-gnu
	else
		host=; cc=gcc; multi=x86_64-linux-gnu
	fi
	CC=$cc CFLAGS="-O2 -ffunction-sections -fdata-sections" \
	PKG_CONFIG_LIBDIR=/usr/lib/$multi/pkgconfig:/usr/share/pkgconfig \
	"$src/configure" $host --prefix=/opt/triage/$arch --disable-shared --enable-static \
		--disable-bsdtar --disable-bsdcat --disable-bsdcpio --disable-bsdunzip \
		--disable-acl --disable-xattr --without-iconv --with-zlib \
		--without-bz2lib --without-libb2 --without-lz4 --without-zstd --without-lzma \
		--without-cng --without-openssl --without-nettle --without-mbedtls \
		--without-xml2 --without-expat >/dev/null
	# Debian's patches leave Makefile.am newer than Makefile.in: no autotools here, none needed.
	at="ACLOCAL=: AUTOMAKE=: AUTOCONF=: AUTOHEADER=:"
	# shellcheck disable=SC2086
	make $at >/dev/null
	# shellcheck disable=SC2086
	make install $at >/dev/null
	cat >/opt/triage/$arch/lib/pkgconfig/libdeflate.pc <<PC
prefix=/usr
libdir=/usr/lib/$multi
includedir=/usr/include
Name: libdeflate
Description: libdeflate (pkg-config file written by triage's build-libarchive.sh)
Version: $(dpkg-query -W -f='${Version}' libdeflate-dev | sed 's/-.*//')
Libs: -L\${libdir} -ldeflate
Cflags:
PC
}
build x86_64 >/root/src/x86_64.log 2>&1 & x86=$!
build aarch64 >/root/src/aarch64.log 2>&1 & arm=$!
rc=0
wait $x86 || rc=1
wait $arm || rc=1
cat /root/src/x86_64.log /root/src/aarch64.log
[ $rc = 0 ]
mkdir -p /opt/triage/share
cp "$src/debian/copyright" /opt/triage/share/libarchive-copyright
rm -rf /root/src
