#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vm/run.sh — build clonegate and its tests, boot them in a VM, report.
#
#   vm/run.sh check   every lane: Debian's kernel, then the debug kernel
#   vm/run.sh debian  the Debian-kernel lane alone
#   vm/run.sh debug   the debug-kernel lane alone (KUnit, selftests, stress)
#   vm/run.sh kunit   the KUnit suites alone, on the debug kernel
#   vm/run.sh demo    boot Debian's kernel, load the module, show decisions
#   vm/run.sh bench   the cost of clonegate per call, as ratios to a baseline
#
# On a fresh Debian 12 machine it installs what it needs with apt. What is
# slow to make (the extracted kernel source, the debug kernel) is cached in
# $CLONEGATE_CACHE (default /var/cache/clonegate), outside the checkout.
#
# A lane passes only if the VM printed its success marker, which its init
# writes after every stage passed, and the console shows no Oops, BUG,
# WARNING, Call Trace, KASAN, lockdep, RCU, hung-task, kmemleak or kprobe
# failure, and qemu finished before the timeout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
cache=${CLONEGATE_CACHE:-/var/cache/clonegate}
out=${CLONEGATE_OUT:-$top/build/vm}
# a lane that runs longer than this hangs: the VM is killed and the lane fails
timeout_s=${CLONEGATE_VM_TIMEOUT:-900}

say() { printf '# %s\n' "$*"; }
die() { printf 'vm/run.sh: %s\n' "$*" >&2; exit 1; }

# --- what the machine needs -------------------------------------------------

apt_updated=
need_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing: ${missing[*]}"
	if [ -z "$apt_updated" ]; then
		apt-get update -q >/dev/null
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >/dev/null
}

base_packages() {
	need_packages qemu-system-x86 busybox-static cpio gzip xz-utils make \
		gcc libc6-dev linux-image-amd64 linux-headers-amd64 \
		linux-source-6.1 kmod
	# the 32-bit test programs; without them those tests report SKIP
	need_packages gcc-multilib || say "gcc-multilib not installable"
	# clonegate-events --seccheck (protobuf-c), and the host-side checks:
	# protoc decodes what the seccheck monitor got, systemd-analyze
	# verifies the unit
	need_packages libprotobuf-c-dev protobuf-c-compiler protobuf-compiler \
		systemd perl
	# the coexistence tests' BPF loader, linked statically
	need_packages libbpf-dev libelf-dev zlib1g-dev libzstd-dev
}

# The Debian kernel release linux-image-amd64 points at (e.g. 6.1.0-57-amd64).
debian_kver() {
	dpkg-query -W -f='${Depends}' linux-image-amd64 |
		sed -n 's/.*linux-image-\([0-9][^ ,]*\).*/\1/p'
}

# kselftest_harness.h comes from the kernel source package, never the repo.
harness_dir() {
	local dir="$cache/kselftest"
	if [ ! -f "$dir/kselftest_harness.h" ]; then
		mkdir -p "$dir"
		tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$dir" \
			--strip-components=4 --wildcards \
			'linux-source-6.1/tools/testing/selftests/kselftest.h' \
			'linux-source-6.1/tools/testing/selftests/kselftest_harness.h'
	fi
	echo "$dir"
}

# --- building ----------------------------------------------------------------

# build_module KDIR DEST: an out-of-tree build in a copy, so the checkout
# stays clean and two kernels can be built side by side.
build_module() {
	local kdir=$1 dest=$2 src="$2/src"
	rm -rf "$src"
	mkdir -p "$src"
	cp -r "$top/Kbuild" "$top/Makefile" "$top/module" "$top/include" "$src/"
	[ -d "$top/kunit" ] && cp -r "$top/kunit" "$src/"
	make -s -C "$kdir" M="$src" CC=gcc modules >"$dest/module-build.log" 2>&1 ||
		{ cat "$dest/module-build.log"; die "module build failed"; }
	if grep -E 'warning:' "$dest/module-build.log"; then
		die "module build has warnings"
	fi
	cp "$src/clonegate.ko" "$dest/"
}

build_selftests() {
	local dest=$1
	make -s -C "$top/selftests" OUT="$dest/tests" \
		HARNESS_DIR="$(harness_dir)" >"$dest/selftests-build.log" 2>&1 ||
		{ cat "$dest/selftests-build.log"; die "selftest build failed"; }
	make -s -C "$top/tools" OUT="$dest/tools" \
		>>"$dest/selftests-build.log" 2>&1 ||
		{ cat "$dest/selftests-build.log"; die "tools build failed"; }
}

# make_initramfs DEST LANE: busybox, the module(s), tests, tools, init.
make_initramfs() {
	local dest=$1 lane=$2 root="$1/root"
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,root,etc,lib,mnt}
	cp /bin/busybox "$root/bin/busybox"
	for applet in $("$root/bin/busybox" --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	cp "$here/init.sh" "$root/init"
	cp "$here/lane-$lane.sh" "$root/lane.sh"
	cp "$dest"/*.ko "$root/lib/"
	[ -d "$dest/tests" ] && cp -r "$dest/tests" "$root/tests" &&
		cp "$top/Documentation/ABI/testing/sysfs-kernel-clonegate" \
			"$root/tests/"
	if [ -d "$dest/tools" ]; then find "$dest/tools" -maxdepth 1 -type f -perm -u+x -exec cp {} "$root/bin/" \;; fi
	echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
	echo "nobody:x:65534:65534:nobody:/:/bin/sh" >>"$root/etc/passwd"
	chmod +x "$root/init" "$root/lane.sh"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$dest/initrd.gz"
}

# --- booting -----------------------------------------------------------------

# Console lines the host shows as they come: TAP, its comments, and splats.
show_filter() {
	grep --line-buffered -aE \
		'^(TAP version|1\.\.|ok |not ok |#|\[demo\]|CLONEGATE-)|Oops|BUG:|WARNING:|Call Trace|KASAN|lockdep|possible recursive|circular locking|suspicious RCU|sleeping function|hung_task|blocked for more than|kmemleak|unreferenced object|[Kk]probe.*(fail|error)' |
		grep -av '^# CLONEGATE-' || true
}

# the vCPUs (and, for the bench, the clock) of the next VM
vm_cpus="-smp 2"

splat_re='Oops|BUG:|WARNING:|Call Trace|KASAN|lockdep|possible recursive locking|circular locking|suspicious RCU|sleeping function called|blocked for more than|unreferenced object|kmemleak: [1-9]|[Kk]probe.*(fail|error)'

# boot KERNEL INITRD LOG APPEND MEM: run qemu under a hard timeout; the
# console goes to LOG and, filtered, to stdout.
boot() {
	local kernel=$1 initrd=$2 log=$3 append=$4 mem=${5:-1G}
	# a timeout shows as a missing success marker in verdict()
	# One host thread runs both vCPUs (thread=single): with multi-threaded
	# TCG, a vCPU can run code another vCPU is live-patching (ftrace,
	# jump labels) half-updated, and even a module with nothing but two
	# empty kprobes crashes the guest in an insmod/rmmod loop under load.
	# shellcheck disable=SC2086 # $vm_cpus: options, split on purpose
	timeout --foreground -k 10 "$timeout_s" \
		qemu-system-x86_64 -accel tcg,thread=single -cpu max $vm_cpus \
		-m "$mem" \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 $append" \
		-nographic -no-reboot -monitor none -serial stdio \
		</dev/null 2>&1 | tr -d '\r' | tee "$log" | show_filter || true
}

# verdict LOG LANE: count TAP results and decide whether the lane passed.
verdict() {
	local log=$1 lane=$2 passed failed skipped ok=1
	passed=$(grep -acE '^ok [0-9]+ [^#]*$|^ok [0-9]+ .*# (XFAIL|PASS)' "$log" || true)
	skipped=$(grep -acE '^ok [0-9]+ .*# SKIP' "$log" || true)
	failed=$(grep -acE '^not ok [0-9]+' "$log" || true)
	if ! grep -aq '^CLONEGATE-SUCCESS' "$log"; then
		echo "not ok - $lane: the VM never reported success (crash, hang or failed stage)"
		ok=0
	fi
	if grep -aE "$splat_re" "$log" | grep -av '^#' >"$log.splats"; then
		echo "not ok - $lane: the kernel reported a problem:"
		sed 's/^/#   /' "$log.splats" | head -40
		ok=0
	fi
	[ "$ok" = 1 ] || failed=$((failed + 1))
	echo "$passed $failed $skipped" >"$log.counts"
}

# host_checks LOG TOOLS: the checks that run on the host after a lane
# (vm/check-*.sh, TAP); their results are added to the lane's counts.
host_checks() {
	local log=$1 tools=$2 out="$1.host" a b c p f
	# a failed check is counted below, not an end of this script
	"$here/check-seccheck.sh" "$log" >"$out" 2>&1 || true
	"$here/check-systemd.sh" "$tools" >>"$out" 2>&1 || true
	grep -aE '^(ok|not ok) |^#' "$out" || true
	p=$(grep -acE '^ok ' "$out" || true)
	f=$(grep -acE '^not ok ' "$out" || true)
	read -r a b c <"$log.counts"
	echo "$((a + p)) $((b + f)) $c" >"$log.counts"
}

# --- lanes -------------------------------------------------------------------

# shellcheck source=bench/vm.sh
. "$top/bench/vm.sh"

lane_debian() {
	local lane=$1 kver kdir dest
	base_packages
	kver=$(debian_kver)
	[ -n "$kver" ] || die "cannot tell which kernel linux-image-amd64 installs"
	kdir=/usr/src/linux-headers-$kver
	[ -d "$kdir" ] || die "$kdir missing: apt install linux-headers-$kver"
	dest="$out/debian-$lane"
	mkdir -p "$dest"
	rm -f "$dest"/*.ko
	say "lane $lane: Debian kernel $kver"
	build_module "$kdir" "$dest"
	rm -rf "$dest/tests" "$dest/tools"
	case $lane in
	demo)
		make -s -C "$top/tools" OUT="$dest/tools"
		;;
	bench)
		bench_build "$kdir" "$dest"
		vm_cpus=$(bench_qemu_args)
		;;
	*)
		build_selftests "$dest"
		# what coexist_test needs that depends on the kernel
		"$here/build-coexist.sh" "$kdir" "$dest/tests/coexist"
		;;
	esac
	make_initramfs "$dest" "$lane"
	boot "/boot/vmlinuz-$kver" "$dest/initrd.gz" "$dest/console.log" \
		"quiet loglevel=4 oops=panic panic_on_warn=1 clonegate_lane=$lane $(
		# the demo shows audit records: with no auditd, in the kernel log
		[ "$lane" != demo ] || echo audit=1
		[ "$lane" != bench ] || bench_append)" 1G
	verdict "$dest/console.log" "$lane"
	[ "$lane" != debian ] || host_checks "$dest/console.log" "$dest/tools"
}

lane_debug() {
	local lane=$1 kdir dir dest append
	# On top of the debug kernel's own command line: kernel log lines
	# stamped, so none of KUnit's own "ok 1 <suite>" lines starts a line
	# to be counted; a log big enough to keep every KUnit line even when
	# many cases fail (vm/lane-kunit.sh reads the cases debugfs cut short
	# from it); the TSC trusted without its watchdog, which misfires under
	# TCG (tsc=unstable would leave the VM, which has no HPET or ACPI, on
	# jiffies, a clock that runs a third slow under TCG); and a task stuck
	# in D state for a minute panics with its stack instead of waiting
	# for the VM timeout.
	append="printk.time=1 log_buf_len=8M tsc=reliable hung_task_panic=1"
	append="$append sysctl.kernel.hung_task_timeout_secs=60"
	# The debug kernel always says "RCU lockdep checking is enabled":
	# match lockdep's reports (WARNING:, BUG:, Call Trace, or "lockdep is
	# turned off" once it stopped), not its name.
	local splat_re=${splat_re/|lockdep|/|lockdep is turned off|}
	base_packages
	need_packages bc flex bison libelf-dev libssl-dev
	dir=$("$here/build-debug-kernel.sh" | tail -n 1)
	kdir="$dir/build"
	dest="$out/debug-$lane"
	mkdir -p "$dest"
	rm -rf "$dest"/*.ko "$dest/tests"
	say "lane $lane: debug kernel $(cat "$kdir/include/config/kernel.release")"
	build_module "$kdir" "$dest"
	make -s -C "$kdir" M="$dest/src/kunit" CLONEGATE_TOP="$dest/src" CC=gcc \
		modules >"$dest/kunit-build.log" 2>&1 ||
		{ cat "$dest/kunit-build.log"; die "KUnit module build failed"; }
	if grep -E 'warning:' "$dest/kunit-build.log"; then
		die "KUnit module build has warnings"
	fi
	cp "$dest/src/kunit/clonegate_kunit.ko" "$dest/"
	if [ "$lane" = kunit ]; then
		mkdir -p "$dest/tests"
		cp "$top/selftests/lane-lib.sh" "$dest/tests/"
	else
		build_selftests "$dest"
	fi
	# the KUnit steps, which vm/lane-debug.sh runs too
	cp "$here/lane-kunit.sh" "$dest/tests/"
	make_initramfs "$dest" "$lane"
	boot "$dir/bzImage" "$dest/initrd.gz" "$dest/console.log" \
		"$(cat "$dir/cmdline") $append clonegate_lane=$lane" 2G
	verdict "$dest/console.log" "$lane"
}

summary() {
	local p=0 f=0 s=0 a b c file
	for file in "$@"; do
		read -r a b c <"$file"
		p=$((p + a)) f=$((f + b)) s=$((s + c))
	done
	echo "$p passed, $f failed, $s skipped"
	[ "$f" -eq 0 ]
}

cmd=${1:-check}
case "$cmd" in
check)
	lane_debian debian
	lane_debug debug
	summary "$out/debian-debian/console.log.counts" \
		"$out/debug-debug/console.log.counts"
	;;
debian)
	lane_debian debian
	summary "$out/debian-debian/console.log.counts"
	;;
debug)
	lane_debug debug
	summary "$out/debug-debug/console.log.counts"
	;;
kunit)
	lane_debug kunit
	summary "$out/debug-kunit/console.log.counts"
	;;
bench)
	lane_debian bench
	bench_report "$out/debian-bench"
	summary "$out/debian-bench/console.log.counts"
	;;
demo)
	lane_debian demo
	grep -aq '^CLONEGATE-SUCCESS' "$out/debian-demo/console.log" ||
		die "the demo did not finish; see $out/debian-demo/console.log"
	;;
*)
	die "usage: vm/run.sh check|debian|debug|kunit|demo|bench"
	;;
esac
