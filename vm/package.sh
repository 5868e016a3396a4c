# SPDX-License-Identifier: GPL-2.0
#
# vm/package.sh: the package stage of `make check`, sourced by vm/run.sh.
# Builds the .debs (`make deb`), installs them with apt on this machine,
# as CI does on a clean one, and checks what DKMS built; upgrades them to
# a version one higher, built from a copy with VERSION bumped; purges
# them and checks nothing is left. Then boots the module DKMS built for
# Debian's kernel in a VM and checks its version. One run of this stage
# at a time per machine (it installs packages).

package_packages() {
	need_packages dkms debhelper dh-dkms dpkg-dev linux-image-amd64 \
		linux-headers-amd64
}

pkg_n=0
pkg_failed=0

# pstage NAME CMD...: one TAP line for a host step.
pstage() {
	local name=$1
	shift
	pkg_n=$((pkg_n + 1))
	if "$@" >"$out/package/stage.out" 2>&1; then
		echo "ok $pkg_n package: $name"
	else
		echo "not ok $pkg_n package: $name"
		sed 's/^/#   /' "$out/package/stage.out" | tail -n 30
		pkg_failed=$((pkg_failed + 1))
	fi
}

# the release linux-headers-amd64 installed here, which DKMS builds for
host_kernel() {
	dpkg-query -W -f='${Depends}' linux-headers-amd64 |
		sed -n 's/.*linux-headers-\([0-9][^ ,]*\).*/\1/p'
}

# make_debs TOP DIR VERSION: `make deb` in TOP, the .debs of VERSION in DIR.
make_debs() {
	CLONEGATE_DEB_OUT=$2 make -s -C "$1" deb &&
		ls "$2/clonegate-dkms_$3_all.deb" "$2/clonegate-tools_$3_amd64.deb"
}

pkg_apt() {
	DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=600 "$@"
}

pkg_install() {
	pkg_apt install "$1/clonegate-dkms_$2_all.deb" \
		"$1/clonegate-tools_$2_amd64.deb"
}

pkg_purge() {
	pkg_apt purge clonegate-dkms clonegate-tools
}

# DKMS built VERSION for every installed kernel that has headers, and no
# other version is installed.
dkms_built() {
	local v=$1 build k ko n=0
	for build in /lib/modules/*/build; do
		[ -e "$build/Makefile" ] || continue
		k=${build#/lib/modules/}
		k=${k%/build}
		ko=/lib/modules/$k/updates/dkms/clonegate.ko
		[ -f "$ko" ] || { echo "no $ko"; return 1; }
		[ "$(modinfo -F version "$ko")" = "$v" ] ||
			{ echo "$ko is version $(modinfo -F version "$ko"), not $v"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || { echo "no kernel with headers"; return 1; }
	dkms status -m clonegate
	[ "$(dkms status -m clonegate | grep -c .)" = "$n" ] &&
		! dkms status -m clonegate | grep -v "^clonegate/$v,"
}

# DKMS itself refuses, with its exit status 77 (skipped), a kernel older
# than 5.10 and another architecture: dkms.conf's BUILD_EXCLUSIVE_*.
dkms_skips() {
	local v=$1 rel=$2 rc
	rc=0
	dkms build -m clonegate -v "$v" -k 5.4.0-1-amd64 || rc=$?
	[ "$rc" = 77 ] || { echo "5.4: dkms build exit status $rc, not 77"; return 1; }
	rc=0
	dkms build -m clonegate -v "$v" -k "$rel" -a aarch64 || rc=$?
	[ "$rc" = 77 ] || { echo "aarch64: dkms build exit status $rc, not 77"; return 1; }
}

conffile_commented() {
	local f=/etc/modprobe.d/clonegate.conf
	dpkg-query -W -f='${Conffiles}' clonegate-dkms | grep -q " $f " &&
		! grep -v '^[[:space:]]*#' "$f" | grep -q '[^[:space:]]'
}

tools_installed() {
	local t
	for t in $(make -s -C "$top/tools" --eval 'print-tools: ; @echo $(TOOLS)' \
		print-tools); do
		[ -x "/usr/sbin/$t" ] || { echo "no /usr/sbin/$t"; return 1; }
	done
	[ -x /usr/sbin/clonegate-try ]
}

only_version_left() {
	local v=$1 old=$2
	[ ! -e "/usr/src/clonegate-$old" ] || { echo "/usr/src/clonegate-$old is left"; return 1; }
	[ ! -e "/var/lib/dkms/clonegate/$old" ] || { echo "/var/lib/dkms/clonegate/$old is left"; return 1; }
	dkms_built "$v"
}

nothing_left() {
	local rc=0
	find /lib/modules -name 'clonegate.ko*' | grep . && rc=1
	ls -d /usr/src/clonegate-* /var/lib/dkms/clonegate \
		/etc/modprobe.d/clonegate.conf /usr/sbin/clonegate* /etc/clonegate \
		/lib/systemd/system/clonegate.service \
		/etc/systemd/system/*/clonegate.service 2>/dev/null && rc=1
	dkms status -m clonegate | grep . && rc=1
	dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'clonegate-*' 2>/dev/null |
		grep -v '^un ' && rc=1
	return $rc
}

lane_package() {
	local dest="$out/package" rel next kernel
	rm -rf "$dest"/*.ko "$dest/tools" "$dest/debs" "$dest/next"
	mkdir -p "$dest/tools"
	rel=$(host_kernel)
	[ -n "$rel" ] || die "linux-headers-amd64 is not installed"
	echo "clonegate-dkms $version on this machine, booted on Debian $rel" >"$dest/what"
	next=$(echo "$version" | awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }')

	pstage "make deb builds clonegate-dkms and clonegate-tools $version" \
		make_debs "$top" "$dest/debs" "$version"
	mkdir -p "$dest/next"
	tar -C "$top" --exclude=./build --exclude=./.git -cf - . |
		tar -C "$dest/next" -xf -
	echo "$next" >"$dest/next/VERSION"
	pstage "make deb builds $next from a copy with VERSION bumped" \
		make_debs "$dest/next" "$dest/debs" "$next"

	exec {plock}>"$cache/package.lock"
	flock "$plock"
	if dpkg-query -W 'clonegate-*' >/dev/null 2>&1; then
		pkg_purge >/dev/null 2>&1 || true
	fi
	pstage "apt installs clonegate-dkms and clonegate-tools $version" \
		pkg_install "$dest/debs" "$version"
	pstage "DKMS built clonegate $version for every kernel with headers" \
		dkms_built "$version"
	pstage "DKMS skips a 5.4 kernel and an aarch64 one (BUILD_EXCLUSIVE_*)" \
		dkms_skips "$version" "$rel"
	pstage "/etc/modprobe.d/clonegate.conf is a conffile, options commented out" \
		conffile_commented
	pstage "clonegate-tools installs every tool tools/ builds" tools_installed
	cp "/lib/modules/$rel/updates/dkms/clonegate.ko" "$dest/" || true
	cp /usr/sbin/clonegate* "$dest/tools/" || true
	pstage "apt upgrades both to $next" pkg_install "$dest/debs" "$next"
	pstage "the upgrade replaced $version with $next" \
		only_version_left "$next" "$version"
	pstage "apt purges both" pkg_purge
	pstage "nothing is left: modules, /usr/src, dkms status, conffiles, tools, unit" \
		nothing_left
	exec {plock}>&-
	rm -rf "$dest/next"

	kernel=/boot/vmlinuz-$rel
	[ -f "$kernel" ] || die "no $kernel"
	if [ -f "$dest/clonegate.ko" ]; then
		make_initramfs "$dest" package
		boot "$kernel" "$dest/initrd.gz" "$dest" \
			"quiet loglevel=4 oops=panic panic_on_warn=1" 1G
		verdict "$dest" package
	else
		echo "0 1 0" >"$dest/counts"
	fi
	local a b c
	read -r a b c <"$dest/counts"
	echo "$((a + pkg_n - pkg_failed)) $((b + pkg_failed)) $c" >"$dest/counts"
}
