#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM: mount what the tests need, run the lane, and write
# the success marker only if the lane passed, to the second serial port
# (ttyS1), which nothing else writes and the host reads on its own: no
# test output on the console can forge or hide it. Then dump the kernel
# log, so the host sees every warning even below the console loglevel, and
# reboot (qemu runs with -no-reboot, so that ends it).
export PATH=/bin:/sbin
export CLONEGATE_KO=/lib/clonegate.ko

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
hostname clonegate-vm
# the firmware leaves escape codes on the console's last line: start afresh
echo

if sh /lane.sh; then
	echo "# lane passed"
	echo "CLONEGATE-SUCCESS" >/dev/ttyS1
else
	echo "# lane failed"
fi
echo "# kernel log follows"
dmesg
sync
reboot -f
