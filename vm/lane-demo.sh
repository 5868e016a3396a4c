#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the VM: load clonegate with the gVisor profile in enforce
# mode, make a few calls a container might make, and show what clonegate
# decided and counted.
say() { echo "[demo] $*"; }
try() { say "  $(clonegate-try "$@" 2>&1)"; }

say "kernel $(uname -r); loading clonegate mode=enforce profile=gvisor"
insmod "$CLONEGATE_KO" mode=enforce profile=gvisor || exit 1
cg=/sys/kernel/clonegate
say "version $(cat $cg/version), mode $(cat $cg/mode), profile $(cat $cg/profile)"
say "allowed clone flags:   $(cat $cg/clone_flags)"
say "allowed unshare flags: $(cat $cg/unshare_flags)"
say ""
say "a denied clone3, as a security team sees it (audit record, JSON line):"
try clone3 newcgroup
say "  $(dmesg | grep 'type=1316.*op=clone3' | tail -n 1 | sed 's/^\[[^]]*\] //')"
say "  $(clonegate-events --decision=denied | tail -n 1)"
say ""
say "calls a workload makes, as root:"
try fork
try vfork
try clone3 newuser newpid newnet
try unshare newuts
try clone3 newcgroup
try unshare newtime
try clone sighand
try clone --exit-signal=100
try clone fs newns
say ""
say "the same host, with user namespaces switched off for everyone:"
echo "-newuser" >$cg/clone_flags
echo "-newuser" >$cg/unshare_flags
try unshare newuser
try clone3 newuser
say "profile now reads: $(cat $cg/profile)"
say ""
say "counters (non-zero):"
for f in $cg/stats/* $cg/stats/rules/*; do
	[ -f "$f" ] || continue
	v=$(cat "$f")
	[ "$v" = 0 ] || say "  ${f#$cg/stats/} = $v"
done
rmmod clonegate || exit 1
say "unloaded"
