# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The bench lane's part of vm/run.sh, sourced by it: what the bench VM
# needs besides the module, how it boots, and the report afterwards.
#
# The VM runs under QEMU's instruction counting, -icount shift=0,sleep=off:
# the guest's clock then advances one nanosecond per guest instruction and
# jumps over idle time, whatever the host does meanwhile. A call timed in
# the guest costs the same count in every run, on a busy host as on a
# quiet one, so ratios a few percent apart can be told apart. It boots
# only with one vCPU (with two, Debian's kernel did not finish booting in
# 400 s). CLONEGATE_BENCH_ICOUNT=0 times by the host's clock instead,
# with two vCPUs as the other lanes: noisy under TCG, for comparison.
#
#   CLONEGATE_BENCH_ROUNDS  rounds of every configuration (default 5)
#   CLONEGATE_BENCH_FLOOD   denied calls of the events throughput (20000)

bench_rounds=${CLONEGATE_BENCH_ROUNDS:-5}
bench_flood=${CLONEGATE_BENCH_FLOOD:-20000}

# bench_build KDIR DEST: the floor module for KDIR, the programs, the
# lane's helpers
bench_build() {
	local kdir=$1 dest=$2 src="$2/floor"
	rm -rf "$src"
	cp -r "$top/bench/floor" "$src"
	make -s -C "$kdir" M="$src" CC=gcc modules >"$dest/floor-build.log" 2>&1 ||
		{ cat "$dest/floor-build.log"; die "floor module build failed"; }
	cp "$src/clonegate_floor.ko" "$dest/"
	mkdir -p "$dest/tests"
	make -s -C "$top/bench" OUT="$dest/tools"
}

# Options for qemu: instruction counting on one vCPU, unless turned off.
bench_qemu_args() {
	if [ "${CLONEGATE_BENCH_ICOUNT:-1}" != 0 ]; then
		echo "-smp 1 -icount shift=0,sleep=off"
	else
		echo "-smp 2"
	fi
}

# What the lane reads from its command line.
bench_append() {
	echo "clonegate_bench_rounds=$bench_rounds clonegate_bench_flood=$bench_flood"
}

# bench_report DEST: the tables, and the plot in DEST/bench.png
bench_report() {
	local dest=$1
	need_packages python3 python3-matplotlib
	/usr/bin/python3 "$top/bench/report.py" --png "$dest/bench.png" \
		--clock "$([ "${CLONEGATE_BENCH_ICOUNT:-1}" != 0 ] &&
			echo instructions || echo time)" \
		"$dest/console.log" | tee "$dest/bench.txt"
}
