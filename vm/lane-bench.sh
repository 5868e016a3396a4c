#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark, inside the VM: the same calls without clonegate (the
# baseline) and under each configuration, in one boot, as ratios.
. /lane-lib.sh
cg=/sys/kernel/clonegate
iters=${CLONEGATE_BENCH_ITERS:-300}

run() { clone_bench "$1" "$iters" | tee -a /tmp/bench.out; }

stage "baseline without clonegate" run baseline
stage "insmod" insmod "$CLONEGATE_KO"
echo off >$cg/mode
stage "mode off" run off
echo audit >$cg/mode
stage "gvisor, audit (the default)" run audit
echo enforce >$cg/mode
stage "gvisor, enforce" run enforce
echo "+allowed" >$cg/events/decisions
echo "+cwd" >$cg/events/context_fields
stage "gvisor, enforce, every decision an event with cwd" run events_all
stage "rmmod" rmmod clonegate

echo "# ns per call, and the ratio to the baseline (1.00 = no cost):"
awk '$2 == "baseline" { base[$3] = $4 }
     { t[$2, $3] = $4; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } ;
       if (!($3 in sb)) { sb[$3] = 1; calls[m++] = $3 } }
     END {
	for (i = 0; i < n; i++) {
		line = sprintf("# %-10s", order[i]);
		for (j = 0; j < m; j++)
			line = line sprintf("  %s %6d ns %5.2fx", calls[j],
				t[order[i], calls[j]],
				t[order[i], calls[j]] / base[calls[j]]);
		print line
	}
     }' /tmp/bench.out
finish
