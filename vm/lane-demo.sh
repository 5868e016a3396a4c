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
say "enforce on containers, audit the host: a scope on the cgroup /containers"
echo gvisor >$cg/profile
echo audit >$cg/mode
mkdir -p /sys/fs/cgroup/containers/c1
echo containers >$cg/scopes/add
echo /containers >$cg/scopes/containers/cgroup
echo enforce >$cg/scopes/containers/mode
say "  host mode $(cat $cg/mode); scope containers: $(cat $cg/scopes/containers/cgroup), mode $(cat $cg/scopes/containers/mode)"
say "a container: cgroup /containers/c1 and new mount, UTS, IPC, net and PID namespaces"
# shellcheck disable=SC2016
sh -c 'echo $$ >/sys/fs/cgroup/containers/c1/cgroup.procs &&
	exec unshare -m -u -i -n -p -f sh -c "
		hostname c1
		echo \"[demo]   inside: \$(hostname), \$(cat /proc/self/cgroup)\"
		echo \"[demo]   inside: \$(clonegate-try unshare newcgroup 2>&1)\"
		echo \"[demo]   inside: \$(clonegate-try clone3 newtime 2>&1)\"
		echo \"[demo]   inside: \$(clonegate-try fork 2>&1)\""'
say "the host, in audit, carries on:"
try unshare newcgroup
try clone3 newtime
say "  scope containers denied: $(cat $cg/scopes/containers/stats/unshare_denied) unshare, $(cat $cg/scopes/containers/stats/clone3_denied) clone3;" \
	"host audited: $(cat $cg/stats/unshare_audited) unshare, $(cat $cg/stats/clone3_audited) clone3"
say "  the records say which policy decided:"
clonegate-events | grep -E '"op":"(unshare|clone3)"' | tail -n 4 |
	sed -E 's/.*("op":"[a-z0-9]+").*("decision":"[a-z]+").*("scope":"[a-z]+").*/[demo]     \1 \2 \3/'
echo containers >$cg/scopes/remove
echo enforce >$cg/mode
say ""
say "calls a workload makes, as root, with the host policy enforcing:"
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
