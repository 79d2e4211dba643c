#!/bin/sh
# scripts/dist-license.sh SYSROOT: the release's LICENSE file on stdout: triage's own license, then
# the license of each library linked statically into the programs, from the Debian 11 sysroot's
# copyright files (libarchive's from the Debian 13 source it was built from).
set -eu
root=$1
top=$(cd "$(dirname "$0")/.." && pwd)
echo "triage"
echo "======"
echo
if [ -f "$top/LICENSE" ]; then cat "$top/LICENSE"; else
	echo "The triage source repository carries no LICENSE file yet; until it does, this release is"
	echo "distributed under the terms the triage authors gave you with it."
fi
echo
echo "Libraries built into triage-collect and triage-analyze"
echo "======================================================="
echo
echo "The programs link these libraries statically (glibc and, for triage-collect, libsystemd are the"
echo "host's own shared libraries). nettle is under the GNU LGPL 3 (or GPL 2): you may relink the"
echo "programs against another nettle from triage's source (\`make dist\`), which is available on request"
echo "from the same place as this release."
for p in libarchive libjansson-dev libyaml-dev libpcre2-dev nettle-dev libdeflate-dev zlib1g-dev; do
	if [ "$p" = libarchive ]; then f=$root/opt/triage/share/libarchive-copyright; else f=$root/usr/share/doc/$p/copyright; fi
	[ -f "$f" ] || { echo "dist-license.sh: no copyright file for $p ($f)" >&2; exit 1; }
	echo
	echo "---- $p ----"
	echo
	cat "$f"
done
