#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The debug-kernel lane, inside the VM: the KUnit suites; every selftest
# with the module loaded; a stress stage of loads and unloads while other
# processes fork, vfork, clone3, create threads, unshare and setns, a
# reader reads /dev/clonegate, and writers flip the policy, the event
# files and a scope; then kmemleak over all of it. KASAN, lockdep and
# the atomic-sleep checks watch throughout: a KASAN report or a WARN panics
# the VM at once; lockdep, the atomic-sleep check and kmemleak report and
# go on, and the last stages fail on their reports (as does the host).
. /lane-lib.sh
KUNIT_LIB=1 . /tests/lane-kunit.sh

KMEMLEAK=/sys/kernel/debug/kmemleak
RELOADS=${CLONEGATE_STRESS_RELOADS:-30}
# no load starts after this many seconds of stress once five are done
STRESS_SECONDS=${CLONEGATE_STRESS_SECONDS:-600}

# The checks the lane relies on are on, and lockdep has not turned itself
# off (it does after its first report, or when it runs out of room).
debug_checks_armed() {
	[ -e "$KMEMLEAK" ] || { echo "no $KMEMLEAK"; return 1; }
	grep -q 'debug_locks: *1' /proc/lockdep_stats ||
		{ echo "lockdep is off"; grep debug_locks /proc/lockdep_stats; return 1; }
	dmesg | grep -q 'KernelAddressSanitizer initialized' ||
		{ echo "KASAN is not initialized"; return 1; }
}

# Forget what boot left: report it, then mark it as seen. kmemleak skips an
# object whose contents changed since its last scan, which every object's
# first scan counts as: scan twice before clearing, and before reading.
kmemleak_forget() {
	echo scan >"$KMEMLEAK" && echo scan >"$KMEMLEAK" &&
		echo clear >"$KMEMLEAK"
}

# Anything unreferenced since kmemleak_forget is a leak. kmemleak reports
# no object younger than 5 s: wait, then scan twice.
kmemleak_none() {
	sleep 6
	echo scan >"$KMEMLEAK" && echo scan >"$KMEMLEAK" || return 1
	leaks=$(cat "$KMEMLEAK")
	[ -z "$leaks" ] && return 0
	echo "$leaks" | head -n 120
	return 1
}

stage "debug checks armed: address sanitizer, lock validator, leak detector" debug_checks_armed
# with one CPU, only sleeping code paths interleave
echo "# $(grep -c '^processor' /proc/cpuinfo) CPU(s) online"
run_kunit
stage "kmemleak: scan and clear what boot left" kmemleak_forget
stage "insmod with defaults" insmod "$CLONEGATE_KO"
run_selftests
stage "rmmod" rmmod clonegate
echo "# stress: up to $RELOADS loads and unloads in ${STRESS_SECONDS} s while others clone, join, read and write"
stage_live "stress: reloads under clones, unshare, setns, a device reader, policy, event and scope writes" \
	/tests/stress_main "$RELOADS" "$STRESS_SECONDS"
stage "no clonegate left in sysfs" test ! -e /sys/kernel/clonegate
stage "kmemleak: nothing leaked by the selftests and the stress" kmemleak_none
stage "lock validator still on" grep -q 'debug_locks: *1' /proc/lockdep_stats
stage "no kernel report in the log" kernel_log_clean
finish
