#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vm/run.sh — build clonegate and its tests, boot them in VMs, report.
#
#   vm/run.sh check          every lane, two at a time: the Debian lane on
#                            every kernel of vm/kernels.conf, the debug
#                            kernel, the packages, the build refusals
#   vm/run.sh debian [NAME]  the Debian lane on kernel NAME (default: all)
#   vm/run.sh debug          the debug-kernel lane (KUnit, selftests, stress)
#   vm/run.sh kunit          the KUnit suites alone, on the debug kernel
#   vm/run.sh package        build the .debs, install them, boot what DKMS
#                            built, purge them
#   vm/run.sh refusals       the build refuses kernels it cannot work on
#   vm/run.sh demo           boot Debian's kernel, load the module, show
#   vm/run.sh bench          the cost of clonegate per call
#
# On a fresh Debian 12 machine it installs what it needs with apt. What is
# slow to make (kernels, a chroot, the debug kernel) is cached in
# $CLONEGATE_CACHE (default /var/cache/clonegate), outside the checkout.
#
# A lane passes only if the VM wrote its success marker (to a serial port
# of its own, after every stage passed), the console shows no kernel
# problem (vm/kernel-errors.sh), and qemu finished within its limits.
set -euo pipefail

# shellcheck source=vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# the kernel demo and bench boot
demo_kernel=${CLONEGATE_DEMO_KERNEL:-6.1}

# lane_debian NAME LANE: build for kernel NAME of vm/kernels.conf and boot
# it with vm/lane-LANE.sh (debian, demo or bench).
lane_debian() {
	local name=$1 lane=$2 k dest
	k=$(fetch_kernel "$name")
	dest="$out/$name-$lane"
	mkdir -p "$dest"
	rm -f "$dest"/*.ko
	say "lane $name: Debian kernel $(cat "$k/release") ($(cat "$k/version"))"
	echo "Debian $(cat "$k/release")" >"$dest/what"
	build_module "$k/kdir" "$dest" "$(kernel_field "$name" 3)"
	rm -rf "$dest/tests" "$dest/tools"
	vm_cpus="-smp 2"
	case $lane in
	demo) build_tools "$dest" ;;
	bench)
		bench_build "$k/kdir" "$dest"
		vm_cpus=$(bench_qemu_args)
		;;
	*)
		use_selftests "$dest"
		# what coexist_test needs that depends on the kernel, built
		# where the module is
		$(build_env "$(kernel_field "$name" 3)" "$dest") \
			"$here/build-coexist.sh" "$k/kdir" "$dest/tests/coexist"
		;;
	esac
	make_initramfs "$dest" "$lane"
	boot "$k/vmlinuz" "$dest/initrd.gz" "$dest" \
		"quiet loglevel=4 oops=panic panic_on_warn=1 clonegate_lane=$lane $(
		selftests_append
		# the demo shows audit records: with no auditd, in the kernel log
		[ "$lane" != demo ] || echo audit=1
		[ "$lane" != bench ] || bench_append)" 1G
	verdict "$dest" "$name"
	if [ "$lane" = debian ] && [ -z "${CLONEGATE_SELFTESTS:-}" ]; then
		host_checks "$dest" "$([ "$name" = "$demo_kernel" ] && echo systemd)"
	elif [ "$lane" = debian ]; then
		echo "# $name: host checks left out (CLONEGATE_SELFTESTS)"
	fi
}

# The selftests a lane runs, if CLONEGATE_SELFTESTS names some (by commas,
# without _test: "sysfs,events_dev"), for working on a few: the kernel
# hands the parameter to init's environment.
selftests_append() {
	[ -z "${CLONEGATE_SELFTESTS:-}" ] ||
		echo "clonegate_selftests=$CLONEGATE_SELFTESTS"
}
case ${CLONEGATE_SELFTESTS:-} in
*[!a-z0-9_,]*) die "CLONEGATE_SELFTESTS=$CLONEGATE_SELFTESTS: names and commas only" ;;
esac

# host_checks DIR [systemd]: the checks that run on the host after a
# Debian lane (vm/check-*.sh, TAP): what the seccheck monitor received in
# the VM, and, once per run, the systemd unit. Their results are added to
# the lane's counts.
host_checks() {
	local dir=$1 out="$1/host-checks" a b c p f rc
	# a failed check is counted below, not an end of this script; a
	# script that failed without a "not ok" line counts as one failure
	rc=0
	"$here/check-seccheck.sh" "$dir/console.log" >"$out" 2>&1 || rc=$?
	if [ "${2:-}" = systemd ]; then
		"$here/check-systemd.sh" "$dir/tools" >>"$out" 2>&1 || rc=$?
	fi
	grep -aE '^(ok|not ok) |^#' "$out" || true
	p=$(grep -acE '^ok ' "$out" || true)
	f=$(grep -acE '^not ok ' "$out" || true)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - host checks exited $rc without a failed check:"
		sed 's/^/#   /' "$out" | tail -n 20
		f=1
	fi
	read -r a b c <"$dir/counts"
	echo "$((a + p)) $((b + f)) $c" >"$dir/counts"
}

# shellcheck source=bench/vm.sh
. "$top/bench/vm.sh"

debug_packages() {
	need_packages bc flex bison libelf-dev libssl-dev build-essential
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
	# in D state for five minutes panics with its stack instead of
	# waiting for the VM's CPU limit. Not one minute: an unload under the
	# stress waits for ftrace's grace periods, which under TCG with KASAN
	# and lockdep can take more than that without anything being stuck.
	append="printk.time=1 log_buf_len=8M tsc=reliable hung_task_panic=1"
	append="$append sysctl.kernel.hung_task_timeout_secs=300"
	# the stress's reloads and budget, from the host's environment if set
	# (the kernel hands a parameter it does not know to init's)
	append="$append CLONEGATE_STRESS_RELOADS=${CLONEGATE_STRESS_RELOADS:-30}"
	append="$append CLONEGATE_STRESS_SECONDS=${CLONEGATE_STRESS_SECONDS:-600}"
	append="$append $(selftests_append)"
	local KERNEL_ERRORS=$KERNEL_ERRORS_DEBUG
	debug_packages
	dir=$("$here/build-debug-kernel.sh" | tail -n 1)
	kdir="$dir/build"
	dest="$out/debug-$lane"
	mkdir -p "$dest"
	rm -rf "$dest"/*.ko "$dest/tests"
	say "lane $lane: debug kernel $(cat "$kdir/include/config/kernel.release")"
	echo "debug kernel $(cat "$kdir/include/config/kernel.release")" >"$dest/what"
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
	else
		use_selftests "$dest"
	fi
	# the KUnit steps, which vm/lane-debug.sh runs too
	cp "$here/lane-kunit.sh" "$dest/tests/"
	make_initramfs "$dest" "$lane"
	boot "$dir/bzImage" "$dest/initrd.gz" "$dest" \
		"$(cat "$dir/cmdline") $append clonegate_lane=$lane" 2G \
		"${CLONEGATE_DEBUG_CPU_LIMIT:-2400}"
	verdict "$dest" "$lane" "${CLONEGATE_DEBUG_CPU_LIMIT:-2400}"
	[ "$lane" != debug ] || style_check "$kdir" "$dest"
}

# style_check KDIR DEST: make style with KDIR's checkpatch, one more result
# in DEST's counts.
style_check() {
	local kdir=$1 dest=$2 a b c
	read -r a b c <"$dest/counts"
	if make -s -C "$top" style CHECKPATCH="$kdir/scripts/checkpatch.pl" \
		>"$dest/style.log" 2>&1; then
		echo "ok - debug: make style (checkpatch --strict)"
		a=$((a + 1))
	else
		echo "not ok - debug: make style (checkpatch --strict)"
		sed 's/^/#   /' "$dest/style.log"
		b=$((b + 1))
	fi
	echo "$a $b $c" >"$dest/counts"
}

# --- running lanes side by side ------------------------------------------------

# run_job NAME DIR CMD...: CMD with its output prefixed by "[NAME] ", its
# time and result recorded in DIR for the summary. A lane that stopped
# before judging (a failed build) counts as one failure.
run_job() {
	local name=$1 dir=$2 start=$SECONDS rc=0
	shift 2
	mkdir -p "$dir"
	rm -f "$dir/counts" "$dir/time"
	("$@") 2>&1 | sed -u "s/^/[$name] /" || rc=$?
	[ -f "$dir/counts" ] || echo "0 1 0" >"$dir/counts"
	echo $((SECONDS - start)) >"$dir/time"
	return 0
}

# run_parallel JOBS: each job is "NAME|DIR|CMD ARGS"; at most
# $CLONEGATE_JOBS (default 2: one per core, every VM is one host thread)
# run at once, in the order given.
run_parallel() {
	local max=${CLONEGATE_JOBS:-2} running=0 job name dir cmd
	for job in "$@"; do
		IFS='|' read -r name dir cmd <<<"$job"
		if [ "$running" -ge "$max" ]; then
			wait -n || true
			running=$((running - 1))
		fi
		# shellcheck disable=SC2086
		run_job "$name" "$dir" $cmd &
		running=$((running + 1))
	done
	wait
}

# summary JOBS: one line per lane, then the totals, last.
summary() {
	local p=0 f=0 s=0 a b c job name dir cmd t what
	for job in "$@"; do
		IFS='|' read -r name dir cmd <<<"$job"
		read -r a b c <"$dir/counts"
		t=$(cat "$dir/time" 2>/dev/null || echo 0)
		what=$(cat "$dir/what" 2>/dev/null || true)
		printf '# %-8s %s: %d passed, %d failed, %d skipped in %dm%02ds%s\n' \
			"$name" "$([ "$b" -eq 0 ] && echo ok || echo FAILED)" \
			"$a" "$b" "$c" $((t / 60)) $((t % 60)) "${what:+ ($what)}"
		p=$((p + a)) f=$((f + b)) s=$((s + c))
	done
	echo "$p passed, $f failed, $s skipped"
	[ "$f" -eq 0 ]
}

# Every package any lane may install, installed once before lanes run side
# by side (apt takes one lock).
all_packages() {
	base_packages
	debug_packages
	need_packages mmdebstrap
	package_packages
}

# shellcheck source=vm/package.sh
. "$here/package.sh"
# shellcheck source=vm/refusals.sh
. "$here/refusals.sh"

jobs=()
add_kernel_jobs() {
	local n
	for n in "$@"; do
		jobs+=("$n|$out/$n-debian|lane_debian $n debian")
	done
}

cmd=${1:-check}
[ $# -gt 0 ] && shift
start=$SECONDS
case "$cmd" in
check)
	[ -z "${CLONEGATE_SELFTESTS:-}" ] ||
		die "make check runs every selftest: unset CLONEGATE_SELFTESTS"
	all_packages
	build_selftests "$out/shared"
	# the longest first, so the others fill the second core around it
	jobs=("debug|$out/debug-debug|lane_debug debug")
	# shellcheck disable=SC2046
	add_kernel_jobs $(kernel_names)
	jobs+=("package|$out/package|lane_package")
	jobs+=("refusals|$out/refusals|lane_refusals")
	run_parallel "${jobs[@]}"
	say "make check took $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s"
	summary "${jobs[@]}"
	;;
debian)
	base_packages
	build_selftests "$out/shared"
	if [ $# -gt 0 ]; then
		add_kernel_jobs "$@"
	else
		# shellcheck disable=SC2046
		add_kernel_jobs $(kernel_names)
	fi
	run_parallel "${jobs[@]}"
	summary "${jobs[@]}"
	;;
debug | kunit)
	base_packages
	build_selftests "$out/shared"
	jobs=("$cmd|$out/debug-$cmd|lane_debug $cmd")
	run_parallel "${jobs[@]}"
	summary "${jobs[@]}"
	;;
package)
	base_packages
	package_packages
	jobs=("package|$out/package|lane_package")
	run_parallel "${jobs[@]}"
	summary "${jobs[@]}"
	;;
refusals)
	base_packages
	jobs=("refusals|$out/refusals|lane_refusals")
	run_parallel "${jobs[@]}"
	summary "${jobs[@]}"
	;;
bench)
	base_packages
	jobs=("bench|$out/$demo_kernel-bench|lane_debian $demo_kernel bench")
	run_parallel "${jobs[@]}"
	bench_report "$out/$demo_kernel-bench"
	summary "${jobs[@]}"
	;;
demo)
	base_packages
	lane_debian "$demo_kernel" demo
	tr -d '\r' <"$out/$demo_kernel-demo/marker" | grep -aqx 'CLONEGATE-SUCCESS' ||
		die "the demo did not finish; see $out/$demo_kernel-demo/console.log"
	;;
*)
	die "usage: vm/run.sh check|debian [NAME...]|debug|kunit|package|refusals|demo|bench"
	;;
esac
