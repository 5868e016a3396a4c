#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Debian-kernel lane, inside the VM: load, run every selftest, unload,
# and load and unload once more. Fails if any stage or test failed.
. /lane-lib.sh

# The ABI file documents exactly the files that exist.
abi_matches_sysfs() {
	cg=/sys/kernel/clonegate
	# a scope's files, listed once under the names the ABI file gives
	echo abi >$cg/scopes/add || return 1
	find $cg -type f | sed -E \
		-e 's#/scopes/abi/#/scopes/<name>/#' \
		-e 's#(/scopes/<name>/stats/)(clone|clone3|fork|vfork|unshare|setns)_(allowed|denied|audited)$#\1<op>_\3#' \
		-e 's#(/scopes/<name>/stats/rules/).*#\1<rule>#' |
		sort -u >/tmp/abi.exist
	echo abi >$cg/scopes/remove
	sed -n 's/^What:[[:space:]]*//p' /tests/sysfs-kernel-clonegate |
		sort >/tmp/abi.documented
	[ -s /tmp/abi.exist ] && diff /tmp/abi.documented /tmp/abi.exist
}

stage "insmod with defaults" insmod "$CLONEGATE_KO"
stage "its version is VERSION's, $(cat /etc/clonegate-version)" version_is_ours
stage "the ABI file lists every sysfs file, and no other" abi_matches_sysfs
run_selftests
stage "rmmod" rmmod clonegate
stage "insmod again" insmod "$CLONEGATE_KO"
stage "rmmod again" rmmod clonegate
stage "no clonegate left in sysfs" test ! -e /sys/kernel/clonegate

# Locking is one way until reboot: the last thing this boot does.
cg=/sys/kernel/clonegate
stage "insmod, a scope, then lock" sh -c "insmod $CLONEGATE_KO && echo kept >$cg/scopes/add && echo 1 >$cg/locked"
stage "locked reads 1" test "$(cat $cg/locked)" = 1
stage "locked refuses a policy write" sh -c "! echo enforce >$cg/mode && test \"\$(cat $cg/mode)\" = audit"
stage "locked refuses an events write" sh -c "! echo +allowed >$cg/events/decisions && test \"\$(cat $cg/events/decisions)\" = 'denied audited'"
stage "locked refuses adding a scope" sh -c "! echo more >$cg/scopes/add && test ! -e $cg/scopes/more"
stage "locked refuses removing a scope" sh -c "! echo kept >$cg/scopes/remove && test -e $cg/scopes/kept"
stage "locked refuses editing a scope" sh -c "! echo enforce >$cg/scopes/kept/mode && ! echo / >$cg/scopes/kept/cgroup && test \"\$(cat $cg/scopes/kept/mode)\" = audit"
stage "locked refuses the rate limit" sh -c "! echo 0 >$cg/events/ratelimit && test \"\$(cat $cg/events/ratelimit)\" = '100 20'"
stage "locked cannot be unlocked" sh -c "! echo 0 >$cg/locked && test \"\$(cat $cg/locked)\" = 1"
stage "locked refuses rmmod" sh -c "! rmmod clonegate && test -e $cg/version"
stage "clonegatectl apply refuses another policy once locked" sh -c "printf 'mode = enforce\n' >/tmp/p.conf && ! clonegatectl apply /tmp/p.conf 2>/tmp/p.err && grep -q 'locked' /tmp/p.err && test \"\$(cat $cg/mode)\" = audit"
stage "clonegatectl apply of the running policy succeeds once locked" sh -c "printf 'mode = audit\nprofile = gvisor\nlocked = 1\n' >/tmp/p.conf && clonegatectl apply /tmp/p.conf >/tmp/p.out && grep -q 'nothing to change' /tmp/p.out"
stage "the locked module still counts calls" sh -c "a=\$(cat $cg/stats/clone_calls); /bin/true; test \$(cat $cg/stats/clone_calls) -gt \$a"
finish
