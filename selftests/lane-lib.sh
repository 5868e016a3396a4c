#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Helpers the VM lanes share: numbered TAP stages and the selftest loop.
lane_n=0
lane_failed=0

# stage NAME CMD...: one TAP line for one command.
stage() {
	name=$1
	shift
	lane_n=$((lane_n + 1))
	if "$@" >/tmp/stage.out 2>&1; then
		echo "ok $lane_n lane: $name"
	else
		echo "not ok $lane_n lane: $name"
		sed 's/^/#   /' /tmp/stage.out
		lane_failed=1
	fi
}

# Run every selftest binary; each prints its own TAP.
run_selftests() {
	for t in /tests/*_test /tests/*_test32; do
		[ -x "$t" ] || continue
		echo "# selftest: ${t#/tests/}"
		"$t" || lane_failed=1
	done
}

finish() {
	[ "$lane_failed" = 0 ]
}
