#!/bin/sh
# scripts/sysroot.sh KIND: makes (once) and prints the path of a cached Debian root filesystem.
#   build   Debian 11 (bullseye) minbase: the release build's sysroot (gcc, the -dev packages, the
#           arm64 cross toolchain and arm64 multiarch -dev packages, libarchive built static from
#           Debian 13's source) and, with systemd and dbus in it, the Debian 11 boot target of
#           `make check-dist`.
#   trixie  Debian 13 (trixie) minbase with systemd and dbus: the other boot target.
# The cache lives outside the work tree ($TRIAGE_CACHE, default /var/cache/triage); an entry is
# rebuilt when this script changes (its hash names the entry).  Made in DIR.tmp, then renamed, under
# a lock, so an interrupted run leaves no half-made root and two runs do not race.
set -eu
kind=${1:?usage: sysroot.sh build|trixie}
CACHE=${TRIAGE_CACHE:-/var/cache/triage}
here=$(cd "$(dirname "$0")" && pwd)
# The mirror apt is configured with here (debootstrap needs a URL).
MIRROR=${TRIAGE_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) .*/\1/p' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
recipe=$0; [ "$kind" = build ] && recipe="$0 $here/build-libarchive.sh"
# shellcheck disable=SC2086
tag=$(cat $recipe | sha256sum | cut -c1-12)
dir=$CACHE/$kind-$tag
log=$CACHE/$kind-$tag.log

[ -f "$dir/.triage-ready" ] && { echo "$dir"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "sysroot.sh: making $dir needs root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "sysroot.sh: debootstrap is not installed (make deps)" >&2; exit 1; }
mkdir -p "$CACHE"
exec 9>"$CACHE/$kind.lock"
flock 9
[ -f "$dir/.triage-ready" ] && { echo "$dir"; exit 0; }

# inroot DIR CMD...: CMD chrooted in DIR with /proc, /dev and /sys (private mounts, gone at exit).
inroot() {
	r=$1; shift
	unshare -m sh -c 'r=$1; shift; mount --bind /dev "$r/dev" && mount -t proc proc "$r/proc" &&
		mount -t sysfs sys "$r/sys" && exec chroot "$r" "$@"' sh "$r" "$@"
}

tmp=$dir.tmp
# Older entries of this kind (made by an earlier version of this script) go.
for d in "$CACHE/$kind"-*; do
	case $d in "$dir"|*.log) ;; *) [ -d "$d" ] && rm -rf "$d" ;; esac
done
start=$(date +%s)
echo "sysroot.sh: making $dir (log: $log)" >&2
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
boot_pkgs="systemd,systemd-sysv,dbus"
case $kind in
build)
	debootstrap --variant=minbase --include="$boot_pkgs,build-essential,pkg-config,xz-utils,dpkg-dev" \
		bullseye "$tmp" "$MIRROR" >"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
	echo "# $(date +%T) debootstrap done" >>"$log"
	# dpkg without fsync (a cache entry is remade whole if anything goes wrong), no translations.
	echo force-unsafe-io >"$tmp/etc/dpkg/dpkg.cfg.d/triage-unsafe-io"
	echo 'Acquire::Languages "none";' >"$tmp/etc/apt/apt.conf.d/99triage-no-translations"
	# Debian 13's libarchive source: a deb-src line for trixie only (no trixie binaries).
	cp /usr/share/keyrings/debian-archive-keyring.gpg "$tmp/usr/share/keyrings/triage-trixie.gpg"
	echo "deb-src [signed-by=/usr/share/keyrings/triage-trixie.gpg] $MIRROR trixie main" \
		>"$tmp/etc/apt/sources.list.d/trixie-src.list"
	inroot "$tmp" dpkg --add-architecture arm64
	inroot "$tmp" apt-get update -q >>"$log" 2>&1
	dev="libsystemd-dev libjansson-dev libyaml-dev libpcre2-dev zlib1g-dev libdeflate-dev nettle-dev"
	arm=""; for p in $dev; do arm="$arm $p:arm64"; done
	# shellcheck disable=SC2086
	inroot "$tmp" apt-get install -y -q --no-install-recommends $dev gettext \
		gcc-aarch64-linux-gnu libc6-dev:arm64 $arm >>"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
	echo "# $(date +%T) packages installed" >>"$log"
	cp "$here/build-libarchive.sh" "$tmp/root/"
	inroot "$tmp" sh /root/build-libarchive.sh >>"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
	inroot "$tmp" apt-get clean
	;;
trixie)
	debootstrap --variant=minbase --include="$boot_pkgs" trixie "$tmp" "$MIRROR" >"$log" 2>&1 ||
		{ tail -20 "$log" >&2; exit 1; }
	inroot "$tmp" apt-get clean
	;;
*) echo "sysroot.sh: unknown kind '$kind'" >&2; exit 2 ;;
esac
# A bootable root: no root password prompt on the console, a machine id made at boot.
rm -f "$tmp/etc/machine-id" "$tmp/var/lib/dbus/machine-id"
: >"$tmp/etc/machine-id"
echo "made by scripts/sysroot.sh in $(( $(date +%s) - start ))s" >"$tmp/.triage-ready"
mv "$tmp" "$dir"
echo "sysroot.sh: $dir made in $(( $(date +%s) - start ))s" >&2
echo "$dir"
