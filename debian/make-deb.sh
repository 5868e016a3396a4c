#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: clonegate-dkms_<version>_all.deb and
# clonegate-tools_<version>_<arch>.deb, built with debhelper and dh-dkms
# in a copy of the sources under $CLONEGATE_DEB_OUT (default build/deb),
# where they are left. The version is the file VERSION's; the changelog
# is written from it. Installs the build tools with apt when they are
# missing.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${CLONEGATE_DEB_OUT:-$top/build/deb}
version=$(cat "$top/VERSION")

missing=()
for p in debhelper dh-dkms dpkg-dev gcc libc6-dev make libprotobuf-c-dev \
	protobuf-c-compiler; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "# installing: ${missing[*]}"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >/dev/null
fi

src="$out/clonegate-$version"
rm -rf "$src" "$out"/clonegate-*_"$version"_*.deb "$out"/clonegate_"$version"_*
mkdir -p "$src"
for f in VERSION Kbuild Makefile dkms.conf.in README.md module include \
	tools modprobe.d Documentation debian systemd; do
	[ -e "$top/$f" ] && cp -r "$top/$f" "$src/"
done
rm -rf "$src/tools/out"
cat >"$src/debian/changelog" <<EOT
clonegate ($version) unstable; urgency=medium

  * clonegate $version.

 -- clonegate maintainers <maintainers@clonegate.invalid>  $(date -R)
EOT
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build-$version.log" 2>&1 ||
	{ tail -n 40 "$out/build-$version.log"; echo "make deb: failed" >&2; exit 1; }
rm -rf "$src"
ls "$out"/clonegate-*_"$version"_*.deb
