#!/bin/sh
# scripts/deps.sh: installs the Debian 12 packages that triage's build, tests,
# demo and benchmarks need, skipping those present (a second run is quiet).
set -eu

PKGS="
build-essential pkg-config make gcc
libarchive-dev libsystemd-dev libjansson-dev libyaml-dev libpcre2-dev nettle-dev libssl-dev
libdeflate-dev zlib1g-dev
libcmocka-dev clang libclang-rt-14-dev valgrind
systemd systemd-container systemd-journal-remote dbus
debootstrap rpm rpm2cpio qemu-user-static binutils-multiarch
tar gzip xxd python3 python3-yaml python3-pil iproute2 procps time
chromium fonts-liberation fonts-noto-cjk
gettext groff-base
parallel rsync
"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps: not root and no sudo; install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "deps: done"
