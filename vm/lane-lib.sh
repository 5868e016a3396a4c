#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What the lanes share inside the VM: numbered TAP stages, the selftest
# loop, and the kernel-log check. Sourced by every vm/lane-*.sh as
# /lane-lib.sh.
. /kernel-errors.sh
lane_n=0
lane_failed=0

# stage NAME CMD...: one TAP line for one command.
stage() {
	name=$1
	shift
	"$@" >/tmp/stage.out 2>&1
	stage_result $? "$name" /tmp/stage.out
}

# stage_live NAME CMD...: a stage whose output shows as it comes, for a long
# one: if the VM dies in it, the console shows how far it got.
stage_live() {
	name=$1
	shift
	"$@"
	stage_result $? "$name"
}

# stage_result RC NAME [OUTPUT]: the stage's TAP line, with OUTPUT (a file)
# as diagnostics if it failed.
stage_result() {
	lane_n=$((lane_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $lane_n lane: $2"
		return
	fi
	echo "not ok $lane_n lane: $2"
	[ -z "${3:-}" ] || sed 's/^/#   /' "$3"
	lane_failed=1
}

# skip NAME REASON: one TAP line for what cannot run here.
skip() {
	lane_n=$((lane_n + 1))
	echo "ok $lane_n lane: $1 # SKIP $2"
}

# run_one_selftest PATH: one binary's TAP. A binary that leaves the module
# unloaded (a lifecycle test stopped between its unload and its load) has
# failed; the module is loaded again so that the binaries after it test it
# rather than fail for want of it.
run_one_selftest() {
	echo "# selftest: ${1#/tests/}"
	"$1" || lane_failed=1
	if [ ! -e /sys/kernel/clonegate ] && [ -n "${CLONEGATE_KO:-}" ]; then
		echo "# ${1#/tests/} left clonegate unloaded: loading it again"
		lane_failed=1
		insmod "$CLONEGATE_KO"
	fi
}

# selftest_wanted PATH: whether the host's CLONEGATE_SELFTESTS (the kernel
# command line's clonegate_selftests, names without _test, by commas)
# names this binary, or names none.
selftest_wanted() {
	[ -n "${clonegate_selftests:-}" ] || return 0
	name=${1##*/}
	name=${name%32}
	case ",$clonegate_selftests," in
	*",${name%_test},"*) return 0 ;;
	esac
	return 1
}

# Every selftest binary, each printing its own TAP: the x86_64 ones, then
# the i386 ones. Those are left out, with a SKIP line, when the host could
# not build them (the host leaves the reason in /tests/no-32bit) or when
# the kernel lacks 32-bit time syscalls (CONFIG_COMPAT_32BIT_TIME): without
# them glibc's futex and nanosleep calls fail with ENOSYS and abort the
# programs, whatever clonegate does. Without the option the symbol is
# sys_ni.c's weak stub, type W.
run_selftests() {
	ran=0
	[ -z "${clonegate_selftests:-}" ] ||
		echo "# only the selftests $clonegate_selftests (CLONEGATE_SELFTESTS)"
	for t in /tests/*_test; do
		[ -x "$t" ] && selftest_wanted "$t" || continue
		run_one_selftest "$t"
		ran=$((ran + 1))
	done
	stage "selftest binaries found ($ran)" test "$ran" -gt 0
	if [ -f /tests/no-32bit ]; then
		skip "32-bit selftests" "$(cat /tests/no-32bit)"
	elif ! grep -q ' [Tt] __ia32_sys_futex_time32$' /proc/kallsyms; then
		skip "32-bit selftests" "the kernel lacks CONFIG_COMPAT_32BIT_TIME"
	else
		for t in /tests/*_test32; do
			[ -x "$t" ] && selftest_wanted "$t" || continue
			run_one_selftest "$t"
		done
	fi
}

# No report of a kernel problem in the kernel log. The host fails the lane
# on the same lines; this gives them a TAP line, and a guest-side verdict
# for the checks that report without panicking (lockdep, might_sleep).
kernel_log_clean() {
	if dmesg | grep -E "$KERNEL_ERRORS_DEBUG" | head -n 20 | grep .; then
		return 1
	fi
	return 0
}

# The loaded module says the version of the file VERSION (which the host
# put in /etc/clonegate-version), in both places.
version_is_ours() {
	want=$(cat /etc/clonegate-version)
	for f in /sys/module/clonegate/version /sys/kernel/clonegate/version; do
		echo "$f: $(cat $f)"
		test "$(cat $f)" = "$want" || return 1
	done
}

finish() {
	[ "$lane_failed" = 0 ]
}
