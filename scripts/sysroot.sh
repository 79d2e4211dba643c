#!/bin/bash
# scripts/sysroot.sh KIND: makes (once) and prints the path of a cached Debian root filesystem.
#   build   Debian 11 (bullseye) minbase: the release build's sysroot (gcc, the -dev packages, the
#           arm64 cross toolchain and arm64 multiarch -dev packages, libarchive built static from
#           Debian 13's source) and, with systemd and dbus in it, the Debian 11 boot target of
#           `make check-dist`.
#   trixie  Debian 13 (trixie) minbase with systemd and dbus: the other boot target.
# The cache lives outside the work tree ($TRIAGE_CACHE, default /var/cache/triage).  An entry is named
# by a hash of its recipe (the recipe_KIND function below, without comments, and for `build`
# scripts/build-libarchive.sh): a changed recipe makes a new entry, and work trees with different
# recipes each keep theirs.  Made in DIR.tmp, then renamed, under a per-kind lock, so an interrupted run
# leaves no half-made root and two runs do not race.  Entries not used for 14 days are removed.
set -euo pipefail
kind=${1:?usage: sysroot.sh build|trixie}
CACHE=${TRIAGE_CACHE:-/var/cache/triage}
here=$(cd "$(dirname "$0")" && pwd)
# The mirror apt is configured with here (debootstrap needs a URL).
MIRROR=${TRIAGE_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) .*/\1/p' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null | head -1 || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

# inroot DIR CMD...: CMD chrooted in DIR with /proc, /dev and /sys (private mounts, gone at exit).
inroot() {
	local r=$1; shift
	unshare -m sh -c 'r=$1; shift; mount --bind /dev "$r/dev" && mount -t proc proc "$r/proc" &&
		mount -t sysfs sys "$r/sys" && exec chroot "$r" "$@"' sh "$r" "$@"
}

# minbase SUITE DIR: debootstrap, then dpkg without fsync (an entry is remade whole if anything goes
# wrong) and apt without translations; the rest comes with apt-get.
minbase() {
	debootstrap --variant=minbase "$1" "$2" "$MIRROR" >>"$log" 2>&1
	echo force-unsafe-io >"$2/etc/dpkg/dpkg.cfg.d/triage-unsafe-io"
	echo 'Acquire::Languages "none";' >"$2/etc/apt/apt.conf.d/99triage-no-translations"
	echo "# $(date +%T) debootstrap done" >>"$log"
}

recipe_build() {
	local tmp=$1 dev arm p
	minbase bullseye "$tmp"
	# Debian 13's libarchive source: a deb-src line for trixie only (no trixie binaries).
	cp /usr/share/keyrings/debian-archive-keyring.gpg "$tmp/usr/share/keyrings/triage-trixie.gpg"
	echo "deb-src [signed-by=/usr/share/keyrings/triage-trixie.gpg] $MIRROR trixie main" \
		>"$tmp/etc/apt/sources.list.d/trixie-src.list"
	inroot "$tmp" dpkg --add-architecture arm64
	inroot "$tmp" apt-get update -q >>"$log" 2>&1
	dev="libsystemd-dev libjansson-dev libyaml-dev libpcre2-dev zlib1g-dev libdeflate-dev nettle-dev"
	arm=""; for p in $dev; do arm="$arm $p:arm64"; done
	# shellcheck disable=SC2086
	inroot "$tmp" apt-get install -y -q --no-install-recommends systemd systemd-sysv dbus \
		build-essential pkg-config xz-utils dpkg-dev gettext $dev \
		gcc-aarch64-linux-gnu libc6-dev:arm64 $arm >>"$log" 2>&1
	echo "# $(date +%T) packages installed" >>"$log"
	cp "$here/build-libarchive.sh" "$tmp/root/"
	inroot "$tmp" sh /root/build-libarchive.sh >>"$log" 2>&1
	echo "# $(date +%T) libarchive built" >>"$log"
}

recipe_trixie() {
	local tmp=$1
	minbase trixie "$tmp"
	inroot "$tmp" apt-get install -y -q --no-install-recommends systemd systemd-sysv dbus >>"$log" 2>&1
}

declare -F "recipe_$kind" >/dev/null || { echo "sysroot.sh: unknown kind '$kind'" >&2; exit 2; }
tag=$( { declare -f minbase "recipe_$kind"; [ "$kind" != build ] || cat "$here/build-libarchive.sh"; } |
	sha256sum | cut -c1-12)
dir=$CACHE/$kind-$tag
log=$CACHE/$kind-$tag.log

if [ ! -f "$dir/.triage-ready" ]; then
	[ "$(id -u)" = 0 ] || { echo "sysroot.sh: making $dir needs root" >&2; exit 1; }
	command -v debootstrap >/dev/null || { echo "sysroot.sh: debootstrap is not installed (make deps)" >&2; exit 1; }
	mkdir -p "$CACHE"
	exec 9>"$CACHE/$kind.lock"
	flock 9
fi
if [ ! -f "$dir/.triage-ready" ]; then
	tmp=$dir.tmp
	rm -rf "$tmp"
	start=$(date +%s)
	echo "sysroot.sh: making $dir (log: $log)" >&2
	: >"$log"
	# (set -e holds inside the subshell only when it is not a condition)
	set +e; ( set -e; "recipe_$kind" "$tmp" ); rc=$?; set -e
	if [ $rc != 0 ]; then
		tail -30 "$log" >&2
		echo "sysroot.sh: making $dir failed (log: $log)" >&2
		exit 1
	fi
	inroot "$tmp" apt-get clean
	# A bootable root: a machine id made at boot.
	rm -f "$tmp/etc/machine-id" "$tmp/var/lib/dbus/machine-id"
	: >"$tmp/etc/machine-id"
	echo "made by scripts/sysroot.sh in $(( $(date +%s) - start ))s" >"$tmp/.triage-ready"
	mv "$tmp" "$dir"
	echo "sysroot.sh: $dir made in $(( $(date +%s) - start ))s" >&2
	# Entries of this kind nobody used or made for 14 days (older recipes) go; never one being made.
	for d in "$CACHE/$kind"-*; do
		case $d in *.tmp|*.log|"$dir") continue ;; esac
		[ -d "$d" ] || continue
		[ -n "$(find "$d" -maxdepth 1 -name '.triage-*' -mtime -14 2>/dev/null)" ] || rm -rf "$d" "$d.log"
	done
fi
touch "$dir/.triage-used" 2>/dev/null || true
echo "$dir"
