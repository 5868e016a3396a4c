# SPDX-License-Identifier: GPL-2.0
#
# What a kernel says when something went wrong, as one extended regular
# expression: sourced by the host (vm/lib.sh), which fails a lane whose
# console shows one, and by the guest (vm/lane-lib.sh), which gives it a
# TAP line. Oopses, BUG and WARN, KASAN, lockdep, RCU and atomic-sleep
# checks, hung tasks, kmemleak, kprobe failures.
KERNEL_ERRORS='Oops|BUG:|WARNING:|Call Trace|KASAN|lockdep|possible recursive locking|circular locking|suspicious RCU|sleeping function called|blocked for more than|unreferenced object|kmemleak: [1-9]|[Kk]probe.*(fail|error)'

# The debug kernel always says "RCU lockdep checking is enabled": there,
# match lockdep's reports (WARNING:, BUG:, Call Trace, or "lockdep is
# turned off" once it stopped), not its name.
KERNEL_ERRORS_DEBUG=$(echo "$KERNEL_ERRORS" | sed 's/|lockdep|/|lockdep is turned off|/')
