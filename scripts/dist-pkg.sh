#!/bin/sh
# scripts/dist-pkg.sh STAGE PROGRAM VERSION DEBARCH RPMARCH OUTDIR: one program of the release folder
# STAGE as a Debian package (dpkg-deb) and an RPM (rpmbuild), into OUTDIR as
# PROGRAM_VERSION_DEBARCH.deb and PROGRAM-VERSION.RPMARCH.rpm.  Both install /usr/bin/PROGRAM, its
# manual page and /usr/share/doc/PROGRAM/{README.md,LICENSE}.
set -eu
stage=$1 prog=$2 version=$3 debarch=$4 rpmarch=$5 out=$6
tmp=$(mktemp -d "${TMPDIR:-/tmp}/triage-pkg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

case $prog in
triage-collect)
	summary="collect a support bundle for the Workload Onboarding Agent"
	debdeps="libc6 (>= 2.28), libsystemd0 (>= 239)"
	# The collector shows the analyzer's findings on the bundle when triage-analyze is installed.
	recommends="triage-analyze (= $version)"
	desc="Gathers, in one read-only run, the agent unit's state, its journal, its configuration with
every secret redacted, the resolver setup and probes of the onboarding endpoint into one
tar.gz bundle for support." ;;
triage-analyze)
	summary="analyze a triage support bundle of the Workload Onboarding Agent"
	debdeps="libc6 (>= 2.28)"
	recommends=""
	desc="Applies the built-in rules to a triage bundle (untrusted input) and writes a findings
report in markdown, HTML or JSON: each finding with its evidence, cause and remedy." ;;
*) echo "dist-pkg.sh: unknown program $prog" >&2; exit 2 ;;
esac

# The installed tree, shared by both formats.
root=$tmp/root
install -d "$root/usr/bin" "$root/usr/share/man/man1" "$root/usr/share/doc/$prog"
install -m 0755 "$stage/$prog" "$root/usr/bin/$prog"
gzip -9n <"$stage/$prog.1" >"$root/usr/share/man/man1/$prog.1.gz"
install -m 0644 "$stage/README.md" "$root/usr/share/doc/$prog/README.md"
install -m 0644 "$stage/LICENSE" "$root/usr/share/doc/$prog/copyright"

# Debian: DEBIAN/control, md5sums, dpkg-deb.
deb=$tmp/deb
cp -a "$root" "$deb"
install -d "$deb/DEBIAN"
(cd "$deb" && find usr -type f | sort | xargs md5sum >DEBIAN/md5sums)
{
	echo "Package: $prog"
	echo "Version: $version"
	echo "Architecture: $debarch"
	echo "Maintainer: triage authors <triage@localhost>"
	echo "Installed-Size: $(du -sk "$deb/usr" | cut -f1)"
	echo "Depends: $debdeps"
	[ -z "$recommends" ] || echo "Recommends: $recommends"
	echo "Section: admin"
	echo "Priority: optional"
	echo "Description: $summary"
	echo "$desc" | sed 's/^/ /'
} >"$deb/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz --build "$deb" "$out/${prog}_${version}_${debarch}.deb" >/dev/null

# RPM: a spec that installs the prebuilt tree; rpm derives Requires from the ELF (libc.so.6(GLIBC_2.x),
# libsystemd.so.0(LIBSYSTEMD_2xx)), so the package states exactly what the binary needs.
cat >"$tmp/$prog.spec" <<SPEC
Name: $prog
Version: $version
Release: 1
Summary: $summary
License: see /usr/share/doc/$prog/copyright
${recommends:+Recommends: triage-analyze = $version}
%description
$desc
%install
cp -a $root/. %{buildroot}/
%files
/usr/bin/$prog
/usr/share/man/man1/$prog.1.gz
%doc /usr/share/doc/$prog/README.md
%license /usr/share/doc/$prog/copyright
SPEC
rpmbuild -bb --target "$rpmarch-linux" --quiet \
	--define "_topdir $tmp/rpm" --define "_tmppath $tmp" \
	--define "debug_package %{nil}" --define "__os_install_post %{nil}" \
	--define "_build_id_links none" --define "_rpmdir $out" \
	--define "_rpmfilename %{NAME}-%{VERSION}.%{ARCH}.rpm" \
	"$tmp/$prog.spec" >"$tmp/rpmbuild.log" 2>&1 || { cat "$tmp/rpmbuild.log" >&2; exit 1; }
