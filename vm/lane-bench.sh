#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark, inside the VM: every configuration in turn, round after
# round, in one boot. clone_bench prints one "bench CONFIG ROUND CALL ..."
# line per call; bench/report.py, on the host, turns them into ratios to
# the configuration "none" of the same round.
#
# Every clone_bench runs in the same cgroup, four levels down, and with
# address-space randomisation off: a fork copies as many page tables as
# the layout needs, and a random layout made fork's cost vary by 5 %
# between two runs of one configuration. Real-time tasks are not
# throttled: forks and threads are timed under SCHED_FIFO, and so is the
# reader (bench/clone_bench.c, bench/event_flood.c).
. /lane-lib.sh
cg=/sys/kernel/clonegate
cgroot=/sys/fs/cgroup
home=$cgroot/bench/l2/l3/l4
# from the kernel command line (vm/run.sh passes them on)
rounds=${clonegate_bench_rounds:-5}
flood_calls=${clonegate_bench_flood:-20000}

# bench CONFIG [clone_bench options]: one run, in the bench cgroup; its
# lines go to the console as they come (stage keeps a stage's output)
bench() {
	config=$1
	shift
	sh -c 'echo $$ >'"$home"'/cgroup.procs && exec clone_bench "$@"' \
		clone_bench "$@" "$config" "$round" >/tmp/run.out
	rc=$?
	tee -a /tmp/bench.out </tmp/run.out >/dev/console
	return $rc
}

# run CONFIG: a stage that runs one configuration
run() {
	stage "round $round: $1" bench "$@"
}

# delivered CONFIG [options]: bench, and fail if a record was dropped: a
# configuration that times every record delivered must not time drops
delivered() {
	before=$(cat $cg/events/dropped/ring_full)
	bench "$@" || return 1
	after=$(cat $cg/events/dropped/ring_full)
	[ "$after" = "$before" ] ||
		{ echo "$1: $((after - before)) records dropped"; return 1; }
}

# run_delivered CONFIG: a stage that runs one such configuration
run_delivered() {
	stage "round $round: $1, every record delivered" delivered "$@"
}

# The caller's scope is bound four levels up from it, and 63 others four
# levels deep elsewhere: the lookup probes every level from 4 to 1.
add_scopes() {
	echo caller >$cg/scopes/add &&
	echo /bench >$cg/scopes/caller/cgroup || return 1
	i=1
	while [ $i -lt 64 ]; do
		echo "s$i" >$cg/scopes/add &&
		echo "/other/s$i/x/y" >$cg/scopes/s$i/cgroup || return 1
		i=$((i + 1))
	done
	[ "$(ls $cg/scopes | grep -c .)" -ge 64 ]
}

# The floor module finds its functions by the addresses given, not by
# name, which would cost a walk over every traced function each.
floor_syms='^(kernel_clone|ksys_unshare|pidfd_pid|(mnt|net|ipc|uts|user|pid|cgroup|time)ns_install)$'
floor_addrs() {
	awk -v re="$floor_syms" '$3 ~ re && $1 !~ /^0+$/ {
		printf "%s0x%s", sep, $1; sep = "," }' /proc/kallsyms
}

setup() {
	floor_args=$(floor_addrs)
	[ -z "$floor_args" ] || floor_args="addrs=$floor_args"
	echo 0 >/proc/sys/kernel/randomize_va_space &&
	# clone_bench and the reader run under SCHED_FIFO, unthrottled
	echo -1 >/proc/sys/kernel/sched_rt_runtime_us &&
	mkdir -p "$home" &&
	i=1 &&
	while [ $i -lt 64 ]; do
		mkdir -p "$cgroot/other/s$i/x/y" || return 1
		i=$((i + 1))
	done
}

# reader_start read|map: the reader of /dev/clonegate for the "events"
# configurations, by read() or from the mapped rings
reader_start() {
	event_flood "$1" >/tmp/reader.out 2>&1 &
	reader=$!
	# until it holds the device open
	n=0
	while [ $n -lt 100 ]; do
		ls -l /proc/$reader/fd 2>/dev/null | grep -q /dev/clonegate &&
			return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

reader_stop() {
	kill -TERM "$reader" && wait "$reader"
	cat /tmp/reader.out
}

# flood [map]: the throughput, with a reader by read() or mapped
flood() {
	echo 0 >$cg/events/ratelimit &&
	echo dev >$cg/events/channels &&
	event_flood flood "$flood_calls" "$@" >/tmp/run.out
	rc=$?
	tee -a /tmp/bench.out </tmp/run.out >/dev/console
	echo "100 20" >$cg/events/ratelimit
	echo "audit trace dev" >$cg/events/channels
	return $rc
}

echo "# bench: $rounds rounds; bpf_jit_enable $(cat /proc/sys/net/core/bpf_jit_enable)"
stage "setup: cgroups, no address randomisation" setup
round=1
while [ $round -le "$rounds" ]; do
	run none
	run seccomp --seccomp

	# shellcheck disable=SC2086
	stage "round $round: insmod clonegate_floor" \
		insmod /lib/clonegate_floor.ko $floor_args
	run floor
	stage "round $round: rmmod clonegate_floor" rmmod clonegate_floor

	stage "round $round: insmod clonegate" insmod "$CLONEGATE_KO"
	echo off >$cg/mode
	run off
	echo audit >$cg/mode
	run audit
	echo enforce >$cg/mode
	run enforce
	echo none >$cg/events/decisions
	run enforce_quiet
	# every decision an event, none held back, and a reader taking them
	echo "denied audited allowed" >$cg/events/decisions
	echo 0 >$cg/events/ratelimit
	stage "round $round: reader attached" reader_start read
	run_delivered events
	# the same through the device alone: what the audit record costs
	echo dev >$cg/events/channels
	run_delivered events_dev
	# the same without context fields: the record alone
	fields=$(cat $cg/events/context_fields)
	echo none >$cg/events/context_fields
	run_delivered events_bare --only=denied_clone3
	echo "$fields" >$cg/events/context_fields
	stage "round $round: reader detached" reader_stop
	# the device alone, its rings mapped by the reader: no copy
	stage "round $round: mapped reader attached" reader_start map
	run_delivered events_map --only=denied_clone3
	stage "round $round: mapped reader detached" reader_stop
	echo "audit trace dev" >$cg/events/channels
	echo "denied audited" >$cg/events/decisions
	echo "100 20" >$cg/events/ratelimit
	stage "round $round: events throughput" flood
	stage "round $round: events throughput, mapped" flood map
	stage "round $round: 64 scopes" add_scopes
	run scopes64
	stage "round $round: rmmod clonegate" rmmod clonegate

	stage "round $round: insmod clonegate hook_backend=kprobe" \
		insmod "$CLONEGATE_KO" hook_backend=kprobe mode=enforce
	run kprobe
	stage "round $round: rmmod clonegate (kprobe)" rmmod clonegate
	round=$((round + 1))
done
echo "# bench: done"
finish
