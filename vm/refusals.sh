# SPDX-License-Identifier: GPL-2.0
#
# vm/refusals.sh: the build refuses kernels clonegate cannot work on, with
# one line that names the reason and before anything is compiled; DKMS's
# configuration skips the same kernels. Host-side checks, no VM: each
# builds against a copy of a real kernel's headers (hard links, so it costs
# nothing) with one thing changed. Sourced by vm/run.sh.

refusal_n=0
refusal_failed=0

refusal_result() {
	refusal_n=$((refusal_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $refusal_n refusal: $2"
	else
		echo "not ok $refusal_n refusal: $2"
		refusal_failed=$((refusal_failed + 1))
	fi
}

# refused NAME MESSAGE LOG: the build failed with exactly one line of
# clonegate's, which says MESSAGE, and compiled nothing.
refused() {
	local name=$1 msg=$2 log=$3 rc=0
	if ! grep -q "\*\*\* $msg" "$log"; then
		echo "#   expected \"$msg\", got:"
		sed 's/^/#     /' "$log" | tail -n 5
		rc=1
	elif [ "$(grep '\*\*\*' "$log" | grep -c clonegate)" != 1 ]; then
		echo "#   more than one line from clonegate:"
		sed 's/^/#     /' "$log" | tail -n 5
		rc=1
	elif grep -qE '^ *CC( \[M\])? ' "$log"; then
		echo "#   it compiled before refusing"
		rc=1
	fi
	refusal_result "$rc" "$name"
}

# stub_tree KERNEL_DIR STUB: a copy of a fetched kernel's root in STUB,
# hard-linked; prints the headers tree in it. A file to change is
# replaced, never written through its link.
stub_tree() {
	local k=$1 stub=$2 abi kdir
	abi=$(cat "$k/release")
	rm -rf "$stub"
	cp -al "$k/root" "$stub"
	kdir="$stub/usr/src/linux-headers-$abi"
	sed "s|$k/root/|$stub/|g" "$kdir/Makefile" >"$kdir/Makefile.new"
	rm -f "$kdir/Makefile"
	mv "$kdir/Makefile.new" "$kdir/Makefile"
	echo "$kdir"
}

# replace FILE SED-SCRIPT: FILE rewritten by sed, its link broken first.
replace() {
	sed "$2" "$1" >"$1.new"
	rm -f "$1"
	mv "$1.new" "$1"
}

# try_build KDIR LOG: build the module against KDIR; fails if it built.
try_build() {
	local kdir=$1 log=$2 src
	src="$(dirname "$log")/src"
	rm -rf "$src"
	mkdir -p "$src"
	cp -r "$top/VERSION" "$top/Kbuild" "$top/Makefile" "$top/module" \
		"$top/include" "$src/"
	! make -C "$kdir" M="$src" CC=gcc modules >"$log" 2>&1
}

lane_refusals() {
	local dest="$out/refusals" k kdir common rel conf
	mkdir -p "$dest"
	k=$(fetch_kernel "$demo_kernel")
	rel=$(cat "$k/release")
	echo "host checks against copies of $rel's headers" >"$dest/what"

	make -s -C "$top" ARCH=arm64 >"$dest/arm64.log" 2>&1 && true
	refused "make ARCH=arm64" "clonegate supports x86_64 only, not arm64" \
		"$dest/arm64.log"

	kdir=$(stub_tree "$k" "$dest/stub")
	common=$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$kdir/Makefile")

	replace "$kdir/include/config/auto.conf" '/^CONFIG_X86_64=/d'
	try_build "$kdir" "$dest/no-x86_64.log" && true
	refused "a kernel without CONFIG_X86_64" \
		"clonegate supports x86_64 only, and $rel is not an x86_64 kernel" \
		"$dest/no-x86_64.log"

	kdir=$(stub_tree "$k" "$dest/stub")
	replace "$kdir/include/config/auto.conf" '/^CONFIG_KPROBES=/d'
	try_build "$kdir" "$dest/no-kprobes.log" && true
	refused "a kernel without CONFIG_KPROBES" \
		"clonegate needs CONFIG_KPROBES, which $rel is built without" \
		"$dest/no-kprobes.log"

	kdir=$(stub_tree "$k" "$dest/stub")
	replace "$kdir/Makefile" '1i override VERSION = 5\noverride PATCHLEVEL = 4'
	try_build "$kdir" "$dest/old.log" && true
	refused "a 5.4 kernel" \
		"clonegate needs Linux 5.10 or later, and $rel is 5.4" \
		"$dest/old.log"

	kdir=$(stub_tree "$k" "$dest/stub")
	common=$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$kdir/Makefile")
	replace "$common/include/linux/sched/task.h" 's/\<kernel_clone(/_do_fork(/'
	try_build "$kdir" "$dest/no-kernel-clone.log" && true
	refused "a kernel without kernel_clone()" \
		"clonegate hooks kernel_clone(), which $rel does not have" \
		"$dest/no-kernel-clone.log"
	rm -rf "$dest/stub" "$dest/src"

	# DKMS skips what Kbuild refuses, with its own message
	make -s -C "$top" dkms.conf
	conf="$top/dkms.conf"
	dkms_excludes "$conf"
	echo "$((refusal_n - refusal_failed)) $refusal_failed 0" >"$dest/counts"
}

# dkms_excludes CONF: the BUILD_EXCLUSIVE_* of CONF take every kernel of
# vm/kernels.conf and turn away the older ones, other architectures and
# kernels without kprobes.
dkms_excludes() {
	local conf=$1 rc r
	# shellcheck disable=SC1090
	(set +u; . "$conf" && [[ x86_64 =~ $BUILD_EXCLUSIVE_ARCH ]] &&
		! [[ aarch64 =~ $BUILD_EXCLUSIVE_ARCH ]] &&
		! [[ i686 =~ $BUILD_EXCLUSIVE_ARCH ]])
	refusal_result $? "dkms.conf: BUILD_EXCLUSIVE_ARCH takes x86_64 only"
	rc=0
	for r in $(for n in $(kernel_names); do
		cat "$cache"/kernels/"$n"/*/release 2>/dev/null | tail -n 1; done) \
		5.10.0-1-amd64 6.8.0-45-generic 10.1.0-1-amd64; do
		(set +u; . "$conf" && [[ $r =~ $BUILD_EXCLUSIVE_KERNEL ]]) ||
			{ echo "#   $r is excluded"; rc=1; }
	done
	for r in 5.4.0-1-amd64 5.9.16 4.19.0-27-amd64 3.10.0-1160.el7.x86_64; do
		(set +u; . "$conf" && ! [[ $r =~ $BUILD_EXCLUSIVE_KERNEL ]]) ||
			{ echo "#   $r is not excluded"; rc=1; }
	done
	refusal_result $rc "dkms.conf: BUILD_EXCLUSIVE_KERNEL takes 5.10 and later only"
	(set +u; . "$conf" && [ "$BUILD_EXCLUSIVE_CONFIG" = CONFIG_KPROBES ] &&
		[ "$PACKAGE_VERSION" = "$version" ])
	refusal_result $? "dkms.conf: BUILD_EXCLUSIVE_CONFIG is CONFIG_KPROBES, PACKAGE_VERSION is VERSION"
}
